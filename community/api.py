"""The community under /api/v1/: announcements (read tracking; admins post and publish),
questions with their answers (ask, answer, accept, vote, follow; staff moderate) and events
(register, cancel; staff create, publish, cancel and record attendance). The same
capabilities, machines and services as the portal."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import include, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from community import selectors
from community.models import Announcement, Answer, Event, Question, Registration
from community.serializers import (
    AcceptInput,
    AnnouncementInput,
    AnnouncementSerializer,
    AnswerInput,
    AnswerModerationInput,
    AnswerSerializer,
    AttendanceInput,
    EventInput,
    EventSerializer,
    FollowInput,
    QuestionInput,
    QuestionSerializer,
    RegistrationSerializer,
    VoteInput,
    VoteResult,
)
from community.services import announcements as ann_services
from community.services import events as event_services
from community.services import qa
from community.states import ANNOUNCEMENT, EVENT, QUESTION
from prm.api.base import TenantViewSet
from prm.api.pagination import Cursor
from prm.portal import require_action

TAG = "community"


# --- Announcements ---------------------------------------------------------------------


@extend_schema(tags=[TAG])
class AnnouncementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Announcements and roadmap items. Partner people see the current ones meant for them;
    staff see every one with its read count. Reading one through the API does not mark it
    read: POST `read/` does."""

    model = Announcement
    serializer_class = AnnouncementSerializer
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "published_at"]
    required_perms = {
        "list": "community.view",
        "retrieve": "community.view",
        "create": "community.announce",
        "partial_update": "community.announce",
        "publish": "community.announce",
        "unschedule": "community.announce",
        "withdraw": "community.announce",
        "read": "community.view",
    }

    def scoped_queryset(self):
        qs = selectors.announcements_visible_to(self.member)
        return selectors.with_read_state(qs, self.member).order_by("-created_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": selectors.is_staff(self.member)}

    def _out(self, a, code=status.HTTP_200_OK):
        a = self.scoped_queryset().get(pk=a.pk)
        return Response(self.get_serializer(a).data, status=code)

    @extend_schema(request=AnnouncementInput, responses={201: AnnouncementSerializer},
                   summary="Draft an announcement")  # fmt: skip
    def create(self, request):
        ser = AnnouncementInput(data=request.data)
        ser.is_valid(raise_exception=True)
        a = ann_services.announcement_create(by=self.member, **ser.validated_data)
        return self._out(a, status.HTTP_201_CREATED)

    @extend_schema(request=AnnouncementInput, responses=AnnouncementSerializer,
                   summary="Change an announcement")  # fmt: skip
    def partial_update(self, request, pk=None):
        a = self.get_object()
        require_action(ANNOUNCEMENT, a, self.member, "edit")
        ser = AnnouncementInput(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        current = {
            f: getattr(a, f)
            for f in ("title", "body", "kind", "roadmap_status", "quarter", "publish_at",
                      "expires_at", "partner_types", "tier_ids", "languages")
        }  # fmt: skip
        data = {k: v for k, v in ser.validated_data.items() if k in request.data}
        a = ann_services.announcement_update(announcement=a, by=self.member, **{**current, **data})
        return self._out(a)

    def _move(self, name: str, service):
        a = self.get_object()
        require_action(ANNOUNCEMENT, a, self.member, name)
        return self._out(service(announcement=a, by=self.member))

    @extend_schema(request=None, responses=AnnouncementSerializer,
                   summary="Publish now (or schedule, when publish_at lies ahead)")  # fmt: skip
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move("publish", ann_services.announcement_publish)

    @extend_schema(request=None, responses=AnnouncementSerializer, summary="Back to draft")
    @action(detail=True, methods=["post"])
    def unschedule(self, request, pk=None):
        return self._move("unschedule", ann_services.announcement_unschedule)

    @extend_schema(request=None, responses=AnnouncementSerializer, summary="Withdraw")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move("withdraw", ann_services.announcement_withdraw)

    @extend_schema(request=None, responses=AnnouncementSerializer, summary="Mark as read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        a = self.get_object()
        ann_services.announcement_mark_read(announcement=a, member=self.member)
        return self._out(a)


# --- Questions -------------------------------------------------------------------------


@extend_schema(tags=[TAG])
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Community questions. Every partner person and the staff read them (partner people
    never see a hidden question or answer); a question's page lists its answers."""

    model = Question
    serializer_class = QuestionSerializer
    lookup_value_regex = r"\d+"
    # ?ordering=-score (votes), answer_count (unanswered first), -created_at (newest).
    ordering_fields = ["id", "created_at", "score", "answer_count"]
    required_perms = {
        "list": "community.view",
        "retrieve": "community.view",
        "create": "community.participate",
        "partial_update": "community.moderate",
        "answer": "community.participate",
        "accept": "community.participate",
        "vote": "community.participate",
        "follow": "community.participate",
        "hide": "community.moderate",
        "unhide": "community.moderate",
        "lock": "community.moderate",
        "unlock": "community.moderate",
    }

    def scoped_queryset(self):
        params = self.request.query_params
        qs = selectors.search_questions(
            self.member,
            term=params.get("search", "")[:100],
            tag=params.get("tag", "")[:40],
            unanswered=params.get("unanswered") in ("1", "true"),
        )
        return qs.order_by("-id")

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="In the title or the question."),
            OpenApiParameter("tag", str, description="A product tag."),
            OpenApiParameter("unanswered", bool, description="Only questions with no answer."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        q = self.get_object()
        return self._out(q)

    def _out(self, q, code=status.HTTP_200_OK):
        q = selectors.questions_visible_to(self.member).get(pk=q.pk)
        answers = list(
            selectors.answers_visible_to(self.member, q)
            .select_related("question")
            .order_by("-score", "created_at", "id")
        )
        ctx = {**self.get_serializer_context(), "answers": {q.pk: answers}}
        return Response(QuestionSerializer(q, context=ctx).data, status=code)

    @extend_schema(request=QuestionInput, responses={201: QuestionSerializer},
                   summary="Ask a question")  # fmt: skip
    def create(self, request):
        ser = QuestionInput(data=request.data)
        ser.is_valid(raise_exception=True)
        q = qa.question_ask(by=self.member, **ser.validated_data)
        return self._out(q, status.HTTP_201_CREATED)

    @extend_schema(request=QuestionInput, responses=QuestionSerializer,
                   summary="Edit a question (moderators; audited before and after)")  # fmt: skip
    def partial_update(self, request, pk=None):
        q = self.get_object()
        require_action(QUESTION, q, self.member, "edit")
        ser = QuestionInput(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = {"title": q.title, "body": q.body, "tags": q.tags, **ser.validated_data}
        return self._out(qa.question_edit(question=q, by=self.member, **data))

    @extend_schema(request=AnswerInput, responses={201: AnswerSerializer}, summary="Answer")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        q = self.get_object()
        require_action(QUESTION, q, self.member, "answer")
        ser = AnswerInput(data=request.data)
        ser.is_valid(raise_exception=True)
        a = qa.answer_post(question=q, by=self.member, **ser.validated_data)
        a = Answer.objects.select_related("question", "author__user", "author__partner").get(
            pk=a.pk
        )
        return Response(AnswerSerializer(a).data, status=status.HTTP_201_CREATED)

    def _answer(self, q, answer_id):
        a = selectors.answers_visible_to(self.member, q).filter(pk=answer_id).first()
        if a is None:
            raise exceptions.ValidationError({"answer": ["Choose an answer to this question."]})
        return a

    @extend_schema(request=AcceptInput, responses=QuestionSerializer,
                   summary="Accept an answer (again: take the acceptance back)")  # fmt: skip
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        q = self.get_object()
        require_action(QUESTION, q, self.member, "accept")
        ser = AcceptInput(data=request.data)
        ser.is_valid(raise_exception=True)
        a = self._answer(q, ser.validated_data["answer"])
        return self._out(qa.answer_accept(question=q, answer=a, by=self.member))

    @extend_schema(request=VoteInput, responses=VoteResult,
                   summary="Vote the question or one of its answers up or down")  # fmt: skip
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        q = self.get_object()
        require_action(QUESTION, q, self.member, "vote")
        ser = VoteInput(data=request.data)
        ser.is_valid(raise_exception=True)
        answer_id = ser.validated_data["answer"]
        a = self._answer(q, answer_id) if answer_id else None
        score = qa.vote_cast(
            question=q, answer=a, by=self.member, value=int(ser.validated_data["value"])
        )
        return Response({"score": score})

    @extend_schema(request=FollowInput, responses=QuestionSerializer, summary="Follow or not")
    @action(detail=True, methods=["post"])
    def follow(self, request, pk=None):
        q = self.get_object()
        require_action(QUESTION, q, self.member, "follow")
        ser = FollowInput(data=request.data)
        ser.is_valid(raise_exception=True)
        qa.question_follow(question=q, by=self.member, follow=ser.validated_data["follow"])
        return self._out(q)

    def _moderate(self, name, service):
        q = self.get_object()
        require_action(QUESTION, q, self.member, name)
        return self._out(service(question=q, by=self.member))

    @extend_schema(request=None, responses=QuestionSerializer, summary="Hide from partners")
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        return self._moderate("hide", qa.question_hide)

    @extend_schema(request=None, responses=QuestionSerializer, summary="Show again")
    @action(detail=True, methods=["post"])
    def unhide(self, request, pk=None):
        return self._moderate("unhide", qa.question_unhide)

    @extend_schema(request=None, responses=QuestionSerializer, summary="Lock (no new answers)")
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        return self._moderate("lock", qa.question_lock)

    @extend_schema(request=None, responses=QuestionSerializer, summary="Unlock")
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        return self._moderate("unlock", qa.question_unlock)


@extend_schema(tags=[TAG])
class AnswerViewSet(TenantViewSet):
    """Moderating an answer: staff edit its text or hide it from partners (audited)."""

    model = Answer
    serializer_class = AnswerSerializer
    lookup_value_regex = r"\d+"
    required_perms = {"partial_update": "community.moderate"}

    def scoped_queryset(self):
        visible = selectors.questions_visible_to(self.member)
        qs = Answer.objects.filter(question__in=visible).select_related(
            "question", "author__user", "author__partner"
        )
        return qs if selectors.is_staff(self.member) else qs.filter(hidden=False)

    @extend_schema(request=AnswerModerationInput, responses=AnswerSerializer,
                   summary="Edit or hide an answer (moderators)")  # fmt: skip
    def partial_update(self, request, pk=None):
        a = self.get_object()
        require_action(QUESTION, a.question, self.member, "edit")
        ser = AnswerModerationInput(data=request.data)
        ser.is_valid(raise_exception=True)
        if not ser.validated_data:
            raise exceptions.ValidationError({"body": ["Send the new text or hidden."]})
        a = qa.answer_moderate(answer=a, by=self.member, **ser.validated_data)
        return Response(AnswerSerializer(self.scoped_queryset().get(pk=a.pk)).data)


# --- Events ----------------------------------------------------------------------------


class RegistrationPages(Cursor):
    """An event's registrations in the order people registered."""

    ordering = "id"


@extend_schema(tags=[TAG])
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Webinars and in-person events. Partner people see the published events meant for
    them and register; staff create them and record attendance."""

    model = Event
    serializer_class = EventSerializer
    lookup_value_regex = r"\d+"
    required_perms = {
        "list": "community.view",
        "retrieve": "community.view",
        "create": "community.events_manage",
        "partial_update": "community.events_manage",
        "publish": "community.events_manage",
        "cancel": "community.events_manage",
        "register": "community.register",
        "unregister": "community.register",
        "registrations": "community.events_manage",
        "attendance": "community.events_manage",
    }

    def scoped_queryset(self):
        return selectors.events_visible_to(self.member).order_by("-starts_at", "-id")

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or not hasattr(self.request, "_request"):
            return ctx
        regs = Registration.objects.filter(member=self.member).values_list("event_id", "status")
        taken = dict(
            Event.objects.annotate(
                n=Count("registrations", filter=Q(registrations__status="registered"))
            ).values_list("pk", "n")
        )
        return {**ctx, "mine": dict(regs), "taken": taken,
                "staff": selectors.is_staff(self.member)}  # fmt: skip

    def _out(self, e, code=status.HTTP_200_OK):
        e = self.scoped_queryset().get(pk=e.pk)
        return Response(self.get_serializer(e).data, status=code)

    @staticmethod
    def _input(data) -> dict:
        data = dict(data)
        data["timezone_name"] = data.pop("timezone", "UTC")
        return data

    @extend_schema(request=EventInput, responses={201: EventSerializer},
                   summary="Create an event (a draft)")  # fmt: skip
    def create(self, request):
        ser = EventInput(data=request.data)
        ser.is_valid(raise_exception=True)
        e = event_services.event_create(by=self.member, **self._input(ser.validated_data))
        return self._out(e, status.HTTP_201_CREATED)

    @extend_schema(request=EventInput, responses=EventSerializer, summary="Change an event")
    def partial_update(self, request, pk=None):
        e = self.get_object()
        require_action(EVENT, e, self.member, "edit")
        ser = EventInput(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        current = {
            f: getattr(e, f)
            for f in ("title", "description", "kind", "starts_at", "ends_at", "timezone",
                      "location", "join_url", "capacity", "partner_types", "tier_ids",
                      "languages")
        }  # fmt: skip
        data = {k: v for k, v in ser.validated_data.items() if k in request.data}
        e = event_services.event_update(event=e, by=self.member, **self._input({**current, **data}))
        return self._out(e)

    @extend_schema(request=None, responses=EventSerializer, summary="Publish (open registration)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        e = self.get_object()
        require_action(EVENT, e, self.member, "publish")
        return self._out(event_services.event_publish(event=e, by=self.member))

    @extend_schema(request=None, responses=EventSerializer, summary="Cancel the event")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        e = self.get_object()
        require_action(EVENT, e, self.member, "cancel")
        return self._out(event_services.event_cancel(event=e, by=self.member))

    @extend_schema(request=None, responses=EventSerializer,
                   summary="Register (a seat, or the waitlist when full)")  # fmt: skip
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        e = self.get_object()
        require_action(EVENT, e, self.member, "register")
        event_services.event_register(event=e, by=self.member)
        return self._out(e)

    @extend_schema(request=None, responses=EventSerializer, summary="Cancel my registration")
    @action(detail=True, methods=["post"])
    def unregister(self, request, pk=None):
        e = self.get_object()
        event_services.event_unregister(event=e, by=self.member)
        return self._out(e)

    @extend_schema(responses=RegistrationSerializer(many=True), summary="Registrations")
    @action(detail=True, methods=["get"], pagination_class=RegistrationPages)
    def registrations(self, request, pk=None):
        # A webinar may have thousands of registrations: paged like every other list.
        e = self.get_object()
        page = self.paginate_queryset(selectors.registrations(e))
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)

    @extend_schema(request=AttendanceInput, responses=RegistrationSerializer(many=True),
                   summary="Record attendance of registered people")  # fmt: skip
    @action(detail=True, methods=["post"], pagination_class=None)
    def attendance(self, request, pk=None):
        e = self.get_object()
        require_action(EVENT, e, self.member, "attendance")
        ser = AttendanceInput(data=request.data)
        ser.is_valid(raise_exception=True)
        event_services.attendance_set(event=e, by=self.member, **ser.validated_data)
        return Response(RegistrationSerializer(selectors.registrations(e), many=True).data)


router = SimpleRouter(trailing_slash=True)
router.register("announcements", AnnouncementViewSet, basename="api-announcement")
router.register("questions", QuestionViewSet, basename="api-question")
router.register("question-answers", AnswerViewSet, basename="api-question-answer")
router.register("community-events", EventViewSet, basename="api-community-event")

urlpatterns = [path("", include(router.urls))]
