from __future__ import annotations

from rest_framework import serializers

from prm import iso
from prm.api.fields import TenantPrimaryKeyField
from prm.models import ApiKey, AuditEvent, Invitation, Member, Tenant
from prm.roles import Role


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "slug",
            "default_currency",
            "timezone",
            "primary_colour",
            "require_mfa_for_staff",
            "require_mfa_for_partner_admins",
        ]
        read_only_fields = ["id", "slug"]

    def validate_default_currency(self, value: str) -> str:
        return iso.parse_currency(value)


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)

    class Meta:
        model = Member
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "partner",
            "partner_name",
            "title",
            "is_active",
            "created_at",
            "deactivated_at",
        ]
        read_only_fields = fields


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    member = MemberSerializer()
    tenant = TenantSerializer()


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "partner", "created_at", "expires_at"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    partner = TenantPrimaryKeyField(
        Member.partner.field.related_model, required=False, allow_null=True
    )


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "before",
            "after",
            "ip",
            "user_agent",
        ]
        read_only_fields = fields


class ApiKeySerializer(serializers.ModelSerializer):
    member_email = serializers.EmailField(source="member.user.email", read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "member",
            "member_email",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=[("read", "read"), ("write", "write")]),
        allow_empty=False,
    )


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields
