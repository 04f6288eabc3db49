"""Forms rendered with the U.S. Web Design System: one renderer, one mixin, no per-form markup."""

from django import forms
from django.forms.renderers import TemplatesSetting


class USWDSFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_WIDGET_CLASSES = {
    forms.CheckboxInput: "usa-checkbox__input",
    forms.CheckboxSelectMultiple: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
}


# Widgets drawn by the portal's own templates: a select that turns into a combo box when its
# list is long, and checkboxes or radio buttons as USWDS draws them (never a Ctrl-click list).
_WIDGET_TEMPLATES = {
    forms.Select: ("forms/widgets/select.html", None),
    forms.CheckboxSelectMultiple: (
        "forms/widgets/choice_inputs.html", "forms/widgets/choice_input_option.html"
    ),
    forms.RadioSelect: (
        "forms/widgets/choice_inputs.html", "forms/widgets/choice_input_option.html"
    ),
}


class USWDSFormMixin:
    """Gives each widget its USWDS class and template, and marks fields in error for assistive
    technology. A long single-choice list becomes a combo box (forms/widgets/select.html), a
    multiple-choice list checkboxes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if type(widget) is forms.SelectMultiple:
                # Several choices are ticked, never Ctrl-clicked in a list.
                attrs = {key: value for key, value in widget.attrs.items() if key != "size"}
                field.widget = widget = forms.CheckboxSelectMultiple(
                    attrs=attrs, choices=widget.choices
                )
                widget.is_required = field.required
            css = next(
                (css for kind, css in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
                "usa-input",
            )
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if type(widget) in _WIDGET_TEMPLATES:
                widget.template_name, option_template = _WIDGET_TEMPLATES[type(widget)]
                widget.option_template_name = option_template or widget.option_template_name
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

    def _clean_fields(self):
        super()._clean_fields()
        # A browser sends a text area's line breaks as CRLF; stored text has LF, so an
        # unchanged note would otherwise come back as a change.
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if isinstance(field.widget, forms.Textarea) and isinstance(value, str):
                self.cleaned_data[name] = value.replace("\r\n", "\n")

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_errors()

    def _mark_errors(self):
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            widget = field.widget
            css = widget.attrs.get("class", "")
            if "usa-input--error" not in css:
                widget.attrs["class"] = f"{css} usa-input--error".strip()
            auto_id = self[name].auto_id
            described_by = [f"{auto_id}_error"]
            if field.help_text:
                described_by.append(f"{auto_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described_by)
            widget.attrs["aria-invalid"] = "true"


class Form(USWDSFormMixin, forms.Form):
    pass


class ModelForm(USWDSFormMixin, forms.ModelForm):
    """A model form that validates as Django's does: the model's ``clean()``, its fields and
    constraints run, and their errors show beside the fields.

    A form whose data goes to a service is made with ``for_service=True`` (``ServiceFormView``
    does so): it then checks the shape of input only and leaves its instance untouched, since
    the service validates the model once, on the row it saves, and its errors come back to
    the form beside their fields.
    """

    def __init__(self, *args, for_service=False, **kwargs):
        self.for_service = for_service
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        if not self.for_service:
            super()._post_clean()
