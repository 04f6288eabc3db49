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


class USWDSFormMixin:
    """Gives each widget its USWDS class and marks fields in error for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (css for kind, css in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
                "usa-input",
            )
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

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
    """A model form that checks the shape of input only.

    The model's own validation (``full_clean``) runs once, in the service that saves it, and
    its errors come back to this form beside their fields (``ServiceFormView``).
    """

    def _post_clean(self):
        pass
