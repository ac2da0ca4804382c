"""Shared opportunities in the API (/api/v1/shared-opportunities/): the portal's workspaces,
their partners and people, comments, tasks, files (metadata; uploaded as multipart, checked
from their bytes like the portal's) and timeline. The same
selectors, machines (cosell.states) and services as the portal: a workspace the member is not
on is a 404, an action they may not take a 403, bad input a 400 with field errors."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cosell import selectors, services
from cosell.activity import sentence
from cosell.models import (
    Activity,
    Comment,
    OpportunityStatus,
    Participant,
    PartyRole,
    SharedFile,
    SharedOpportunity,
    Task,
    TeamMember,
)
from cosell.states import COMMENT, OPPORTUNITY, TASK
from dealreg.selectors import deals_visible_to, direct_deals_visible_to
from prm.api.base import TenantViewSet
from prm.api.fields import AllowedActionsMixin, NamedEnumField
from prm.portal import require_action


class CosellEnumField(NamedEnumField):
    prefix = "Cosell"


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="user.email", read_only=True)
    partner_id = serializers.IntegerField(read_only=True, allow_null=True)

    def get_name(self, member) -> str:
        return (member.user.full_name or "").strip() or member.user.email


class OpportunitySerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = OPPORTUNITY
    status = CosellEnumField(OpportunityStatus, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=_(
            "Actions the requesting member may take now (comment, add_task, upload, "
            "add_partner, remove_partner, add_person, remove_person, close, reopen)."
        )
    )

    class Meta:
        model = SharedOpportunity
        fields = [
            "id",
            "title",
            "status",
            "deal",
            "direct_deal",
            "partner",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields


class OpenSerializer(serializers.Serializer):
    deal = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    direct_deal = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def validate(self, attrs):
        if bool(attrs.get("deal")) == bool(attrs.get("direct_deal")):
            raise serializers.ValidationError(
                {"deal": [_("Give either a deal registration or a direct deal.")]}
            )
        return attrs


class ParticipantSerializer(serializers.ModelSerializer):
    role = CosellEnumField(PartyRole, read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "partner", "partner_name", "role", "is_owner", "added_at"]
        read_only_fields = fields


class ParticipantCreateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1)
    role = CosellEnumField(PartyRole)


class TeamMemberSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="member", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "person", "added_at"]
        read_only_fields = fields


class TeamMemberCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)


class CommentSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = COMMENT
    author = PersonSerializer(read_only=True, allow_null=True)
    mentions = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Actions the requesting member may take now (edit, delete).")
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "author",
            "body",
            "mentions",
            "created_at",
            "edited_at",
            "deleted",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_mentions(self, comment) -> list[int]:
        return [m.member_id for m in comment.mentions.all()]

    def get_deleted(self, comment) -> bool:
        return comment.deleted_at is not None


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_COMMENT)
    mentions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=100,
        help_text=_("Ids of people on the workspace to mention (@e-mail in the text works too)."),
    )


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_COMMENT)


class TaskSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = TASK
    owner = PersonSerializer(read_only=True, allow_null=True)
    done = serializers.BooleanField(source="is_done", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Actions the requesting member may take now (done, undone).")
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "owner",
            "due_on",
            "done",
            "done_at",
            "overdue",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    due_on = serializers.DateField(required=False, allow_null=True)


class TaskUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    due_on = serializers.DateField(required=False, allow_null=True)
    done = serializers.BooleanField(required=False)


class FileSerializer(serializers.ModelSerializer):
    uploaded_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SharedFile
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF, PNG or JPEG, at most 10 MB; its type is read from its bytes."
    )


class ActivitySerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "at", "actor", "actor_label", "kind", "params", "text"]
        read_only_fields = fields

    def get_text(self, row) -> str:
        return sentence(row.kind, row.params)


def _sub(path: str) -> str:
    return rf"{path}/(?P<sub_id>[0-9]+)"


class SharedOpportunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Workspaces the member is on (vendor people with `cosell.view_all`: every one)."""

    model = SharedOpportunity
    serializer_class = OpportunitySerializer
    lookup_value_regex = "[0-9]+"
    required_perm = "cosell.use"
    ordering_fields = ["id", "updated_at", "created_at"]
    ordering = ["-id"]

    def scoped_queryset(self):
        return selectors.opportunities_visible_to(self.member)

    def _ctx(self):
        return self.get_serializer_context()

    def _opp(self, name: str | None = None) -> SharedOpportunity:
        opp = self.get_object()
        if name:
            require_action(OPPORTUNITY, opp, self.member, name)
        return opp

    def _page(self, qs, serializer_class) -> Response:
        """One page of a workspace's list (newest first, cursor pagination)."""
        rows = self.paginate_queryset(qs)
        return self.get_paginated_response(
            serializer_class(rows, many=True, context=self._ctx()).data
        )

    def _out(self, opp, code=status.HTTP_200_OK) -> Response:
        opp = self.scoped_queryset().get(pk=opp.pk)
        return Response(OpportunitySerializer(opp, context=self._ctx()).data, status=code)

    @extend_schema(
        request=OpenSerializer,
        responses={201: OpportunitySerializer, 200: OpportunitySerializer},
        summary="Open the shared opportunity of a deal registration or a direct deal",
        description="Opening one that exists returns it (200).",
    )
    def create(self, request):
        ser = OpenSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if data.get("deal"):
            deal = deals_visible_to(self.member).filter(pk=data["deal"]).first()
            if deal is None:
                raise serializers.ValidationError({"deal": [_("No such deal registration.")]})
            opp, created = services.opportunity_open(by=self.member, deal=deal)
        else:
            direct = direct_deals_visible_to(self.member).filter(pk=data["direct_deal"]).first()
            if direct is None:
                raise serializers.ValidationError({"direct_deal": [_("No such direct deal.")]})
            opp, created = services.opportunity_open(by=self.member, direct_deal=direct)
        return self._out(opp, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses=OpportunitySerializer, summary="Close the workspace")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        opp = self._opp("close")
        return self._out(services.opportunity_close(opportunity=opp, by=self.member))

    @extend_schema(request=None, responses=OpportunitySerializer, summary="Reopen the workspace")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        opp = self._opp("reopen")
        return self._out(services.opportunity_reopen(opportunity=opp, by=self.member))

    # --- partners ---

    @extend_schema(
        methods=["get"],
        responses=ParticipantSerializer(many=True),
        summary="The partners on the workspace, with their roles",
    )
    @extend_schema(
        methods=["post"],
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer},
        summary="Invite a partner",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def partners(self, request, pk=None):
        if request.method == "GET":
            return self._page(selectors.participants_of(self._opp()), ParticipantSerializer)
        opp = self._opp("add_partner")
        ser = ParticipantCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        part = services.participant_add(
            opportunity=opp,
            by=self.member,
            partner_id=ser.validated_data["partner"],
            role=ser.validated_data["role"],
        )
        return Response(ParticipantSerializer(part).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a partner")
    @action(detail=True, methods=["delete"], url_path=_sub("partners"))
    def partner_remove(self, request, pk=None, sub_id=None):
        opp = self._opp("remove_partner")
        part = get_object_or_404(opp.participants.select_related("partner"), pk=sub_id)
        services.participant_remove(opportunity=opp, by=self.member, participant=part)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- people ---

    @extend_schema(
        methods=["get"],
        responses=TeamMemberSerializer(many=True),
        summary="The people added to the workspace by name",
    )
    @extend_schema(
        methods=["post"],
        request=TeamMemberCreateSerializer,
        responses={201: TeamMemberSerializer},
        summary="Add a person of the vendor",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def people(self, request, pk=None):
        if request.method == "GET":
            return self._page(selectors.team_of(self._opp()), TeamMemberSerializer)
        opp = self._opp("add_person")
        ser = TeamMemberCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.team_member_add(
            opportunity=opp, by=self.member, member_id=ser.validated_data["member"]
        )
        return Response(TeamMemberSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a person")
    @action(detail=True, methods=["delete"], url_path=_sub("people"))
    def person_remove(self, request, pk=None, sub_id=None):
        opp = self._opp("remove_person")
        row = get_object_or_404(opp.team.select_related("member__user"), pk=sub_id)
        services.team_member_remove(opportunity=opp, by=self.member, team_member=row)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- comments ---

    @extend_schema(
        methods=["get"],
        responses=CommentSerializer(many=True),
        summary="The comment thread, newest first",
    )
    @extend_schema(
        methods=["post"],
        request=CommentWriteSerializer,
        responses={201: CommentSerializer},
        summary="Comment, mentioning people on the workspace",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        if request.method == "GET":
            return self._page(selectors.comments_of(self._opp()), CommentSerializer)
        opp = self._opp("comment")
        ser = CommentWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        comment = services.comment_add(
            opportunity=opp,
            by=self.member,
            body=ser.validated_data["body"],
            mention_ids=ser.validated_data["mentions"],
        )
        comment = selectors.comments_of(opp).get(pk=comment.pk)
        return Response(
            CommentSerializer(comment, context=self._ctx()).data, status=status.HTTP_201_CREATED
        )

    def _comment(self, sub_id, name: str) -> Comment:
        opp = self._opp()
        comment = get_object_or_404(selectors.comments_of(opp), pk=sub_id)
        require_action(COMMENT, comment, self.member, name)
        return comment

    @extend_schema(
        methods=["patch"],
        request=CommentEditSerializer,
        responses=CommentSerializer,
        summary="Edit your comment",
    )
    @extend_schema(
        methods=["delete"], request=None, responses={204: None}, summary="Delete your comment"
    )
    @action(detail=True, methods=["patch", "delete"], url_path=_sub("comments"))
    def comment_detail(self, request, pk=None, sub_id=None):
        if request.method == "DELETE":
            services.comment_delete(comment=self._comment(sub_id, "delete"), by=self.member)
            return Response(status=status.HTTP_204_NO_CONTENT)
        comment = self._comment(sub_id, "edit")
        ser = CommentEditSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.comment_edit(comment=comment, by=self.member, body=ser.validated_data["body"])
        comment = selectors.comments_of(comment.opportunity).get(pk=comment.pk)
        return Response(CommentSerializer(comment, context=self._ctx()).data)

    # --- tasks ---

    @extend_schema(
        methods=["get"], responses=TaskSerializer(many=True), summary="The workspace's tasks"
    )
    @extend_schema(
        methods=["post"],
        request=TaskCreateSerializer,
        responses={201: TaskSerializer},
        summary="Add a task, with an owner on the workspace and a due date",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def tasks(self, request, pk=None):
        if request.method == "GET":
            return self._page(selectors.tasks_of(self._opp()), TaskSerializer)
        opp = self._opp("add_task")
        ser = TaskCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        task = services.task_add(
            opportunity=opp,
            by=self.member,
            title=d["title"],
            owner_id=d.get("owner"),
            due_on=d.get("due_on"),
        )
        task = selectors.tasks_of(opp).get(pk=task.pk)
        return Response(
            TaskSerializer(task, context=self._ctx()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=TaskUpdateSerializer,
        responses=TaskSerializer,
        summary="Change a task, or mark it done or not done (`done`)",
    )
    @action(detail=True, methods=["patch"], url_path=_sub("tasks"))
    def task_detail(self, request, pk=None, sub_id=None):
        opp = self._opp()
        task = get_object_or_404(selectors.tasks_of(opp), pk=sub_id)
        ser = TaskUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        done = d.pop("done", None)
        if "owner" in d:
            d["owner_id"] = d.pop("owner")
        if d:
            require_action(OPPORTUNITY, opp, self.member, "add_task")
            services.task_update(task=task, by=self.member, **d)
        if done is not None and done != task.is_done:
            task = selectors.tasks_of(opp).get(pk=task.pk)
            name = "done" if done else "undone"
            require_action(TASK, task, self.member, name)
            services.task_set_done(task=task, by=self.member, done=done)
        task = selectors.tasks_of(opp).get(pk=task.pk)
        return Response(TaskSerializer(task, context=self._ctx()).data)

    # --- files and timeline ---

    @extend_schema(
        methods=["get"],
        responses=FileSerializer(many=True),
        summary="The workspace's files (metadata; download them in the portal)",
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: FileSerializer},
        summary="Add a file (PDF, PNG or JPEG, at most 10 MB, checked from its bytes)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def files(self, request, pk=None):
        if request.method == "GET":
            return self._page(selectors.files_of(self._opp()), FileSerializer)
        opp = self._opp("upload")
        ser = FileUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = services.file_add(opportunity=opp, by=self.member, upload=ser.validated_data["file"])
        row = selectors.files_of(opp).get(pk=row.pk)
        return Response(
            FileSerializer(row, context=self._ctx()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses=ActivitySerializer(many=True),
        summary="Everything that happened on the workspace, newest first",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, pk=None):
        return self._page(selectors.timeline_of(self._opp()), ActivitySerializer)


router = SimpleRouter(trailing_slash=True)
router.register("shared-opportunities", SharedOpportunityViewSet, basename="api-shared-opportunity")
urlpatterns = router.urls
