"""The catalog in FHIR R4: a ``Measure`` for each measure, and the Bundle, OperationOutcome and
CapabilityStatement around them.

The rule of the mapping: a fact the catalog does not hold is left out, never guessed. So a
measure with no description has no ``description``, one with neither numerator nor
denominator text has no ``group``, and nothing here sets ``scoring`` or ``compositeScoring``:
the catalog does not record how a measure is scored, and "rate" in a title does not say
whether it is a proportion (deaths among discharges) or a ratio (admissions per 100,000
residents).
"""

import re

from django.urls import reverse

from ..models import Measure

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json; charset=utf-8"

# Our own naming systems. They name things that have no published system: the catalog's
# measure codes ("PQI 01", as the steward prints them), its measure sets and its measure types.
MEASURE_CODE_SYSTEM = "urn:synergies:measure-code"
MEASURE_SET_SYSTEM = "urn:synergies:measure-set"
MEASURE_TYPE_SYSTEM = "urn:synergies:measure-type"
# The federal and national programs that use a measure (QualityProgram.code).
PROGRAM_SYSTEM = "urn:synergies:program"
# Endorsement numbers (0272, 0531...) are those of the consensus-based entity (NQF, now
# Battelle) that endorses measures for CMS; HL7 registers this system for them
# (NamingSystem CBEIdentifier) and the Quality Measure IG types such identifiers "endorser".
ENDORSEMENT_SYSTEM = "https://madie.cms.gov/measure/cbeId"
IDENTIFIER_TYPE_SYSTEM = "http://hl7.org/fhir/us/cqfmeasures/CodeSystem/identifier-type"

MEASURE_TYPE_CODES = "http://terminology.hl7.org/CodeSystem/measure-type"
V3_OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
IMPROVEMENT_NOTATION_SYSTEM = (
    "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
)
POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"
USAGE_CONTEXT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/usage-context-type"
PUBLICATION_STATUS_SYSTEM = "http://hl7.org/fhir/publication-status"
SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED", "display": "subsetted",
}
# The Measure elements R4 marks as summary (isSummary), for _summary=true; id and meta too.
SUMMARY_ELEMENTS = (
    "resourceType", "id", "meta", "url", "identifier", "version", "name", "title", "status",
    "experimental", "date", "publisher", "contact", "description", "useContext",
    "jurisdiction", "effectivePeriod",
)
# What _elements always keeps: what a resource needs to be one (Measure.status is 1..1).
MANDATORY_ELEMENTS = ("resourceType", "id", "meta", "status")

# Measure.status is a FHIR publication status; the catalog has two of the four.
STATUS_TO_FHIR = {
    Measure.Status.CURRENT: "active",
    Measure.Status.RETIRED: "retired",
}
PUBLICATION_STATUSES = ("draft", "active", "retired", "unknown")

# Measure.type is bound (extensibly) to the five R4 measure-type codes. Our patient_experience
# is what R4 defines patient-reported-outcome to be ("patient engagement or patient experience
# measures"); the v3 EXPERIENCE code says the same more narrowly and goes beside it. Efficiency
# has no R4 code, so the v3 EFFICIENCY code stands alone, as the binding allows. Our own value
# is kept in every case as a topic in MEASURE_TYPE_SYSTEM.
_TYPE_CODINGS = {
    Measure.Type.STRUCTURE: [(MEASURE_TYPE_CODES, "structure", "Structure")],
    Measure.Type.PROCESS: [(MEASURE_TYPE_CODES, "process", "Process")],
    Measure.Type.OUTCOME: [(MEASURE_TYPE_CODES, "outcome", "Outcome")],
    Measure.Type.COMPOSITE: [(MEASURE_TYPE_CODES, "composite", "Composite")],
    Measure.Type.PATIENT_EXPERIENCE: [
        (MEASURE_TYPE_CODES, "patient-reported-outcome", "Patient Reported Outcome"),
        (V3_OBSERVATION_VALUE, "EXPERIENCE", "experience measure type"),
    ],
    Measure.Type.EFFICIENCY: [
        (V3_OBSERVATION_VALUE, "EFFICIENCY", "efficiency measure type"),
    ],
}

_IMPROVEMENT = {
    Measure.ImprovementNotation.HIGHER: ("increase", "Increased score indicates improvement"),
    Measure.ImprovementNotation.LOWER: ("decrease", "Decreased score indicates improvement"),
}

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
FHIR_NAME = re.compile(r"[A-Z][A-Za-z0-9_]{0,254}")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]+")


def computable_name(code):
    """The measure's FHIR ``name``: its code with each run of other characters made one
    underscore ("PQI 01" -> "PQI_01", "CAHPS for MIPS" -> "CAHPS_for_MIPS"), starting with a
    capital letter as FHIR asks ("Measure_" before a code that starts with a digit)."""
    name = "_".join(part for part in _NOT_ALPHANUMERIC.split(code) if part)
    if not name:
        return None
    if name[0].isdigit():
        name = f"Measure_{name}"
    name = name[0].upper() + name[1:]
    return name[:255]


def fhir_base(request):
    """The absolute base of the FHIR face as the client reached it, without a final slash."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("/metadata")


def measure_canonical(base, measure):
    return f"{base}/Measure/{measure.slug}"


def _coding(system, code, display=None):
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(codings, text=None):
    concept = {"coding": [_coding(*coding) for coding in codings]}
    if text:
        concept["text"] = text
    return concept


def _identifiers(measure):
    identifiers = [{"use": "official", "system": MEASURE_CODE_SYSTEM, "value": measure.code}]
    if measure.endorsement_number:
        identifiers.append({
            "use": "official",
            "type": _concept([(IDENTIFIER_TYPE_SYSTEM, "endorser", "Endorser")]),
            "system": ENDORSEMENT_SYSTEM,
            "value": measure.endorsement_number,
        })
    return identifiers


def _topics(measure):
    topics = []
    if measure.domain:
        topics.append({"text": measure.domain})
    measure_set = measure.measure_set
    topics.append(_concept(
        [(MEASURE_SET_SYSTEM, measure_set.code, measure_set.name)], text=measure_set.name
    ))
    if measure.type:
        label = measure.get_type_display()
        topics.append(_concept([(MEASURE_TYPE_SYSTEM, measure.type, label)], text=label))
    return topics


def _exclusions(measure):
    return next((f.value for f in measure.facts.all() if f.name == "exclusions"), "")


def _group(measure):
    # R4 requires a population's criteria. The catalog has the steward's words, not a
    # computable expression, so the criteria is that text, as text/plain. The key exclusions
    # (a short summary with its own source) are the denominator exclusion.
    populations = [
        {
            "code": _concept([(POPULATION_SYSTEM, code, display)]),
            "description": text,
            "criteria": {"language": "text/plain", "expression": text},
        }
        for code, display, text in (
            ("numerator", "Numerator", measure.numerator),
            ("denominator", "Denominator", measure.denominator),
            ("denominator-exclusion", "Denominator Exclusion", _exclusions(measure)),
        )
        if text
    ]
    return [{"population": populations}] if populations else []


def _use_contexts(measure):
    contexts = []
    if measure.setting:
        contexts.append({
            "code": _coding(USAGE_CONTEXT_TYPE_SYSTEM, "venue", "Clinical Venue"),
            "valueCodeableConcept": {"text": measure.setting},
        })
    years = {}
    for membership in measure.program_memberships.all():
        years.setdefault(membership.program, []).append(
            str(membership.year or "year not stated")
        )
    for program, program_years in years.items():
        contexts.append({
            "code": _coding(USAGE_CONTEXT_TYPE_SYSTEM, "program", "Program"),
            "valueCodeableConcept": _concept(
                [(PROGRAM_SYSTEM, program.code, program.name)],
                text=f"{program.name} ({', '.join(sorted(program_years))})",
            ),
        })
    return contexts


def _related_artifacts(base, measure):
    artifacts = []
    if measure.source_url:
        artifacts.append({
            "type": "documentation",
            "display": "Specification",
            "url": measure.source_url,
        })
    if measure.software_url:
        artifacts.append({
            "type": "documentation",
            "display": "Software that computes the measure",
            "url": measure.software_url,
        })
    # A composite's components, whatever its recorded type: having them is the fact.
    artifacts += [
        {
            "type": "composed-of",
            "display": f"{component.code}: {component.title}",
            "resource": measure_canonical(base, component),
        }
        for component in measure.components.all()
    ]
    return artifacts


def measure_resource(base, measure):
    """The FHIR R4 ``Measure`` for a catalog measure (``measure_set`` and ``components``
    loaded with it). ``base`` is the FHIR base URL, see ``fhir_base``."""
    resource = {
        "resourceType": "Measure",
        "id": measure.slug,
        "meta": {"lastUpdated": measure.updated_at.isoformat()},
        "url": measure_canonical(base, measure),
        "identifier": _identifiers(measure),
        "version": measure.version,
        "name": computable_name(measure.code),
        "title": measure.title,
        "status": STATUS_TO_FHIR.get(measure.status, "unknown"),
        "date": measure.updated_at.isoformat(),
        "publisher": measure.steward,
        "description": measure.description,
        "useContext": _use_contexts(measure),
        "topic": _topics(measure),
        "relatedArtifact": _related_artifacts(base, measure),
        "type": [
            _concept(_TYPE_CODINGS[measure.type], text=measure.get_type_display())
        ] if measure.type in _TYPE_CODINGS else [],
        "improvementNotation": _concept(
            [(IMPROVEMENT_NOTATION_SYSTEM, *_IMPROVEMENT[measure.improvement_notation])]
        ) if measure.improvement_notation in _IMPROVEMENT else None,
        "group": _group(measure),
    }
    # Empty facts are left out: FHIR allows no empty strings, lists or objects.
    return {key: value for key, value in resource.items() if value}


def subset(resource, *, summary="false", elements=None):
    """The resource cut to its summary elements (``summary`` "true") or to ``elements``,
    tagged SUBSETTED as FHIR asks; whole otherwise."""
    if summary == "true":
        keep = set(SUMMARY_ELEMENTS)
    elif elements is not None:
        keep = {*MANDATORY_ELEMENTS, *elements}
    else:
        return resource
    cut = {key: value for key, value in resource.items() if key in keep}
    cut["meta"] = {**cut.get("meta", {}), "tag": [SUBSETTED]}
    return cut


def searchset_bundle(base, measures, *, total, links, summary="false", elements=None,
                     ignored=()):
    """A searchset Bundle of measures; ``links`` is a list of (relation, url); ``total``
    None leaves the total out (_total=none); each parameter in ``ignored`` is named in an
    OperationOutcome entry (search mode outcome)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links],
    }
    if total is None:
        del bundle["total"]
    entries = []
    for measure in measures:
        resource = subset(measure_resource(base, measure), summary=summary, elements=elements)
        entries.append({
            "fullUrl": resource["url"] if "url" in resource else measure_canonical(base, measure),
            "resource": resource,
            "search": {"mode": "match"},
        })
    if ignored:
        entries.append({
            "resource": {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "warning",
                        "code": "not-supported",
                        "diagnostics": f"Parameter '{key}' is not supported here and was "
                                       "ignored; send Prefer: handling=strict to have such "
                                       "a search refused instead.",
                    }
                    for key in ignored
                ],
            },
            "search": {"mode": "outcome"},
        })
    if entries:
        bundle["entry"] = entries
    return bundle


def operation_outcome(code, diagnostics):
    """An OperationOutcome with one error: ``code`` from the FHIR issue-type codes
    (invalid, not-supported, not-found...), ``diagnostics`` written for the client."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
