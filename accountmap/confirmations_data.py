"""What removing an account or deleting a population does, for people to confirm
(prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from prm.confirm import Confirmation, register


@register("account-delete")
def account_delete(account) -> Confirmation:
    return Confirmation(
        name="account-delete",
        url=reverse("account-delete", args=[account.pk]),
        title=_("Remove the account %(a)s?") % {"a": account.name},
        consequence=_(
            "The account and its overlaps with the other side are removed. Import it again "
            "or add it by hand to bring it back."
        ),
        button=_("Remove account"),
        confirm=_("Remove"),
        back_url=reverse("account-detail", args=[account.pk]),
    )


@register("population-delete")
def population_delete(population) -> Confirmation:
    return Confirmation(
        name="population-delete",
        url=reverse("population-delete", args=[population.pk]),
        title=_("Delete the population %(p)s?") % {"p": population.name},
        consequence=_(
            "The saved filter and the sharing settings made for it are deleted; the accounts stay."
        ),
        button=_("Delete population"),
        confirm=_("Delete"),
        back_url=reverse("population-list"),
        small=True,
    )
