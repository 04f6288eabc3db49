class FhirError(Exception):
    """A request the FHIR face refuses; the view answers it with an OperationOutcome.

    ``code`` is a FHIR issue type (invalid, not-supported, not-found...), ``diagnostics`` a
    sentence for the client that names the parameter or id at fault.
    """

    def __init__(self, status, code, diagnostics):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
