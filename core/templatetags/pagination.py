"""The page numbers a list shows (templates/core/_pagination.html)."""

from django import template

register = template.Library()


@register.filter
def page_numbers(page_obj):
    """The first, last and neighbouring page numbers, with ``Paginator.ELLIPSIS`` for the
    gaps: 1 2 … 7. Every page's number would not fit a phone's width."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
