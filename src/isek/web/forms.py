"""Shared form presentation: the KERN UX classes on every widget, and service errors on a form."""

from __future__ import annotations

from django import forms


class KernFormMixin:
    """Put the KERN UX classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                w.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "kern-form-input__select")
            else:
                w.attrs.setdefault("class", "kern-form-input__input")

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})


def add_errors(form, exc, field: str | None = None) -> None:
    """Show a service's ValidationError on ``form``: at the field it names where the form has that
    field, else above the form; an error that names no field at ``field`` (default: above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc.messages)
