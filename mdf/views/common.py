"""What the MDF portal views share: taking one declared action on a visible object."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from prm import errors
from prm.confirm import confirmation_for, confirmation_page
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


def confirmed_action(request, *, machine, obj, name, confirm, run, done, back):
    """An irreversible action (prm/confirm.py, `confirm` its URL name): a GET is its
    confirmation page; a POST is take_action with the confirmation's form (the reason), whose
    errors show on that page again, with nothing done."""
    c = confirmation_for(confirm, obj)
    if request.method != "POST":
        require_action(machine, obj, request.member, name)
        if name not in machine.allowed(obj, request.member):
            messages.error(request, _("This action is no longer open."))
            return redirect(back)
        return confirmation_page(request, c)
    return take_action(
        request,
        machine=machine,
        obj=obj,
        name=name,
        form=c.form(request.POST),
        run=run,
        page=lambda form: confirmation_page(request, c, form),
        done=done,
        back=back,
    )


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
