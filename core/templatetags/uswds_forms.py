"""Template filters for the USWDS form widgets (templates/forms/widgets/)."""

from django import template

register = template.Library()

# A list of more than 15 choices is long: one choice among them is made in a USWDS combo box
# (type to narrow the list), several in a box of checkboxes that scrolls.
LONG_LIST = 16


@register.filter
def long_choice_list(optgroups):
    """Whether a choice widget's options (its ``optgroups`` context) make a long list."""
    options = [option for _, group, _ in optgroups for option in group if option["value"]]
    return len(options) >= LONG_LIST
