"""Portal forms of the community. They validate the shape of the input; the services validate
the rest (their refusals show at the field, prm.portal.apply_error)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from community.models import AnnouncementKind, EventKind, RoadmapStatus
from partners.models import PartnerType, Tier

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
ZONES = sorted(zoneinfo.available_timezones())


class AudienceForm(forms.Form):
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type."),
    )
    tier_ids = forms.TypedMultipleChoiceField(
        label=_("Tiers"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every tier."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier_ids"].choices = [
            (t.pk, t.name) for t in Tier.objects.order_by("rank", "name")
        ]


class AnnouncementForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("Plain text, or simple HTML: paragraphs, lists, bold, italic and links."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AnnouncementKind.choices)
    roadmap_status = forms.ChoiceField(
        label=_("Roadmap status"),
        choices=[("", "—"), *RoadmapStatus.choices],
        required=False,
    )
    quarter = forms.CharField(
        label=_("Quarter"), max_length=7, required=False, help_text=_("For example 2026-Q3.")
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=WHEN,
        input_formats=WHEN_FORMATS,
        required=False,
        help_text=_("Empty: when you publish it."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        widget=WHEN,
        input_formats=WHEN_FORMATS,
        required=False,
        help_text=_("Empty: it stays until it is withdrawn."),
    )
    field_order = ["title", "body", "kind", "roadmap_status", "quarter", "publish_at",
                   "expires_at", "partner_types", "tier_ids", "languages"]  # fmt: skip


class QuestionForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    tags = forms.CharField(
        label=_("Products"),
        max_length=250,
        required=False,
        help_text=_("Up to five product tags, separated by commas."),
    )

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )


class EventForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        required=False,
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=WHEN, input_formats=WHEN_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=WHEN, input_formats=WHEN_FORMATS)
    timezone_name = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(z, z) for z in ZONES],
        initial="UTC",
        help_text=_("Start and end are read in this time zone."),
    )
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    join_url = forms.URLField(
        label=_("Join link"), max_length=500, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Empty: no limit. When it is full, people join the waitlist."),
    )
    field_order = ["title", "kind", "description", "starts_at", "ends_at", "timezone_name",
                   "location", "join_url", "capacity", "partner_types", "tier_ids",
                   "languages"]  # fmt: skip

    def clean(self):
        data = super().clean()
        zone = data.get("timezone_name")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            for name in ("starts_at", "ends_at"):
                if data.get(name):
                    data[name] = data[name].replace(tzinfo=None).replace(tzinfo=tz)
        return data


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("With an 'email' column."))
