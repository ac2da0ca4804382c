"""Helpers every portal view module shares: service errors onto a form, pagination, file
downloads, lenient integers from the query string, the 403 for an action a member may not
take on an object they can see, and the POST of an action button (`run_move`). (Apps still
carrying their own copies of these move to this module one by one.)"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect

from prm import errors
from prm.errors import DomainError

PAGE = 50


def apply_error(form, exc) -> None:
    """Show a refused service call on the form: on the field at fault when the form shows it,
    else as a form-wide error (an error on a hidden input would never be seen)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, DomainError) and getattr(exc, "errors", None):
        # several fields at fault at once ({field: message}, e.g. a deal submission)
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, DomainError):
        field = exc.field if exc.field in form.fields else None
        if field and form.fields[field].widget.is_hidden:
            field = None
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))


def page(request, qs, size: int = PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def posted_id(value) -> int:
    """A posted id; 0 (matches nothing) when it is not a number."""
    return int_or_none(value) or 0


def file_attachment(file_field, *, filename: str, content_type: str) -> FileResponse:
    """`attachment()` of a stored file; 404 when the file is gone."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    return attachment(handle, filename, content_type)


def attachment(fileobj, filename: str, content_type: str) -> FileResponse:
    """A private download: never rendered inline, never sniffed, never cached."""
    resp = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


def require_action(machine, obj, member, name: str) -> None:
    """403 unless `member` may ever take `name` on `obj` (a prm.states machine). Load `obj`
    through the member's visible queryset first, so an object they cannot see is a 404."""
    if not machine[name].may(obj, member):
        raise PermissionDenied


def run_move(request, machine, obj, name: str, service, *, done: str, **kwargs):
    """An action button's POST on `obj`, a move of `machine` named `name`: 403 unless the member
    may ever take it (`require_action`), then `service(by=member, **kwargs)`. Success goes to
    the page of what the service returns with `done`; a refusal (a domain error) back to
    `obj`'s page with its message; a service's PermissionDenied is a 403."""
    require_action(machine, obj, request.member, name)
    try:
        result = service(by=request.member, **kwargs)
    except errors.PermissionDenied:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())
    messages.success(request, done)
    return redirect(result.get_absolute_url())
