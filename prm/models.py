"""Tenancy core: tenants, people, their memberships, API keys, audit trail, idempotency."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from prm.tenancy import TenantModel

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    _("Use 1-40 lowercase letters, digits or hyphens, not starting or ending with a hyphen."),
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f6feb."))
currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code."))
host_validator = RegexValidator(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("Enter a host name such as partners.example.com."),
)


class Tenant(models.Model):
    """A vendor running its partner program here. Not tenant-owned itself: it is the tenant."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="USD", validators=[currency_validator]
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f5fbf", validators=[colour_validator]
    )
    logo = models.FileField(_("logo"), upload_to="tenant-logos/", blank=True)
    require_mfa_for_staff = models.BooleanField(
        _("require two-factor authentication for staff"), default=False
    )
    require_mfa_for_partner_admins = models.BooleanField(
        _("require two-factor authentication for partner admins"), default=False
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return self.name


class HostStatus(models.TextChoices):
    """A custom domain serves its tenant only while VERIFIED (see prm.hosts)."""

    PENDING = "pending", _("waiting for verification")
    VERIFIED = "verified", _("verified")
    SUSPENDED = "suspended", _("suspended")


def new_host_token() -> str:
    return secrets.token_hex(16)


class TenantHost(models.Model):
    """A custom domain mapped to a tenant (in addition to <slug>.<base domain>).

    A claim is PENDING until the tenant proves control of the domain with a DNS TXT record
    (`record_name` = `record_value`); only a VERIFIED host serves the tenant, and only one
    tenant can hold a host verified. Several tenants may hold pending claims for the same
    host, so a squatter's claim never blocks the domain's owner. Re-checked periodically: a
    verified host whose record disappears is SUSPENDED. Host names are looked up before any
    tenant is known, so this table has no row-level security: filter by tenant explicitly."""

    CHALLENGE_LABEL = "_prm-challenge"
    VALUE_PREFIX = "prm-verify="

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253, validators=[host_validator])
    status = models.CharField(
        _("status"), max_length=10, choices=HostStatus.choices, default=HostStatus.PENDING
    )
    token = models.CharField(max_length=64, default=new_host_token, editable=False)
    is_canonical = models.BooleanField(_("canonical"), default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_result = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "host"], name="tenanthost_unique_claim"),
            models.UniqueConstraint(
                fields=["host"],
                condition=Q(status="verified"),
                name="tenanthost_unique_verified_host",
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(is_canonical=True),
                name="tenanthost_one_canonical",
            ),
        ]

    def __str__(self) -> str:
        return self.host

    @property
    def record_name(self) -> str:
        """The DNS name of the TXT record that proves control of the host."""
        return f"{self.CHALLENGE_LABEL}.{self.host}"

    @property
    def record_value(self) -> str:
        return f"{self.VALUE_PREFIX}{self.token}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One global identity per person; what they may do lives on their Member rows."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # operators (Django admin), not tenant staff
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Member(TenantModel):
    """A person's role in one tenant; partner roles are tied to one partner company."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="member_unique_user"),
            models.CheckConstraint(
                condition=(
                    Q(role__in=["partner_admin", "partner_user"], partner__isnull=False)
                    | Q(role__in=["admin", "channel_manager", "sales_rep"], partner__isnull=True)
                ),
                name="member_partner_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_partner_role(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_sales_rep(self) -> bool:
        return self.role == Role.SALES_REP


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(TenantModel):
    """An e-mailed, expiring, single-use invitation to become a member."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "email"], name="invitation_email_idx")]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="invitation_unique_token")
        ]

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_secret(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return _hash_secret(token)

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > dj_timezone.now()
        )


class ApiKey(TenantModel):
    """A bearer key acting as one member, limited to its scopes. Only a hash is stored."""

    SCOPES = ("read", "write")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key_hash"], name="apikey_unique_hash"),
            models.UniqueConstraint(fields=["tenant", "prefix"], name="apikey_unique_prefix"),
        ]

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """Returns (full key, prefix, hash). The full key is shown once and never stored."""
        prefix = secrets.token_hex(4)
        key = f"prm_{prefix}_{secrets.token_urlsafe(32)}"
        return key, prefix, _hash_secret(key)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_secret(key)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """Append-only record of a state change or security event.

    The app role has SELECT and INSERT only (see prm.rls). Events on the bare base domain
    (sign-ins before a tenant is known) have no tenant: the app may write them but never read
    them back; operators read them with a superuser.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time_idx"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class IdempotencyRecord(TenantModel):
    """The first response to a POST carrying an Idempotency-Key, replayed on repeats."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "key"], name="idempotency_unique_key"
            )
        ]


from prm.outbox_models import *  # noqa: E402, F403  (outbox, notifications)
