"""Sections that a later app adds to a page of this app, without ``coalitions`` importing it.

A page names itself (``"assistance"`` for a technical-assistance entry, ``"action-item"`` for
an action-plan item); an app registers, in its ``AppConfig.ready()``::

    from coalitions import sections

    sections.register("assistance", "catalog", catalog_links_section)

A section is a callable ``section(obj, user)`` returning a ``dashboard.Panel`` (title,
template, context) or ``None``; it reads in a fixed number of queries.
"""

_sections = {}


def register(page, name, section, *, order=100):
    _sections.setdefault(page, {})[name] = (order, section)


def unregister(page, name):
    _sections.get(page, {}).pop(name, None)


def sections_for(page, obj, user):
    shown = []
    for name, (_, section) in sorted(_sections.get(page, {}).items(), key=lambda i: i[1][0]):
        result = section(obj, user)
        if result is not None:
            result.name = result.name or name
            shown.append(result)
    return shown
