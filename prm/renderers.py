"""The form renderer: Django's, without the `maxlength` attribute on inputs.

A browser cuts text at `maxlength` without a word (a pasted name of 250 characters is saved as
its first 200). The server checks every limit and answers with a field error instead, and
templates/_form.html shows the limit under the field (referenced by aria-describedby)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "maxlength" in widget.get("attrs", {}):
            attrs = {k: v for k, v in widget["attrs"].items() if k != "maxlength"}
            if attrs.get("id"):
                hint = f"{attrs['id']}_helptext"
                described = attrs.get("aria-describedby", "").split()
                if hint not in described:
                    attrs["aria-describedby"] = " ".join([*described, hint])
            context = {**context, "widget": {**widget, "attrs": attrs}}
        return super().render(template_name, context, request=request)
