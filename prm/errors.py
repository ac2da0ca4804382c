"""Domain errors raised by services; the portal shows them as form errors, the API as 400s."""

from __future__ import annotations

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refused operation. `field` names the input at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class PermissionDenied(DomainError):
    def __init__(self, message: str = "You do not have permission to do this."):
        super().__init__(message, code="permission_denied")


def limited(value: str, limit: int, field: str) -> str:
    """The value if it fits its column. Longer text is refused at its field, never cut short:
    people see what was stored as they meant it, or an error saying why not."""
    if len(value) > limit:
        raise DomainError(
            _("At most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(value)},
            field=field,
        )
    return value
