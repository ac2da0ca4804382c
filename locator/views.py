"""Portal pages of the locator: a partner's own public profile (edit, publish, withdraw),
the staff list of profiles (take down, allow again) and the admins' settings. The public
pages are in locator/public_views.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from locator import referrals, selectors, services
from locator.forms import ProfileForm, ReferralForm, SettingsForm
from locator.models import ProfileStatus, ReferralStatus
from locator.states import PROFILE
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.portal import apply_error, page, require_action
from prm.search import search, search_term
from prm.states import ActionNotAllowed


def _call(request, form, run) -> bool:
    """Run a service; a refusal shows on the form (or as a message). True on success."""
    try:
        run()
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return False
    except errors.PermissionDenied:
        raise PermissionDenied from None
    except (errors.DomainError, ValidationError) as exc:
        if form is None:
            messages.error(request, exc.message if hasattr(exc, "message") else str(exc))
        else:
            apply_error(form, exc)
        return False
    return True


# --- A partner's own profile ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required("locator.own")
def profile_edit(request):
    partner = request.member.partner
    allow_tier = selectors.settings_for(request.tenant).allow_tier
    profile = selectors.profile_of(partner)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, partner=partner, allow_tier=allow_tier)
        if form.is_valid() and _call(
            request,
            form,
            lambda: services.profile_update(
                partner=partner, by=request.member, **form.service_data()
            ),
        ):
            messages.success(request, _("Public profile saved."))
            return redirect("locator-profile")
    else:
        initial = ProfileForm.initial_for(profile) if profile else {"website": partner.website}
        form = ProfileForm(initial=initial, partner=partner, allow_tier=allow_tier)
    return render(
        request,
        "locator/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "allowed": PROFILE.allowed(profile, request.member) if profile else frozenset(),
            "editable": profile is None or "edit" in PROFILE.allowed(profile, request.member),
            "requests": profile.requests.count() if profile else 0,
            "is_public": profile is not None and profile.status == ProfileStatus.PUBLISHED,
        },
    )


def _own_profile(request):
    profile = selectors.profile_of(request.member.partner)
    if profile is None:
        raise Http404
    return profile


@require_POST
@member_required("locator.own")
def profile_publish(request):
    profile = _own_profile(request)
    require_action(PROFILE, profile, request.member, "publish")
    if _call(request, None, lambda: services.profile_publish(profile=profile, by=request.member)):
        messages.success(request, _("Your profile is now public in the partner locator."))
    return redirect("locator-profile")


@require_POST
@member_required("locator.own")
def profile_unpublish(request):
    profile = _own_profile(request)
    require_action(PROFILE, profile, request.member, "unpublish")
    if _call(request, None, lambda: services.profile_unpublish(profile=profile, by=request.member)):
        messages.success(request, _("Your profile is no longer public."))
    return redirect("locator-profile")


# --- Staff ----------------------------------------------------------------------------------


@require_safe
@member_required("locator.manage")
def profile_list(request):
    qs = selectors.profiles_visible_to(request.member).order_by("partner__name")
    status = request.GET.get("status", "")
    if status in ProfileStatus.values:
        qs = qs.filter(status=status)
    q = search_term(request)
    qs = search(qs, q, ("partner__name", "headline"))
    profiles = page(request, qs)
    for profile in profiles:
        profile.allowed = PROFILE.allowed(profile, request.member)
        profile.is_public = profile.status == ProfileStatus.PUBLISHED
    return render(
        request,
        "locator/profile_list.html",
        {"page": profiles, "status": status, "statuses": ProfileStatus.choices, "q": q},
    )


def _profile(request, pk: int):
    profile = selectors.profiles_visible_to(request.member).filter(pk=pk).first()
    if profile is None:
        raise Http404
    return profile


@require_http_methods(["GET", "POST"])
@member_required("locator.manage")
def profile_hide(request, pk: int):
    profile = _profile(request, pk)
    require_action(PROFILE, profile, request.member, "hide")
    c = confirmation_for("locator-profile-hide", profile)
    if request.method != "POST":
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if form.is_valid() and _call(
        request,
        form,
        lambda: services.profile_hide(
            profile=profile, by=request.member, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("Profile taken down."))
        return redirect("locator-profiles")
    return confirmation_page(request, c, form)


@require_POST
@member_required("locator.manage")
def profile_restore(request, pk: int):
    profile = _profile(request, pk)
    require_action(PROFILE, profile, request.member, "restore")
    if _call(request, None, lambda: services.profile_restore(profile=profile, by=request.member)):
        messages.success(request, _("The partner may publish its profile again."))
    return redirect("locator-profiles")


@require_http_methods(["GET", "POST"])
@member_required("locator.configure")
def settings_edit(request):
    current = selectors.settings_for(request.tenant)
    initial = {"allow_tier": current.allow_tier, "embed_origin": current.embed_origin}
    form = SettingsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _call(
            request,
            form,
            lambda: services.locator_settings_update(by=request.member, **form.cleaned_data),
        )
    ):
        messages.success(request, _("Locator settings saved."))
        return redirect("locator-settings")
    return render(
        request,
        "locator/settings.html",
        {"form": form, "embed_url": request.build_absolute_uri("/find/embed/")},
    )


# --- Referrals ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required("locator.refer")
def referral_list(request):
    partner = request.member.partner
    form = ReferralForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _call(
            request,
            form,
            lambda: referrals.referral_invite(
                partner=partner, by=request.member, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Invitation sent."))
        return redirect("locator-referrals")
    rows = page(request, selectors.referrals_of(partner))
    for referral in rows:
        referral.shown_status = ReferralStatus(selectors.referral_status(referral))
    return render(request, "locator/referrals.html", {"form": form, "page": rows})
