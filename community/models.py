"""Community (issue #23): the vendor's announcements and roadmap, partners' questions and
answers, and events (webinars, in-person) with registration and attendance.

Announcements and events are targeted like each other (`Audience`): by partner type, tier and
language, each list empty meaning "everyone". Bodies people write are sanitised HTML
(community.text.clean) before they are stored, so a page shows them as they are.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class Audience(models.Model):
    """Who a post or an event is for; an empty list targets everyone."""

    partner_types = models.JSONField(_("partner types"), default=list, blank=True)
    tier_ids = models.JSONField(_("tiers"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)

    class Meta:
        abstract = True


# --- Announcements and roadmap ---------------------------------------------------------


class AnnouncementKind(models.TextChoices):
    NEWS = "news", _("News")
    ROADMAP = "roadmap", _("Roadmap")


class RoadmapStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SHIPPED = "shipped", _("Shipped")


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Announcement(TenantModel, Audience):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    kind = models.CharField(
        _("kind"), max_length=8, choices=AnnouncementKind.choices, default=AnnouncementKind.NEWS
    )
    roadmap_status = models.CharField(
        _("roadmap status"), max_length=12, choices=RoadmapStatus.choices, blank=True
    )
    quarter = models.CharField(_("quarter"), max_length=7, blank=True)  # "2026-Q3"
    status = models.CharField(
        max_length=10, choices=AnnouncementStatus.choices, default=AnnouncementStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "publish_at"], name="announcement_due_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("announcement-detail", args=[self.pk])


class AnnouncementRead(TenantModel):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "announcement", "member"], name="announcement_read_once"
            )
        ]


# --- Questions and answers -------------------------------------------------------------


class Question(TenantModel):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("question"), max_length=20000)
    tags = models.JSONField(_("products"), default=list, blank=True)
    author = models.ForeignKey("prm.Member", on_delete=models.SET_NULL, null=True, related_name="+")
    # The asker's company when they asked (None: a vendor person asked).
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A foreign key, not a OneToOneField: an answer belongs to one question already, and a
    # one-to-one's unique index would leave out the tenant (prm.distribution).
    accepted_answer = models.ForeignKey(
        "community.Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)  # visible answers
    hidden = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "hidden", "created_at"], name="question_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("question-detail", args=[self.pk])

    @property
    def state(self) -> str:
        """The moderation state community.states.QUESTION reads: hidden, locked or open."""
        return "hidden" if self.hidden else "locked" if self.locked else "open"

    def get_state_display(self) -> str:
        return str({"hidden": _("hidden"), "locked": _("locked")}.get(self.state, _("open")))


class Answer(TenantModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(_("answer"), max_length=20000)
    author = models.ForeignKey("prm.Member", on_delete=models.SET_NULL, null=True, related_name="+")
    score = models.IntegerField(default=0)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return f"A-{self.pk}"


class Vote(TenantModel):
    """One per member and post; `value` is +1 or -1."""

    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "question"],
                condition=models.Q(question__isnull=False),
                name="vote_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["tenant", "member", "answer"],
                condition=models.Q(answer__isnull=False),
                name="vote_once_per_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(question__isnull=True) ^ models.Q(answer__isnull=True),
                name="vote_on_one_post",
            ),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="vote_value"),
        ]


class Follow(TenantModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "question", "member"], name="follow_once")
        ]


# --- Events ----------------------------------------------------------------------------


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    IN_PERSON = "in_person", _("In person")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Event(TenantModel, Audience):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EventKind.choices, default=EventKind.WEBINAR
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    location = models.CharField(_("location"), max_length=300, blank=True)
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("event-detail", args=[self.pk])


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(TenantModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(default=dj_timezone.now)
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "event", "member"], name="registration_once_per_member"
            )
        ]
        indexes = [models.Index(fields=["tenant", "partner", "attended_at"], name="attended_idx")]
