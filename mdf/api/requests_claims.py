"""MDF API: fund requests and claims, and their actions (mdf.states)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mdf import selectors, services
from mdf.api.funds import MdfViewSet
from mdf.api.serializers import (
    ApproveSerializer,
    CancelSerializer,
    ClaimApproveSerializer,
    ClaimCreateSerializer,
    ClaimFilter,
    ClaimSerializer,
    ClaimUpdateSerializer,
    DocumentUploadSerializer,
    PaySerializer,
    ReasonSerializer,
    RequestCreateSerializer,
    RequestFilter,
    RequestSerializer,
    RequestUpdateSerializer,
)
from mdf.models import (
    Claim,
    ClaimStatus,
    FundRequest,
)
from mdf.states import CLAIM_MACHINE, REQUEST_MACHINE
from prm.api.parsers import JSONParser
from prm.portal import require_action


@extend_schema(tags=["mdf"])
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MdfViewSet):
    """Fund requests. Partner people see and submit their company's; staff decide."""

    model = FundRequest
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    ordering_fields = ["id", "submitted_at"]
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.use",
        "partial_update": "mdf.use",
        "cancel": "mdf.view",
        "approve": "mdf.review",
        "reject": "mdf.review",
        "return_for_changes": "mdf.review",
    }

    def scoped_queryset(self):
        # has_live_claim_db spares allowed_actions a query per request (mdf.states).
        live = Claim.objects.filter(request=OuterRef("pk")).exclude(status=ClaimStatus.REJECTED)
        return selectors.requests_visible_to(self.member).annotate(has_live_claim_db=Exists(live))

    @extend_schema(
        request=RequestCreateSerializer,
        responses={201: RequestSerializer},
        summary="Request funds for an activity",
    )
    def create(self, request):
        ser = RequestCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        req = services.request_submit(program=data.pop("program"), by=self.member, **data)
        return Response(
            RequestSerializer(req, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=RequestUpdateSerializer,
        responses=RequestSerializer,
        summary="Change a submitted or returned request (a returned one is resubmitted)",
    )
    def partial_update(self, request, pk=None):
        req = self.get_object()
        ser = RequestUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        req = services.request_update(request=req, by=self.member, **ser.validated_data)
        return Response(RequestSerializer(req, context=self.get_serializer_context()).data)

    def _take(self, name: str, service, **kwargs):
        """An action of REQUEST_MACHINE: 404 for a request the member cannot see, 403 for
        one they see but may never take it on, 400 when its state forbids it now."""
        req = self.get_object()
        require_action(REQUEST_MACHINE, req, self.member, name)
        req = service(request=req, by=self.member, **kwargs)
        return Response(RequestSerializer(req, context=self.get_serializer_context()).data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ApproveSerializer,
        responses=RequestSerializer,
        summary="Approve in full or in part (commits the funds, issues the campaign code)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        ser = ApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("approve", services.request_approve, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=RequestSerializer,
        summary="Reject with a reason",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("reject", services.request_reject, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=RequestSerializer,
        summary="Return to the partner for changes",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("return", services.request_return, **ser.validated_data)

    @extend_schema(
        request=CancelSerializer,
        responses=RequestSerializer,
        summary="Cancel (releases committed funds)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        ser = CancelSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("cancel", services.request_cancel, **ser.validated_data)


@extend_schema(tags=["mdf"])
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MdfViewSet):
    """Claims with proof of performance. Create and add documents as multipart/form-data
    (JSON works for a claim without files)."""

    model = Claim
    serializer_class = ClaimSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = ClaimFilter
    ordering_fields = ["id", "submitted_at"]
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.use",
        "documents": "mdf.use",
        "resubmit": "mdf.use",
        "approve": "mdf.review",
        "reject": "mdf.review",
        "request_info": "mdf.review",
        "pay": "mdf.admin",
    }

    def scoped_queryset(self):
        return selectors.claims_visible_to(self.member).prefetch_related("documents")

    def _claim(self):
        return self.get_object()

    def _out(self, claim, code=status.HTTP_200_OK):
        claim = self.scoped_queryset().get(pk=claim.pk)
        return Response(
            ClaimSerializer(claim, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        request={
            "multipart/form-data": ClaimCreateSerializer,
            "application/json": ClaimCreateSerializer,
        },
        responses={201: ClaimSerializer},
        summary="Claim an approved request, with proof files",
    )
    def create(self, request):
        ser = ClaimCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        docs = list(zip(data.pop("document_kinds"), data.pop("documents"), strict=True))
        req = data.pop("request")
        if not selectors.requests_visible_to(self.member).filter(pk=req.pk).exists():
            raise serializers.ValidationError({"request": ["Invalid pk - object does not exist."]})
        claim = services.claim_submit(request=req, by=self.member, documents=docs, **data)
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: ClaimSerializer},
        summary="Add a proof document",
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        claim = self._claim()
        ser = DocumentUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.claim_add_documents(
            claim=claim,
            by=self.member,
            documents=[(ser.validated_data["kind"], ser.validated_data["file"])],
        )
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request=ClaimUpdateSerializer,
        responses=ClaimSerializer,
        summary="Answer a request for information (changes optional) and resubmit",
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        claim = self._claim()
        ser = ClaimUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        claim = services.claim_update(claim=claim, by=self.member, **ser.validated_data)
        return self._out(claim)

    def _take(self, name: str, service, claim=None, **kwargs):
        """An action of CLAIM_MACHINE: 404 for a claim the member cannot see, 403 for one
        they see but may never take it on, 400 when its state forbids it now."""
        claim = claim or self._claim()
        require_action(CLAIM_MACHINE, claim, self.member, name)
        return self._out(service(claim=claim, by=self.member, **kwargs))

    @extend_schema(
        tags=["mdf decisions"],
        request=ClaimApproveSerializer,
        responses=ClaimSerializer,
        summary="Approve in full or in part (amount in the claim currency); a second "
        "approval by an admin follows above the program threshold. A claim whose automatic "
        "check failed needs `override_reason`.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        ser = ClaimApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        claim = self._claim()
        if claim.status in CLAIM_MACHINE["second_approve"].sources:
            data = {
                k: v
                for k, v in ser.validated_data.items()
                if k not in ("amount", "override_reason")
            }
            return self._take("second_approve", services.claim_second_approve, claim, **data)
        return self._take("approve", services.claim_approve, claim, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=ClaimSerializer,
        summary="Reject with a reason",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("reject", services.claim_reject, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=ClaimSerializer,
        summary="Ask the partner for more information",
    )
    @action(detail=True, methods=["post"], url_path="request-info", url_name="request-info")
    def request_info(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("request_info", services.claim_request_info, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=PaySerializer,
        responses=ClaimSerializer,
        summary="Mark as paid (the remittance advice PDF follows)",
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        ser = PaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._take("pay", services.claim_pay, **ser.validated_data)
