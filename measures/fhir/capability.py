"""The CapabilityStatement at ``/fhir/r4/metadata``: exactly what this server does."""

from .mapping import FHIR_VERSION
from .search import DEFAULT_COUNT, MAX_COUNT, RESULT_PARAMETERS, SEARCH_PARAMETERS

# The day this statement last changed; move it with any change to what the server supports.
STATEMENT_DATE = "2026-11-25"

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
        {"name": name, "type": "number", "documentation": documentation}
        for name, documentation in RESULT_PARAMETERS.items()
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
            "description, status) plus topic. Library resources and operations are not "
            "served."
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
                "An unknown search parameter, modifier or a bad value gets 400 with an "
                "OperationOutcome naming it, unless the request says "
                "Prefer: handling=lenient, which ignores unknown parameters. "
                "No authentication."
            ),
            "resource": [{
                "type": "Measure",
                "profile": "http://hl7.org/fhir/StructureDefinition/Measure",
                "documentation": (
                    "id is the measure's slug (pqi-01); url is {base}/Measure/{id}. "
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
