"""The form renderer: Django's, without the `maxlength` attribute on inputs, and with the
portal's bound field (what templates/_form.html shows beside each field).

A browser cuts text at `maxlength` without a word (a pasted name of 250 characters is saved as
its first 200). The server checks every limit and answers with a field error instead, and
templates/_form.html shows the limit under the field (referenced by aria-describedby)."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

TEXT_WIDGETS = {"text", "textarea", "email", "url", "search", "tel", "password"}
# Widgets that take the whole row of a two-column form (templates/_form.html).
WIDE_WIDGETS = {"textarea", "clearablefile", "file", "checkboxselectmultiple", "radioselect"}


def _number(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


class PortalBoundField(BoundField):
    """A bound field that knows its limits, whether it is marked required and how wide it is."""

    @property
    def limits(self) -> str:
        """The field's limits in words: its length, its number range, or ''."""
        field = self.field
        if getattr(field, "max_length", None) and self.widget_type in TEXT_WIDGETS:
            return ngettext(
                "Up to %(n)s character.", "Up to %(n)s characters.", field.max_length
            ) % {"n": _number(field.max_length)}
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            low, high = field.min_value, field.max_value
            if low is not None and high is not None:
                return gettext("From %(low)s to %(high)s.") % {
                    "low": _number(low),
                    "high": _number(high),
                }
            if high is not None:
                return gettext("At most %(high)s.") % {"high": _number(high)}
            if low:
                return gettext("At least %(low)s.") % {"low": _number(low)}
        return ""

    @property
    def hint(self) -> bool:
        """Whether the field shows a hint (help text or limits) under it."""
        return bool(self.help_text or self.limits)

    @property
    def marked_required(self) -> bool:
        """Required, or required for the form's main action (e.g. submitting a draft)."""
        return self.field.required or getattr(self.field, "required_to_submit", False)

    @property
    def wide(self) -> bool:
        return self.widget_type in WIDE_WIDGETS or self.field.widget.attrs.get("data-wide")

    @property
    def aria_describedby(self):
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.hint:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
        return " ".join(ids)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if getattr(self.field, "required_to_submit", False) and not self.field.required:
            attrs["aria-required"] = "true"
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = PortalBoundField

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "maxlength" in widget.get("attrs", {}):
            attrs = {k: v for k, v in widget["attrs"].items() if k != "maxlength"}
            context = {**context, "widget": {**widget, "attrs": attrs}}
        return super().render(template_name, context, request=request)
