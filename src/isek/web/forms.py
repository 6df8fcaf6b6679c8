"""Shared form presentation: the KERN UX classes on every widget."""

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
