"""Choice widgets as the USWDS draws them: a long single choice is a combo box with type-ahead
(a plain select without JavaScript), several choices are checkboxes, never a Ctrl-click list,
and an edit form opens with the current choices ticked."""

import re

import pytest
from django import forms

from coalitions.forms import CoalitionForm
from core.forms import Form
from measures.forms import AdoptionCreateForm, IncentiveProgramForm
from tests import factories

pytestmark = pytest.mark.django_db


def choice_form(count, **field_options):
    class ChoiceForm(Form):
        pick = forms.ChoiceField(choices=[(f"c{n}", f"Choice {n}") for n in range(count)],
                                 **field_options)

    return ChoiceForm


def test_a_short_choice_list_stays_a_select():
    html = choice_form(15)().as_div()

    assert "usa-combo-box" not in html
    assert re.search(r'<select name="pick" class="usa-select"', html)


def test_a_long_choice_list_is_a_combo_box_around_its_select_with_the_current_choice():
    html = choice_form(16)(initial={"pick": "c7"}).as_div()

    combo_box = re.search(r'<div class="usa-combo-box"([^>]*)>\s*<select name="pick"', html)
    assert combo_box, html
    assert 'data-default-value="c7"' in combo_box.group(1)
    assert '<label class="usa-label" for="id_pick">' in html


def test_the_adoption_forms_measure_is_a_combo_box(coalition):
    factories.MeasureFactory.create_batch(16)

    html = AdoptionCreateForm(coalition=coalition).as_div()

    assert re.search(r'<div class="usa-combo-box">\s*<select name="measure"', html)


def test_a_multiple_choice_is_checkboxes_in_a_fieldset_named_by_its_legend(coalition):
    html = CoalitionForm().as_div()

    assert "<select" not in html.split('id="id_states"', 1)[1].split("</fieldset>", 1)[0]
    assert re.search(r'<fieldset class="usa-fieldset usa-form-group" id="id_states"', html)
    assert "<legend class=\"usa-legend\">State(s)</legend>" in html
    assert re.search(
        r'<div class="usa-checkbox"><input type="checkbox" name="states" value="MD" '
        r'class="usa-checkbox__input" id="id_states_\d+"><label class="usa-checkbox__label" '
        r'for="id_states_\d+">Maryland</label></div>',
        html,
    )
    assert "Ctrl" not in html


def test_a_plain_select_multiple_anywhere_becomes_checkboxes():
    class Chooser(Form):
        picks = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.SelectMultiple(attrs={"size": 6})
        )

    html = Chooser().as_div()

    assert "<select" not in html and 'size="6"' not in html
    assert html.count('type="checkbox"') == 2


def test_the_edit_form_opens_with_the_coalitions_states_ticked():
    coalition = factories.CoalitionFactory(states="MD, VA")

    html = CoalitionForm(instance=coalition).as_div()

    ticked = re.findall(r'value="(\w\w)" class="usa-checkbox__input" id="id_states_\d+" checked',
                        html)
    assert ticked == ["MD", "VA"]


def test_a_posted_list_of_ticked_states_is_saved_as_before():
    form = CoalitionForm({"name": "Bay Purchasers", "kind": "purchaser",
                          "states": ["MD", "VA"], "status": "active"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["states"] == "MD, VA"


def test_an_incentive_programs_measures_are_checkboxes_grouped_by_set_with_its_own_ticked(
    coalition,
):
    pqi = factories.MeasureSetFactory(code="PQI", name="Prevention Quality Indicators")
    psi = factories.MeasureSetFactory(code="PSI", name="Patient Safety Indicators")
    pqi_01 = factories.MeasureFactory(measure_set=pqi, code="PQI 01")
    factories.MeasureFactory(measure_set=psi, code="PSI 90")
    program = factories.IncentiveProgramFactory(coalition=coalition)
    program.measures.add(pqi_01)

    html = IncentiveProgramForm(instance=program).as_div()

    legends = re.findall(r'<legend class="usa-legend text-bold margin-top-2">([^<]+)</legend>',
                         html)
    assert legends == ["Patient Safety Indicators", "Prevention Quality Indicators"]
    ticked = re.findall(r'<input type="checkbox" name="measures" value="(\d+)"[^>]* checked>',
                        html)
    assert ticked == [str(pqi_01.pk)]
