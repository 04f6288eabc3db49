"""Certificates of attendance: a one-page PDF drawn by WeasyPrint from an HTML template.

WeasyPrint lays text out with Pango (a system library: Debian's libpango-1.0-0 and
libpangoft2-1.0-0), so it is imported when a certificate is asked for, not at start-up.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify


def certificate_filename(registration):
    return f"certificate-{slugify(registration.event.title)[:60]}-{registration.pk}.pdf"


def certificate_pdf(registration):
    """The PDF bytes of ``registration``'s certificate. The caller checks they attended."""
    import weasyprint

    event = registration.event
    hours = (event.end - event.start).total_seconds() / 3600
    html = render_to_string("workshops/certificate.html", {
        "registration": registration,
        "event": event,
        "hours": f"{round(hours, 1):g}",
        "issued_on": timezone.localdate(),
        "number": f"{event.pk}-{registration.pk}",
    })
    return weasyprint.HTML(string=html).write_pdf()
