"""Joint business plans under /api/v1/plans/: the plans a member sees, with each goal's live
progress; drafting and changing them, their goals and initiatives; and the moves of
jointplans.states.PLAN (propose, withdraw, sign, activate, close). The same capabilities and
the same services as the portal."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from jointplans import metrics, selectors, services
from jointplans.models import Initiative, JointPlan, PlanGoal
from jointplans.serializers import (
    GoalInputSerializer,
    GoalSerializer,
    InitiativeInputSerializer,
    InitiativeSerializer,
    MetricSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
)
from jointplans.states import PLAN
from prm.api.base import TenantAPIView, TenantViewSet
from prm.portal import require_action


def _plans(member):
    return selectors.plans_visible_to(member).prefetch_related(
        Prefetch("goals", queryset=PlanGoal.objects.select_related("plan").order_by("id")),
        Prefetch("initiatives", queryset=Initiative.objects.order_by("due_date", "id")),
    )


@extend_schema(tags=["joint business plans"])
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Joint business plans. Staff see every plan and draft new ones; partner people see
    their company's once proposed. `allowed_actions` says what the member may do now."""

    model = JointPlan
    serializer_class = PlanSerializer
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "start_date", "review_date"]
    required_perms = {
        "list": "jointplans.view",
        "retrieve": "jointplans.view",
        "create": "jointplans.manage",
        "partial_update": "jointplans.view",
        "propose": "jointplans.manage",
        "withdraw": "jointplans.manage",
        "sign": "jointplans.view",
        "activate": "jointplans.manage",
        "close": "jointplans.manage",
        "add_goal": "jointplans.view",
        "add_initiative": "jointplans.view",
    }

    def scoped_queryset(self):
        return _plans(self.member).order_by("-start_date", "-id")

    def list(self, request, *args, **kwargs):
        """A page of plans with every goal's live progress, the figures of the whole page read
        at once (the same number of queries for one plan or a full page)."""
        plans = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["progress"] = {
            row.goal.pk: row for rows in selectors.progress_many(plans).values() for row in rows
        }
        data = self.get_serializer_class()(plans, many=True, context=context).data
        return self.get_paginated_response(data)

    def _out(self, plan, code=status.HTTP_200_OK):
        plan = _plans(self.member).get(pk=plan.pk)
        return Response(self.get_serializer(plan).data, status=code)

    @extend_schema(
        request=PlanCreateSerializer, responses={201: PlanSerializer}, summary="Draft a plan"
    )
    def create(self, request):
        ser = PlanCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        partner = data.pop("partner")
        plan = services.plan_create(partner=partner, by=self.member, **data)
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=PlanUpdateSerializer,
        responses=PlanSerializer,
        summary="Change the plan (clears signatures given so far)",
    )
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        require_action(PLAN, plan, self.member, "edit")
        current = {
            "title": plan.title,
            "period_kind": plan.period_kind,
            "start_date": plan.start_date,
            "review_date": plan.review_date,
            "summary": plan.summary,
        }
        data = self.patched(PlanUpdateSerializer, current)
        plan = services.plan_update(plan=plan, by=self.member, **data)
        return self._out(plan)

    def _move(self, name: str, service):
        plan = self.get_object()
        require_action(PLAN, plan, self.member, name)
        return self._out(service(plan=plan, by=self.member))

    @extend_schema(request=None, responses=PlanSerializer, summary="Propose a draft plan")
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._move("propose", services.plan_propose)

    @extend_schema(request=None, responses=PlanSerializer, summary="Take a proposal back to draft")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move("withdraw", services.plan_withdraw)

    @extend_schema(
        request=None,
        responses=PlanSerializer,
        summary="Sign for your side (staff: the vendor; the partner's admin: the partner)",
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        side = "sign_partner" if self.member.partner_id else "sign_vendor"
        return self._move(side, services.plan_sign)

    @extend_schema(request=None, responses=PlanSerializer, summary="Start a signed plan")
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._move("activate", services.plan_activate)

    @extend_schema(
        request=None, responses=PlanSerializer, summary="Close a running plan (final figures)"
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close", services.plan_close)

    @extend_schema(
        request=GoalInputSerializer, responses={201: GoalSerializer}, summary="Add a goal"
    )
    @action(detail=True, methods=["post"], url_path="goals", url_name="goals")
    def add_goal(self, request, pk=None):
        plan = self.get_object()
        require_action(PLAN, plan, self.member, "edit")
        ser = GoalInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        goal = services.goal_add(plan=plan, by=self.member, **ser.validated_data)
        goal = PlanGoal.objects.select_related("plan").get(pk=goal.pk)
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InitiativeInputSerializer,
        responses={201: InitiativeSerializer},
        summary="Add an initiative",
    )
    @action(detail=True, methods=["post"], url_path="initiatives", url_name="initiatives")
    def add_initiative(self, request, pk=None):
        plan = self.get_object()
        require_action(PLAN, plan, self.member, "edit")
        ser = InitiativeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        item = services.initiative_add(plan=plan, by=self.member, **ser.validated_data)
        return Response(InitiativeSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["joint business plans"])
class GoalViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """A plan's goal: read, change or remove it (a change clears the plan's signatures)."""

    model = PlanGoal
    serializer_class = GoalSerializer
    lookup_value_regex = r"\d+"
    required_perm = "jointplans.view"

    def scoped_queryset(self):
        plans = selectors.plans_visible_to(self.member)
        return PlanGoal.objects.filter(plan__in=plans).select_related("plan")

    @extend_schema(request=GoalInputSerializer, responses=GoalSerializer, summary="Change a goal")
    def partial_update(self, request, pk=None):
        goal = self.get_object()
        require_action(PLAN, goal.plan, self.member, "edit")
        current = {
            "metric": goal.metric,
            "target": goal.target,
            "currency": goal.currency,
            "note": goal.note,
        }
        data = self.patched(GoalInputSerializer, current)
        goal = services.goal_update(goal=goal, by=self.member, **data)
        goal = PlanGoal.objects.select_related("plan").get(pk=goal.pk)
        return Response(GoalSerializer(goal).data)

    @extend_schema(summary="Remove a goal")
    def destroy(self, request, pk=None):
        goal = self.get_object()
        require_action(PLAN, goal.plan, self.member, "edit")
        services.goal_remove(goal=goal, by=self.member)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["joint business plans"])
class InitiativeViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """A plan's initiative. In a signed or running plan only its status may change (progress,
    signatures kept); before that any change clears the signatures."""

    model = Initiative
    serializer_class = InitiativeSerializer
    lookup_value_regex = r"\d+"
    required_perm = "jointplans.view"

    def scoped_queryset(self):
        plans = selectors.plans_visible_to(self.member)
        return Initiative.objects.filter(plan__in=plans).select_related("plan")

    @extend_schema(
        request=InitiativeInputSerializer,
        responses=InitiativeSerializer,
        summary="Change an initiative or move its status",
    )
    def partial_update(self, request, pk=None):
        item = self.get_object()
        plan = item.plan
        if not (PLAN["edit"].may(plan, self.member) or PLAN["progress"].may(plan, self.member)):
            raise exceptions.PermissionDenied()
        current = {
            "title": item.title,
            "description": item.description,
            "owner": item.owner,
            "due_date": item.due_date,
            "status": item.status,
        }
        data = self.patched(InitiativeInputSerializer, current)
        item = services.initiative_update(initiative=item, by=self.member, **data)
        return Response(InitiativeSerializer(item).data)

    @extend_schema(summary="Remove an initiative")
    def destroy(self, request, pk=None):
        item = self.get_object()
        require_action(PLAN, item.plan, self.member, "edit")
        services.initiative_remove(initiative=item, by=self.member)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["joint business plans"])
class MetricListView(TenantAPIView):
    """The figures a goal can aim at (the `metric` of a goal)."""

    required_perm = "jointplans.view"

    @extend_schema(responses=MetricSerializer(many=True), summary="Figures for plan goals")
    def get(self, request):
        rows = [
            {
                "key": m.key,
                "label": str(m.label),
                "kind": m.kind,
                "level": m.level,
                "help": str(m.help),
            }
            for m in metrics.METRICS.values()
        ]
        return Response(MetricSerializer(rows, many=True).data)


router = SimpleRouter(trailing_slash=True)
router.register("plans", PlanViewSet, basename="api-jointplan")
router.register("plan-goals", GoalViewSet, basename="api-jointplan-goal")
router.register("plan-initiatives", InitiativeViewSet, basename="api-jointplan-initiative")

urlpatterns = [
    path("plan-metrics/", MetricListView.as_view(), name="api-jointplan-metrics"),
    path("", include(router.urls)),
]
