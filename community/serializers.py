"""API serializers of the community: the objects as read (authors by name and company only,
never another partner's people's e-mail addresses) and the input shapes, validated here and
then passed to one service."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.models import (
    Announcement,
    AnnouncementKind,
    AnnouncementStatus,
    Answer,
    Event,
    EventKind,
    EventStatus,
    Question,
    Registration,
    RegistrationStatus,
    RoadmapStatus,
)
from community.states import ANNOUNCEMENT, EVENT, QUESTION
from partners.models import PartnerType
from prm.api.fields import AllowedActionsMixin, NamedEnumField


class EnumField(NamedEnumField):
    prefix = "Community"


class AuthorSerializer(serializers.Serializer):
    """A post's author as other members see them: a name and their company (null: the
    vendor's team)."""

    name = serializers.CharField()
    company = serializers.CharField(allow_null=True)


def author_of(member) -> dict | None:
    if member is None:
        return None
    return {
        "name": member.user.full_name or "",
        "company": member.partner.name if member.partner_id else None,
    }


class AudienceInput(serializers.Serializer):
    partner_types = serializers.ListField(
        child=EnumField(PartnerType), required=False, default=list
    )
    tier_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES), required=False, default=list
    )


# --- Announcements ---------------------------------------------------------------------


class AnnouncementSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = ANNOUNCEMENT
    kind = EnumField(AnnouncementKind, read_only=True)
    status = EnumField(AnnouncementStatus, read_only=True)
    roadmap_status = serializers.CharField(
        read_only=True, help_text="planned, in_progress or shipped (roadmap items); else empty."
    )
    is_read = serializers.SerializerMethodField(help_text="The requesting member read it.")
    read_count = serializers.SerializerMethodField(
        help_text="How many people read it (staff only; null for partner people)."
    )

    class Meta:
        model = Announcement
        fields = [
            "id", "title", "body", "kind", "roadmap_status", "quarter", "status", "publish_at",
            "expires_at", "published_at", "partner_types", "tier_ids", "languages", "is_read",
            "read_count", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_read(self, obj) -> bool:
        return bool(getattr(obj, "is_read", False))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_read_count(self, obj):
        return getattr(obj, "read_count", None) if self.context.get("staff") else None


class AnnouncementInput(AudienceInput):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    kind = EnumField(AnnouncementKind)
    roadmap_status = serializers.ChoiceField(
        choices=RoadmapStatus.choices, required=False, allow_blank=True, default=""
    )
    quarter = serializers.CharField(max_length=7, required=False, allow_blank=True, default="")
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- Questions -------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    accepted = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["id", "question", "body", "author", "score", "accepted", "hidden", "created_at"]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, obj):
        return author_of(obj.author)

    @extend_schema_field(serializers.BooleanField())
    def get_accepted(self, obj) -> bool:
        return obj.question.accepted_answer_id == obj.pk


class QuestionSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = QUESTION
    author = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id", "title", "body", "tags", "author", "score", "answer_count",
            "accepted_answer", "hidden", "locked", "created_at", "updated_at", "answers",
            "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, obj):
        return author_of(obj.author)

    @extend_schema_field(
        serializers.ListField(
            child=AnswerSerializer(),
            allow_null=True,
            help_text="A question's answers (on its own page; null in lists).",
        )
    )
    def get_answers(self, obj):
        answers = self.context.get("answers", {}).get(obj.pk)
        if answers is None:
            return None
        return AnswerSerializer(answers, many=True).data


class QuestionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=5
    )


class AnswerInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class AcceptInput(serializers.Serializer):
    answer = serializers.IntegerField(min_value=1)


class VoteInput(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1])
    answer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class VoteResult(serializers.Serializer):
    score = serializers.IntegerField()


class FollowInput(serializers.Serializer):
    follow = serializers.BooleanField()


class AnswerModerationInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000, required=False)
    hidden = serializers.BooleanField(required=False)


# --- Events ----------------------------------------------------------------------------


class EventSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = EVENT
    kind = EnumField(EventKind, read_only=True)
    status = EnumField(EventStatus, read_only=True)
    taken_seats = serializers.SerializerMethodField()
    my_registration = serializers.SerializerMethodField(
        help_text="The requesting member's registration status, or null."
    )
    join_url = serializers.SerializerMethodField(
        help_text="Staff and registered people only (null for others)."
    )

    class Meta:
        model = Event
        fields = [
            "id", "title", "description", "kind", "status", "starts_at", "ends_at",
            "timezone", "location", "join_url", "capacity", "taken_seats", "partner_types",
            "tier_ids", "languages", "my_registration", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def _mine(self, obj):
        return self.context.get("mine", {}).get(obj.pk)

    @extend_schema_field(serializers.IntegerField())
    def get_taken_seats(self, obj) -> int:
        return self.context.get("taken", {}).get(obj.pk, 0)

    @extend_schema_field(
        serializers.ChoiceField(choices=RegistrationStatus.choices, allow_null=True)
    )
    def get_my_registration(self, obj):
        return self._mine(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_join_url(self, obj):
        if self.context.get("staff") or self._mine(obj) == RegistrationStatus.REGISTERED:
            return obj.join_url or None
        return None


class EventInput(AudienceInput):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )
    kind = EnumField(EventKind, required=False, default=EventKind.WEBINAR)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(max_length=64, required=False, default="UTC")
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    join_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(
        min_value=1, max_value=100000, required=False, allow_null=True, default=None
    )


class RegistrationSerializer(serializers.ModelSerializer):
    status = EnumField(RegistrationStatus, read_only=True)
    email = serializers.CharField(source="member.user.email", read_only=True)
    name = serializers.CharField(source="member.user.full_name", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "event", "member", "name", "email", "partner", "status",
                  "registered_at", "attended_at"]  # fmt: skip
        read_only_fields = fields


class AttendanceInput(serializers.Serializer):
    member_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=5000)
    attended = serializers.BooleanField(default=True)
