"""People mapping: which member owns an account, territories and their reps, and a rep's own
accounts. Services (keyword-only, `<entity>_<verb>`) write and audit; selectors read.

Two sides, as for accounts: the vendor's territories (`partner` null) are managed by the
tenant's admins and staffed by vendor members (staff or sales reps); a partner's territories
are managed by that partner's admins and staffed by that partner's people. Nobody sees or
touches the other side's territories.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accountmap.models import Account, Level, Overlap, SharingRule, Side
from accountmap.models_people import Territory, TerritoryRep
from dealreg.models import Deal, DirectDeal
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.iso import parse_country
from prm.models import Member
from prm.roles import PARTNER_ROLES, VENDOR_ROLES, Role, has_perm

# --- Who is on which side -----------------------------------------------------------------


def _side_partner_id(member: Member) -> int | None:
    """The partner whose accounts and territories `member` works on (None: the vendor's)."""
    return member.partner_id if member.role in PARTNER_ROLES else None


def eligible_reps(*, partner_id: int | None) -> QuerySet[Member]:
    """The active members who may own an account or staff a territory of one side: vendor
    members (staff and sales reps) for the vendor's, the partner's own people for a
    partner's."""
    qs = Member.objects.select_related("user").filter(is_active=True).order_by("user__email")
    if partner_id is None:
        return qs.filter(role__in=list(VENDOR_ROLES), partner__isnull=True)
    return qs.filter(role__in=list(PARTNER_ROLES), partner_id=partner_id)


def owner_member_for(tenant, email: str, *, partner_id: int | None = None) -> Member | None:
    """The active member of `tenant` on one side whose sign-in e-mail is `email` (any case),
    or None. For account upserts: `Account.owner_member` from the CRM's or CSV's owner
    e-mail. `partner_id` None is the vendor's side. Precondition: inside
    tenant_context(tenant)."""
    email = (email or "").strip()
    if not email:
        return None
    return (
        eligible_reps(partner_id=partner_id)
        .filter(tenant_id=tenant.pk, user__email__iexact=email)
        .first()
    )


def may_manage_side(member: Member | None, partner_id: int | None) -> bool:
    """Territories and owners of one side are managed by the tenant's admins (the vendor's)
    or by that partner's admins (the partner's)."""
    if member is None or not has_perm(member.role, "territories.manage"):
        return False
    return _side_partner_id(member) == partner_id and (
        partner_id is None or member.role == Role.PARTNER_ADMIN
    )


def _require_side(by: Member | None, partner_id: int | None) -> None:
    if not may_manage_side(by, partner_id):
        raise PermissionDenied()


# --- Selectors ----------------------------------------------------------------------------


def territories_visible_to(member: Member) -> QuerySet[Territory]:
    """The territories of the member's side, when the member manages that side; none else
    (another side's territory answers 404)."""
    if not has_perm(member.role, "territories.manage"):
        return Territory.objects.none()
    partner_id = _side_partner_id(member)
    if not may_manage_side(member, partner_id):
        return Territory.objects.none()
    return (
        Territory.objects.filter(partner_id=partner_id)
        if partner_id
        else Territory.objects.filter(partner__isnull=True)
    ).order_by(Lower("name"), "pk")


def territory_accounts_q(territory: Territory) -> Q:
    """The accounts of `territory`'s side that fall in it: country in its countries or
    region in its regions (any case), and industry in its industries when it names any."""
    side = Q(partner_id=territory.partner_id) if territory.partner_id else Q(partner__isnull=True)
    place = Q(pk__in=[])
    if territory.countries:
        place |= Q(country__in=territory.countries)
    for region in territory.regions:
        place |= Q(region__iexact=region)
    q = side & place
    if territory.industries:
        trade = Q(pk__in=[])
        for industry in territory.industries:
            trade |= Q(industry__iexact=industry)
        q &= trade
    return q


def territory_accounts(territory: Territory) -> QuerySet[Account]:
    return Account.objects.filter(territory_accounts_q(territory), is_active=True)


def territories_of_account(account: Account) -> list[Territory]:
    """The territories of the account's side it falls in."""
    qs = (
        Territory.objects.filter(partner_id=account.partner_id)
        if account.partner_id
        else Territory.objects.filter(partner__isnull=True)
    )
    return [t for t in qs.order_by("name") if _falls_in(account, t)]


def _falls_in(account: Account, territory: Territory) -> bool:
    region = (account.region or "").strip().lower()
    industry = (account.industry or "").strip().lower()
    place = account.country in territory.countries or region in {
        r.lower() for r in territory.regions
    }
    trade = not territory.industries or industry in {i.lower() for i in territory.industries}
    return bool(place and trade)


def account_reps(account: Account) -> list[Member]:
    """Who sells this account on its side: its owner when it has an active one, else the
    reps of the territories it falls in."""
    owner = account.owner_member
    if owner is not None and owner.is_active:
        return [owner]
    ids = TerritoryRep.objects.filter(
        territory__in=territories_of_account(account), member__is_active=True
    ).values_list("member_id", flat=True)
    return list(Member.objects.select_related("user").filter(pk__in=ids).order_by("pk"))


def territories_of_member(member: Member) -> QuerySet[Territory]:
    """The territories of the member's own side they are assigned to."""
    partner_id = _side_partner_id(member)
    qs = Territory.objects.filter(reps__member=member)
    qs = qs.filter(partner_id=partner_id) if partner_id else qs.filter(partner__isnull=True)
    return qs.order_by(Lower("name"), "pk")


def my_accounts(member: Member) -> QuerySet[Account]:
    """The accounts `member` sells: those they own, and those in the territories they are
    assigned to (their own side's only)."""
    partner_id = _side_partner_id(member)
    mine = Q(owner_member=member)
    for territory in territories_of_member(member):
        mine |= territory_accounts_q(territory)
    side = Q(partner_id=partner_id) if partner_id else Q(partner__isnull=True)
    return (
        Account.objects.filter(side & mine, is_active=True)
        .select_related("owner_member__user")
        .order_by(Lower("name"), "pk")
    )


def deals_sold_by(member: Member) -> dict:
    """The prm.selling provider: the deals whose customer is one of a vendor member's accounts
    (accountmap.people.my_accounts): the deal registrations whose partner account overlaps
    one of them, and the vendor's direct deals on one of them (same domain or normalised
    name). Id querysets, for subqueries. Nothing for a partner's people."""
    if member.partner_id is not None or member.role not in VENDOR_ROLES:
        return {"deal": Deal.objects.none().values("pk"), "direct_deal": None}
    mine = my_accounts(member).order_by()
    regs = Overlap.objects.filter(
        vendor_account__in=mine.values("pk"), partner_account__deal__isnull=False
    ).values("partner_account__deal_id")
    direct = DirectDeal.objects.filter(
        Q(customer_domain__in=mine.exclude(domain="").values("domain"))
        | Q(customer_name_normalised__in=mine.exclude(name_normalised="").values("name_normalised"))
    )
    return {
        "deal": Deal.objects.filter(pk__in=regs).values("pk"),
        "direct_deal": direct.values("pk"),
    }


def side_accounts_for_owners(member: Member) -> QuerySet[Account]:
    """The accounts of the side `member` manages (for reassigning owners)."""
    partner_id = _side_partner_id(member)
    if not may_manage_side(member, partner_id):
        return Account.objects.none()
    side = Q(partner_id=partner_id) if partner_id else Q(partner__isnull=True)
    return (
        Account.objects.filter(side, is_active=True)
        .select_related("owner_member__user")
        .order_by(Lower("name"), "pk")
    )


# --- What one side shares with the other (until accountmap.visibility replaces it) ---------

SHARED_LEVELS = frozenset({Level.OVERLAPS, Level.ALL})


def _rule_for(*, side: str, partner_id: int, status: str) -> SharingRule | None:
    """The sharing rule of one side for one standard population: the override for the
    partner, else the default (partner null), else None (the default level, counts)."""
    rules = {
        r.partner_id: r
        for r in SharingRule.objects.filter(
            side=side, status=status, population__isnull=True
        ).filter(Q(partner_id=partner_id) | Q(partner__isnull=True))
    }
    return rules.get(partner_id) or rules.get(None)


def overlap_level(overlap: Overlap, direction: str) -> tuple[str, list[str]]:
    """(level, fields) at which one side shares its account of `overlap` with the other.
    `direction` "to_vendor": what the partner shows the vendor; "to_partner": what the
    vendor shows the partner. Standard populations only (the account's status)."""
    if direction == "to_vendor":
        rule = _rule_for(
            side=Side.PARTNER, partner_id=overlap.partner_id, status=overlap.partner_account.status
        )
    elif direction == "to_partner":
        rule = _rule_for(
            side=Side.VENDOR, partner_id=overlap.partner_id, status=overlap.vendor_account.status
        )
    else:
        raise ValueError(direction)
    if rule is None:
        return Level.COUNTS, []
    return rule.level, list(rule.fields)


def _overlap_shared(overlap: Overlap, direction: str) -> bool:
    """True when the other side may see this overlap's record (level overlaps or all)."""
    return overlap_level(overlap, direction)[0] in SHARED_LEVELS


# --- Services -----------------------------------------------------------------------------


def _clean_list(values, *, field: str, limit: int) -> list[str]:
    """Distinct, trimmed, non-empty entries (any case kept once) of a list or a
    comma-separated string."""
    if isinstance(values, str):
        values = values.split(",")
    out: list[str] = []
    for value in values or []:
        text = limited(str(value).strip(), limit, field)
        if text and text.lower() not in {v.lower() for v in out}:
            out.append(text)
    return out


def _clean_countries(values) -> list[str]:
    out: list[str] = []
    for value in _clean_list(values, field="countries", limit=100):
        try:
            code = parse_country(value)
        except ValidationError as e:
            raise DomainError(e.messages[0], field="countries") from e
        if code and code not in out:
            out.append(code)
    return out


def _territory_fields(data: dict) -> dict:
    name = limited(str(data.get("name") or "").strip(), 80, "name")
    if not name:
        raise DomainError(_("Give the territory a name."), field="name")
    fields = {
        "name": name,
        "countries": _clean_countries(data.get("countries")),
        "regions": _clean_list(data.get("regions"), field="regions", limit=100),
        "industries": _clean_list(data.get("industries"), field="industries", limit=100),
    }
    if not fields["countries"] and not fields["regions"]:
        raise DomainError(
            _("Name at least one country or region: accounts fall in a territory by them."),
            field="countries",
        )
    return fields


def _snapshot(t: Territory) -> dict:
    return {
        "name": t.name,
        "countries": list(t.countries),
        "regions": list(t.regions),
        "industries": list(t.industries),
    }


@transaction.atomic
def territory_create(*, by: Member, data: dict) -> Territory:
    """A new territory of `by`'s side (the vendor's for an admin, their company's for a
    partner admin)."""
    partner_id = _side_partner_id(by)
    _require_side(by, partner_id)
    fields = _territory_fields(data)
    try:
        with transaction.atomic():
            territory = Territory.objects.create(
                tenant_id=by.tenant_id, partner_id=partner_id, **fields
            )
    except IntegrityError as e:
        raise DomainError(_("A territory with this name exists."), field="name") from e
    log_action("territory.created", obj=territory, after=_snapshot(territory))
    return territory


@transaction.atomic
def territory_update(*, by: Member, territory: Territory, data: dict) -> Territory:
    _require_side(by, territory.partner_id)
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    before = _snapshot(territory)
    fields = _territory_fields(data)
    for name, value in fields.items():
        setattr(territory, name, value)
    territory.updated_at = timezone.now()
    try:
        with transaction.atomic():
            territory.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as e:
        raise DomainError(_("A territory with this name exists."), field="name") from e
    log_action("territory.updated", obj=territory, before=before, after=_snapshot(territory))
    return territory


@transaction.atomic
def territory_delete(*, by: Member, territory: Territory) -> None:
    _require_side(by, territory.partner_id)
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    reps = list(territory.reps.values_list("member_id", flat=True))
    log_action("territory.deleted", obj=territory, before={**_snapshot(territory), "reps": reps})
    territory.delete()


def _rep_for_side(member_id, partner_id: int | None) -> Member:
    member = eligible_reps(partner_id=partner_id).filter(pk=member_id).first()
    if member is None:
        raise DomainError(
            _("Choose an active member of this side (the vendor's people or the partner's)."),
            field="member",
        )
    return member


@transaction.atomic
def territory_rep_add(*, by: Member, territory: Territory, member_id) -> TerritoryRep:
    _require_side(by, territory.partner_id)
    member = _rep_for_side(member_id, territory.partner_id)
    rep, created = TerritoryRep.objects.get_or_create(
        tenant_id=territory.tenant_id, territory=territory, member=member
    )
    if created:
        log_action(
            "territory.rep_added",
            obj=territory,
            after={"member": member.pk, "email": member.user.email},
        )
    return rep


@transaction.atomic
def territory_rep_remove(*, by: Member, territory: Territory, member_id) -> bool:
    _require_side(by, territory.partner_id)
    rep = TerritoryRep.objects.filter(territory=territory, member_id=member_id).first()
    if rep is None:
        raise DomainError(_("This member is not assigned to the territory."), field="member")
    email = rep.member.user.email
    rep.delete()
    log_action(
        "territory.rep_removed", obj=territory, before={"member": int(member_id), "email": email}
    )
    return True


@transaction.atomic
def account_owner_assign(*, by: Member | None, account: Account, member_id) -> Account:
    """Make `member_id` (None or "" for nobody) the owner of `account`: a member of the
    account's side. The owner's name and e-mail follow, so lists and notices agree (the next
    CRM or CSV upsert sets them again from its data). `by` None: the system (an upsert)."""
    if by is not None:
        _require_side(by, account.partner_id)
    account = Account.objects.select_for_update().get(pk=account.pk)
    member = None if member_id in (None, "") else _rep_for_side(member_id, account.partner_id)
    before = {"owner_member": account.owner_member_id, "owner_email": account.owner_email}
    if account.owner_member_id == (member.pk if member else None):
        return account
    account.owner_member = member
    account.owner_name = member.user.display_name[:200] if member else ""
    account.owner_email = member.user.email if member else ""
    account.updated_at = timezone.now()
    account.save(update_fields=["owner_member", "owner_name", "owner_email", "updated_at"])
    log_action(
        "account.owner_assigned",
        obj=account,
        before=before,
        after={"owner_member": account.owner_member_id, "owner_email": account.owner_email},
    )
    return account
