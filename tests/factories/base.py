"""The factories every other one builds on: tenants, users, partners, members."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from partners.models import (
    Partner,
    PartnerStatus,
    PartnerType,
)
from prm.models import Member, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context

PASSWORD = "correct-horse-battery-9"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.Sequence(lambda n: f"vendor{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class.objects.create_user(*args, password=PASSWORD, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant_context(kwargs["tenant"]):
            return model_class.objects.create(*args, **kwargs)


class PartnerFactory(TenantOwnedFactory):
    class Meta:
        model = Partner

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_type = PartnerType.RESELLER
    status = PartnerStatus.ACTIVE


class MemberFactory(TenantOwnedFactory):
    class Meta:
        model = Member

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN
    partner = None


def same_tenant(sub_factory, **kwargs):
    """A related row of the tenant of the row being made."""
    return factory.SubFactory(sub_factory, tenant=factory.SelfAttribute("..tenant"), **kwargs)


class AuthenticatorFactory(factory.django.DjangoModelFactory):
    """allauth's MFA authenticator (TOTP unless `type` says otherwise)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(dict)
