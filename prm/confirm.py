"""Confirmations for irreversible portal actions: one description per action, shown two ways.

An action that cannot be taken back (withdraw a registration, revoke a key, reject a claim...)
never happens in one click. Its app describes it once, as a `Confirmation` built from the
object (`register("deal-withdraw")` on a function of the object); then

- the `{% confirm_action "deal-withdraw" deal %}` tag (prm/templatetags/prm_confirm.py) renders
  the action's button and a native `<dialog>` holding the same text and the reason field;
  static/js/confirm.js opens it. The button is a link to the action's own URL, so without
  JavaScript it leads to
- the confirmation page: a GET of the action URL renders `confirmation_page` (the same
  content as a page), whose form POSTs to that URL.

The POST is validated by `ConfirmForm` before the service runs: a reason the service requires
and that is missing is a form error on the page, and nothing is done.

Undo: a view whose action has an inverse the state machine allows adds the inverse's URL to
its success message with `success_with_undo`; the message then carries an Undo button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from prm.errors import DomainError, limited

# How a message names the inverse action's URL (in extra_tags, read by the `undo_url` filter)
UNDO_PREFIX = "undo="


@dataclass(frozen=True)
class Confirmation:
    """What one irreversible action on one object does, for people to confirm."""

    title: str  # "Withdraw registration DR-12 for Umbrella Corp?"
    consequence: str  # what will happen, in a sentence or two
    button: str  # the button that opens the confirmation ("Withdraw registration")
    confirm: str  # the button that acts ("Withdraw")
    back_url: str  # where Cancel leads on the confirmation page
    reason: str = ""  # "": no reason is recorded; "optional" / "required"
    reason_label: str = _("Reason")
    reason_max: int = 500
    reason_missing: str = _("Give a reason.")  # the error when a required reason is empty
    small: bool = False  # a small button (in tables and lists)
    danger: bool = True  # destroys or ends something (red); False for a final "yes" (approve)
    # Filled by `register` when left out: the registered URL name, and that URL for the
    # object's pk (an action URL with more arguments than the pk gives its own).
    name: str = ""  # the action's URL name, e.g. "deal-withdraw"
    url: str = ""  # the action's URL (GET: the confirmation page; POST: the action)

    @property
    def dom_id(self) -> str:
        return "confirm-" + slugify(self.url) or "confirm"

    def form(self, data=None) -> ConfirmForm:
        return ConfirmForm(data, confirmation=self, auto_id=self.dom_id + "-%s")


class ConfirmForm(forms.Form):
    """The reason (when the action records one), with the service's limit."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=True)

    def __init__(self, *args, confirmation: Confirmation, **kwargs):
        super().__init__(*args, **kwargs)
        if not confirmation.reason:
            del self.fields["reason"]
            return
        field = self.fields["reason"]
        field.label = confirmation.reason_label
        field.required = confirmation.reason == "required"
        field.error_messages = {**field.error_messages, "required": confirmation.reason_missing}
        field.max_length = confirmation.reason_max
        # the limit is shown under the field (templates/_form.html; prm/renderers.py)
        self.reason_max = confirmation.reason_max

    def clean_reason(self) -> str:
        # the services' own words for a text over its limit (prm.errors.limited)
        reason = self.cleaned_data["reason"]
        try:
            return limited(reason, self.reason_max, "reason")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


_BUILDERS: dict[str, Callable[..., Confirmation]] = {}


def register(name: str):
    """Declare the confirmation of the action URL `name`: a function (object) -> Confirmation.
    The confirmation's `name` defaults to `name` and its `url` to `name` reversed with the
    object's pk."""

    def decorator(build: Callable[..., Confirmation]):
        @wraps(build)
        def complete(obj) -> Confirmation:
            c = build(obj)
            if not c.name:
                c = replace(c, name=name)
            if not c.url:
                c = replace(c, url=reverse(name, args=[obj.pk]))
            return c

        _BUILDERS[name] = complete
        return complete

    return decorator


def registered() -> frozenset[str]:
    """The action URL names that have a confirmation."""
    return frozenset(_BUILDERS)


def confirmation_for(name: str, obj) -> Confirmation:
    return _BUILDERS[name](obj)


def confirmation_page(request, confirmation: Confirmation, form: ConfirmForm | None = None):
    """The confirmation as a page (a GET of the action URL, or a POST refused by the form)."""
    form = form or confirmation.form()
    return render(request, "prm/confirm.html", {"c": confirmation, "form": form})


def success_with_undo(request, text: str, *, undo_url: str) -> None:
    """A success message that offers to undo the action (a POST to `undo_url`)."""
    messages.success(request, text, extra_tags=UNDO_PREFIX + undo_url)


def confirmed(request, confirmation: Confirmation) -> tuple[ConfirmForm | None, object]:
    """For a view acting at its own URL: `(form, None)` when a POST confirms the action (act,
    reading `form.cleaned_data.get("reason", "")`); `(None, page)` otherwise: the confirmation
    page for a GET, or that page again with the errors for a POST the form refuses."""
    form = confirmation.form(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        return form, None
    return None, confirmation_page(request, confirmation, form)


def confirm_first(name: str, load: Callable):
    """For a POST-only view that acts on one object at its own URL (wrap it in
    `require_http_methods(["GET", "POST"])` outside this): a GET, and a POST the
    confirmation's form refuses, answer the confirmation page of `name` for the object
    `load(request, **kwargs)` (404 for one the member cannot see); a valid POST runs the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, **kwargs):
            _form, page = confirmed(request, confirmation_for(name, load(request, **kwargs)))
            return page if page is not None else view(request, **kwargs)

        return wrapper

    return decorator
