"""What the MDF portal views share: taking one declared action on a visible object."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from prm import errors
from prm.portal import apply_error, require_action
from prm.states import ActionNotAllowed


def take_action(request, *, machine, obj, name, form, run, page, done, back):
    """POST of one action on an object the member can see (loaded through the visible
    queryset, so anything else was a 404 already). A member who may never take the action:
    403. The state forbids it now: a message and back to the object. Bad input or a refused
    service call: the object's page again with the form's errors. Else `done` and back."""
    require_action(machine, obj, request.member, name)
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ActionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except errors.PermissionDenied:
            raise PermissionDenied
        except (errors.DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return page(form)


def run_admin(request, *, form, run, page, done, back):
    """POST of an admin form (capability checked by the decorator): as take_action, without a
    state machine."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except (errors.DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return page(form)
