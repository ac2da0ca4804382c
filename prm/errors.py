"""Domain errors raised by services; the portal shows them as form errors, the API as 400s."""

from __future__ import annotations


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
