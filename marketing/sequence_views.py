"""Portal pages of a campaign's e-mail sequence: the partner's contact list (upload with the
consent confirmation, bad rows reported one by one; remove one), and one URL per sequence
action (start, after a confirmation; pause; resume: marketing.states.SEQUENCE). Public, on the
tenant's host: the contact's unsubscribe page (GET asks, POST and RFC 8058 one-click POST
unsubscribe) and the partner's logo the e-mails show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketing import campaign_selectors as cs
from marketing import selectors, sequence_services
from marketing import sequence_selectors as ss
from marketing.campaign_forms import ContactUploadForm
from marketing.sequence_csv import read_csv
from marketing.states import SEQUENCE
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.i18n import content_language
from prm.portal import apply_error, page, require_action


def _campaign(request, pk: int):
    campaign = cs.campaign_detail(request.member, pk)
    if campaign is None:
        raise Http404
    return campaign


def _contacts_page(request, campaign, form=None, result=None, status=200):
    member = request.member
    form = form or ContactUploadForm(
        consent_label=sequence_services.consent_text(campaign.partner.name)
    )
    return render(
        request,
        "marketing/campaign_contacts.html",
        {
            "campaign": campaign,
            "page": page(request, ss.contacts_visible_to(member, campaign)),
            "progress": ss.progress(campaign),
            "form": form,
            "result": result,
            "allowed": SEQUENCE.allowed(campaign, member),
        },
        status=status,
    )


@require_safe
@member_required("marketing.contacts")
def contact_list(request, pk: int):
    campaign = _campaign(request, pk)
    if request.member.partner_id != campaign.partner_id:
        raise PermissionDenied
    return _contacts_page(request, campaign)


@require_POST
@member_required("marketing.campaign")
def contact_upload(request, pk: int):
    campaign = _campaign(request, pk)
    require_action(SEQUENCE, campaign, request.member, "contacts")
    text = sequence_services.consent_text(campaign.partner.name)
    form = ContactUploadForm(request.POST, request.FILES, consent_label=text)
    if not form.is_valid():
        return _contacts_page(request, campaign, form, status=400)
    try:
        result = sequence_services.contacts_add(
            campaign=campaign,
            by=request.member,
            rows=read_csv(form.cleaned_data["file"]),
            consent=form.cleaned_data["consent"],
            consent_text=text,
        )
    except errors.PermissionDenied:
        raise PermissionDenied from None
    except errors.DomainError as exc:
        apply_error(form, exc)
        return _contacts_page(request, campaign, form, status=400)
    messages.success(
        request,
        ngettext("%(n)s contact added.", "%(n)s contacts added.", result.added)
        % {"n": result.added},
    )
    campaign.refresh_from_db()
    return _contacts_page(request, campaign, result=result)


@require_POST
@member_required("marketing.campaign")
def contact_remove(request, pk: int, contact_pk: int):
    campaign = _campaign(request, pk)
    require_action(SEQUENCE, campaign, request.member, "contacts")
    contact = ss.contact_of(request.member, campaign, contact_pk)
    if contact is None:
        raise Http404
    sequence_services.contact_remove(contact=contact, by=request.member)
    messages.success(request, _("Contact removed."))
    return redirect("marketing-campaign-contacts", pk=campaign.pk)


def _move(request, pk: int, name: str, run, done: str):
    campaign = _campaign(request, pk)
    require_action(SEQUENCE, campaign, request.member, name)
    try:
        run(campaign=campaign, by=request.member)
    except errors.PermissionDenied:
        raise PermissionDenied from None
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(campaign.get_absolute_url())


@require_http_methods(["GET", "POST"])
@member_required("marketing.campaign")
def sequence_start(request, pk: int):
    campaign = _campaign(request, pk)
    require_action(SEQUENCE, campaign, request.member, "start")
    c = confirmation_for("marketing-sequence-start", campaign)
    if request.method != "POST":
        if "start" not in SEQUENCE.allowed(campaign, request.member):
            return redirect(campaign.get_absolute_url())
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if not form.is_valid():
        return confirmation_page(request, c, form)
    return _move(
        request,
        pk,
        "start",
        sequence_services.sequence_start,
        _("Sending started: the first e-mail goes out within minutes."),
    )


@require_POST
@member_required("marketing.campaign")
def sequence_pause(request, pk: int):
    return _move(request, pk, "pause", sequence_services.sequence_pause, _("Sending paused."))


@require_POST
@member_required("marketing.campaign")
def sequence_resume(request, pk: int):
    return _move(request, pk, "resume", sequence_services.sequence_resume, _("Sending resumed."))


# --- Public, on the tenant's host --------------------------------------------------------


@csrf_exempt  # the signed token is the credential; mail clients POST it (RFC 8058 one-click)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation; POST (a person's button, or a mail client's one-click
    `List-Unsubscribe=One-Click`) unsubscribes the address from the partner's e-mails.
    A tampered token, another tenant's or a removed contact's: a 404 page."""
    contact = sequence_services.unsubscribe_read(token, tenant=request.tenant)
    if contact is None:
        raise Http404
    done = False
    if request.method == "POST":
        sequence_services.contact_unsubscribe(contact=contact)
        done = True
    with content_language(contact.campaign.kit.language):
        resp = render(
            request,
            "marketing/campaign_unsubscribe.html",
            {"contact": contact, "partner": contact.partner, "done": done},
        )
    resp["X-Robots-Tag"] = "noindex"
    return resp


@require_safe
def logo(request, slug: str, code: str):
    """The campaign partner's logo (checked when uploaded), for the co-branding of the
    campaign's e-mails and landing page."""
    campaign = cs.public_campaign(code)
    kit = selectors.brand_kit(campaign.partner) if campaign else None
    if kit is None or not kit.logo:
        raise Http404
    try:
        handle = kit.logo.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # Shown inline in mail clients: an image type checked from its bytes at upload, never
    # sniffed as anything else.
    resp = FileResponse(handle, content_type=kit.logo_content_type or "image/png")
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'"
    if "v" in request.GET:
        # A landing page's link names the brand kit's version: a new logo is a new address.
        resp["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp
