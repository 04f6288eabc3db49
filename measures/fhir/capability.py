"""The CapabilityStatement at ``/fhir/r4/metadata``: exactly what this server does."""

from .mapping import FHIR_VERSION, PROGRAM_SYSTEM
from .search import DEFAULT_COUNT, MAX_COUNT, RESULT_PARAMETERS, SEARCH_PARAMETERS

# The day this statement last changed; move it with any change to what the server supports.
STATEMENT_DATE = "2026-12-02"

FORMATS = ["application/fhir+json", "json"]


def capability_statement(base):
    search_params = [
        {
            "name": parameter.name,
            "definition": parameter.definition,
            "type": parameter.type,
            "documentation": parameter.documentation,
        }
        for parameter in SEARCH_PARAMETERS.values()
    ] + [
        {"name": name, "type": kind, "documentation": documentation}
        for name, (kind, documentation) in RESULT_PARAMETERS.items()
    ]
    return {
        "resourceType": "CapabilityStatement",
        "name": "SynergiesMeasureRepository",
        "title": "Synergies portal measure catalog (FHIR R4)",
        "status": "active",
        "experimental": False,
        "date": STATEMENT_DATE,
        "publisher": "Synergies portal",
        "description": (
            "The portal's measure catalog as FHIR R4 Measure resources, read-only and public: "
            "read by id and search by the parameters the HL7 Quality Measure IG asks of a "
            "shareable measure repository (url, version, identifier, name, title, "
            "description, status) plus topic and context (the federal programs that use a "
            "measure, as useContext of type program). Library resources and operations are "
            "not served."
        ),
        "kind": "instance",
        "software": {"name": "Synergies portal"},
        "implementation": {"description": "Synergies portal measure catalog", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": FORMATS,
        "rest": [{
            "mode": "server",
            "documentation": (
                "Every answer is application/fhir+json (_format=json or "
                "_format=application/fhir+json may be given; other formats get 406). "
                "_pretty=true indents the JSON. GET and HEAD only; other methods get 405. "
                "Handling is lenient by default: an unsupported search parameter or modifier "
                "is ignored, left out of the Bundle's self link and named in an "
                "OperationOutcome entry with search mode outcome. Prefer: handling=strict "
                "gets 400 with an OperationOutcome naming it instead. A bad value of a "
                "supported parameter gets 400 either way. A read honours _summary=true and "
                "_elements. No authentication."
            ),
            "resource": [{
                "type": "Measure",
                "profile": "http://hl7.org/fhir/StructureDefinition/Measure",
                "documentation": (
                    "id is the measure's slug (pqi-01); url is {base}/Measure/{id}. "
                    "group.population holds the numerator, denominator and key exclusions "
                    "(denominator-exclusion) as the steward words them, where the catalog "
                    "has them; useContext of type program names each program using the "
                    f"measure ({PROGRAM_SYSTEM}) with its years. "
                    f"Search answers a searchset Bundle with total and self, next and previous "
                    f"links; pages hold {DEFAULT_COUNT} entries unless _count says otherwise "
                    f"(at most {MAX_COUNT}) and the links page with _offset."
                ),
                "interaction": [
                    {"code": "read"},
                    {"code": "search-type", "documentation": "GET [base]/Measure?params"},
                ],
                "versioning": "no-version",
                "readHistory": False,
                "updateCreate": False,
                "conditionalCreate": False,
                "conditionalRead": "not-supported",
                "conditionalUpdate": False,
                "conditionalDelete": "not-supported",
                "searchParam": search_params,
            }],
        }],
    }
