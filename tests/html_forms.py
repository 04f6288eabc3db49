"""Read a page's form as a browser would submit it, so a test can post it back untouched."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # (attributes, [(name, value)])
        self._fields = None
        self._select = None  # (name, multiple, [(value, selected)])
        self._option = None  # [value or None, selected, text]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
        if self._fields is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
            self._select[2].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            values = [(v if v is not None else text) for v, selected, text in options if selected]
            if not values and not multiple and options:
                first = options[0]
                values = [first[0] if first[0] is not None else first[2]]
            self._fields.extend((name, value) for value in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The parser drops nothing: a newline right after <textarea> is markup, not text;
            # and a browser sends line breaks as CRLF.
            text = text.removeprefix("\n")
            self._fields.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def form_fields(response, *, having):
    """The ``(name, value)`` pairs a browser would send from the page's form that has a field
    named ``having`` (the page also holds the sign-out form)."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    for _attrs, fields in reader.forms:
        if any(name == having for name, _ in fields):
            return fields
    raise AssertionError(f"no form with a field named {having!r} on the page")


def form_data(response, *, having):
    """The form as a dict for the test client's ``post`` (a name given twice: a list)."""
    data = {}
    for name, value in form_fields(response, having=having):
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
