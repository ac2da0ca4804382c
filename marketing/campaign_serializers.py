"""API serializers of campaigns: kits (input validated here, the rest by the service),
campaigns with their links and funnel."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketing import campaign_selectors as cs
from marketing.campaign_models import Campaign, CampaignKit, KitStatus, SequenceStatus
from marketing.language import AssetLanguage
from marketing.models import Asset
from marketing.serializers import EnumField
from marketing.states import CAMPAIGN_KIT
from mdf.models import ActivityType
from prm.api.fields import AllowedActionsMixin, TenantPrimaryKeyField


class EmailStepSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000, help_text="HTML with placeholders.")
    delay_days = serializers.IntegerField(min_value=0, max_value=365, default=0)


class CampaignKitSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = CAMPAIGN_KIT
    status = EnumField(KitStatus, read_only=True)
    email_steps = EmailStepSerializer(many=True, read_only=True)
    social_posts = serializers.ListField(child=serializers.CharField(), read_only=True)
    assets = serializers.SerializerMethodField(help_text="Attached assets this member may see.")

    class Meta:
        model = CampaignKit
        fields = [
            "id", "name", "description", "status", "landing_headline", "landing_body",
            "lead_form", "language", "email_steps", "social_posts", "assets",
            "mdf_activity_type",
            "published_at", "created_at", "updated_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_assets(self, kit) -> list[int]:
        member = self.context["member"]
        return sorted(cs.kit_assets(member, kit).values_list("pk", flat=True))


class CampaignKitInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    landing_headline = serializers.CharField(max_length=200)
    landing_body = serializers.CharField(max_length=50000, help_text="HTML with placeholders.")
    lead_form = serializers.BooleanField(required=False, default=True)
    language = EnumField(
        AssetLanguage,
        required=False,
        default=AssetLanguage.EN,
        help_text="The language of the kit's copy; its pages and e-mails are framed in it.",
    )
    email_steps = EmailStepSerializer(many=True, required=False, max_length=10)
    social_posts = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        max_length=10,
        help_text="Each with {link}, replaced by the partner's tracked link.",
    )
    assets = serializers.ListField(
        child=TenantPrimaryKeyField(Asset), required=False, max_length=50
    )
    mdf_activity_type = EnumField(ActivityType, required=False, allow_blank=True)


class FunnelSerializer(serializers.Serializer):
    views = serializers.IntegerField()
    clicks = serializers.IntegerField()
    form_fills = serializers.IntegerField()
    leads = serializers.IntegerField()
    registrations = serializers.IntegerField()
    won_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()


class CampaignSerializer(serializers.ModelSerializer):
    landing_url = serializers.SerializerMethodField()
    tracked_url = serializers.SerializerMethodField()
    social_posts = serializers.SerializerMethodField(
        help_text="The kit's posts with the tracked link filled in."
    )
    funnel = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id", "kit", "partner", "code", "launched_at", "landing_url", "tracked_url",
            "social_posts", "funnel", "sequence_status",
        ]  # fmt: skip
        read_only_fields = fields

    def _abs(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_landing_url(self, c) -> str:
        return self._abs(cs.landing_path(c))

    def get_tracked_url(self, c) -> str:
        return self._abs(cs.tracked_path(c))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_social_posts(self, c) -> list[str]:
        link = self.get_tracked_url(c)
        return [p.replace("{link}", link) for p in c.kit.social_posts]

    @extend_schema_field(FunnelSerializer)
    def get_funnel(self, c) -> dict:
        figures = self.context.get("funnel")
        if figures is None or c.pk not in figures:
            figures = cs.funnel([c])
        return FunnelSerializer(figures[c.pk]).data


# --- The campaign's e-mail sequence (issue #21, item 3) ---


class CampaignContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    company = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    steps_sent = serializers.IntegerField(read_only=True)
    last_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unsubscribed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    consented_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class BouncesInputSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        min_length=1,
        max_length=1000,
        help_text="Addresses the mail provider reports as permanently undeliverable.",
    )
    detail = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="The provider's reason, kept in the audit log.",
    )


class BouncesResultSerializer(serializers.Serializer):
    reported = serializers.IntegerField(help_text="Distinct addresses in the request.")
    contacts = serializers.IntegerField(help_text="Of them, addresses of campaign contacts.")


class ContactRowSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, allow_blank=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ContactsInputSerializer(serializers.Serializer):
    """Either a CSV `file` (multipart) or a JSON list of `contacts`, and `consent`: the
    uploader confirms every contact agreed to receive marketing e-mail from the partner."""

    file = serializers.FileField(required=False)
    contacts = ContactRowSerializer(many=True, required=False)
    consent = serializers.BooleanField()

    def validate(self, attrs):
        if ("file" in attrs) == ("contacts" in attrs):
            raise serializers.ValidationError(
                {"contacts": [_("Send either a CSV file or a list of contacts.")]}
            )
        return attrs


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    email = serializers.CharField()
    reason = serializers.CharField()


class ContactsResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    merged = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)


class SequenceStepSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    subject = serializers.CharField()
    delay_days = serializers.IntegerField()
    sent = serializers.IntegerField()


class ContactCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    subscribed = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    bounced = serializers.IntegerField()


class SequenceProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SequenceStatus.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    contacts = ContactCountsSerializer()
    steps = SequenceStepSerializer(many=True)
