"""The sharing matrix form: per population, a level and the fields shown with accounts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accountmap import visibility
from accountmap.models import SHAREABLE_FIELDS, Level
from accountmap.sharing import INHERIT


def cell_prefix(cell: visibility.Cell) -> str:
    return f"s_{cell.status}" if cell.status else f"p_{cell.population.pk}"


class MatrixForm(forms.Form):
    """One level select and one set of field boxes per cell. `inherit`: the form of the
    vendor's overrides for one partner, where "Use the default" removes the override."""

    def __init__(self, *args, cells: list, inherit_from: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = cells
        defaults = {c.key: c for c in (inherit_from or [])}
        self.rows = []
        for cell in cells:
            p = cell_prefix(cell)
            choices = list(Level.choices)
            initial_level = cell.level
            if inherit_from is not None:
                d = defaults.get(cell.key)
                choices = [
                    (
                        INHERIT,
                        _("Default (%(l)s)")
                        % {"l": Level(d.level).label if d else Level.COUNTS.label},
                    ),
                    *choices,
                ]
                initial_level = cell.level if cell.origin == "override" else INHERIT
            self.fields[f"{p}-level"] = forms.ChoiceField(
                label=_("Level for %(p)s") % {"p": cell.label},
                choices=choices,
                initial=initial_level,
            )
            self.fields[f"{p}-fields"] = forms.MultipleChoiceField(
                label=_("Fields shown for %(p)s") % {"p": cell.label},
                choices=[(f, visibility.FIELD_LABELS[f]) for f in SHAREABLE_FIELDS],
                required=False,
                initial=cell.fields,
                widget=forms.CheckboxSelectMultiple,
            )
            self.rows.append((cell, self[f"{p}-level"], self[f"{p}-fields"]))

    def cell_data(self) -> list[dict]:
        out = []
        for cell in self.cells:
            p = cell_prefix(cell)
            out.append(
                {
                    "status": cell.status,
                    "population": cell.population,
                    "level": self.cleaned_data[f"{p}-level"],
                    "fields": self.cleaned_data[f"{p}-fields"],
                }
            )
        return out


class IntroForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the account owner"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why an introduction helps: the opportunity, who you know there."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
