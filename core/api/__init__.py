"""What every app's REST API shares, and no app owns: JSON and CSV renderers, errors as
JSON, keyset pagination, throttles, ETags and the response cache, the schema's common
parts and the API's root. Nothing here knows an app: an app's views say what their answer's
version is (``version()``) and which parameters they take.
"""

from .errors import exception_handler

__all__ = ["exception_handler"]
