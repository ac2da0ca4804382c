"""What a deal registration needs, asked by both the portal form (so that every problem is
shown in one round, at its field) and the services (which enforce it for every caller).

Pure functions of the values: no queries, no writes."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from partners.domains import registrable_domain
from partners.freemail import is_freemail


def customer_domain(domain_input: str, contact_email: str) -> tuple[str, bool]:
    """The customer's registrable domain and whether it was taken from the contact's e-mail.

    The typed website (or an address there) wins; when it is empty, the domain of the
    contact's e-mail is used unless it is a free-mail provider's (gmail.com is nobody's
    company). A free-mail domain typed as the website is returned as is: the caller refuses
    it with `freemail_message`."""
    typed = registrable_domain(domain_input or "")
    if typed or (domain_input or "").strip():
        return typed, False
    from_contact = registrable_domain(contact_email or "") if "@" in (contact_email or "") else ""
    if from_contact and not is_freemail(from_contact):
        return from_contact, True
    return "", False


def submit_problems(
    *,
    customer_name: str,
    customer_domain: str,
    amount,
    expected_close_date: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    """What stops a deal from being submitted for approval, by field ({} when nothing)."""
    problems = {}
    if not (customer_name or "").strip():
        problems["customer_name"] = _("Enter the customer's company name.")
    if not customer_domain:
        problems["customer_domain_input"] = _(
            "Enter the customer's website or an e-mail address at its domain."
        )
    if amount is None:
        problems["amount"] = _("Enter the estimated amount.")
    if expected_close_date is None:
        problems["expected_close_date"] = _("Enter the expected close date.")
    elif expected_close_date < today:
        problems["expected_close_date"] = _("The expected close date is in the past.")
    return problems
