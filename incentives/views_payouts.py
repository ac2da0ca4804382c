"""Portal pages of payouts. Partner admins: their payee details. Partner people: statements
and remittance advice to download (the earnings page's Statements section is a panel,
statements_panel). Staff: payout batches (prepare, approve, export, mark paid, cancel),
the payee review queue, payout settings, statements. Every action has its own URL (POST);
pages are GET; irreversible actions (mark paid, cancel) are confirmed first (prm.confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incentives import payout_files
from incentives import selectors_payouts as sel
from incentives.forms_payouts import (
    BatchForm,
    PayeeForm,
    PayoutSettingsForm,
    StatementsForm,
)
from incentives.models_payouts import PayeeDetails, PayoutBatch
from incentives.services import payouts as svc
from incentives.services.statements import previous_month, statements_request
from incentives.states_payouts import BATCH, PAYEE
from partners.models import Partner
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.csv_export import csv_response
from prm.decorators import member_required
from prm.portal import apply_error, attachment, file_attachment, require_action
from prm.portal import page as paginate
from prm.roles import has_perm
from prm.states import ActionNotAllowed

STATEMENTS_ON_EARNINGS = 12  # the latest statements listed on the partner's earnings page


def _act(request, run, done: str, back: str, *, form=None, page=None):
    """Call the service; a refusal shows as a message (or on `form` when one is given)."""
    try:
        run()
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as exc:
        if form is not None and page is not None:
            apply_error(form, exc)
            return page(form)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(back)


# --- Partners -----------------------------------------------------------------------------


def _payee_initial(payee: PayeeDetails | None) -> dict:
    if payee is None:
        return {}
    return {
        "account_holder": payee.account_holder,
        "iban": payee.iban,
        "bic": payee.bic,
        "address": payee.address,
        "currency": payee.currency,
    }


@member_required("incentives.payee")
def payee(request):
    """The partner admin's payee details: shown in full to them, saved for review."""
    partner = get_object_or_404(Partner.objects.all(), pk=request.member.partner_id)
    current = sel.payee_of(partner.pk)
    if request.method == "POST":
        form = PayeeForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.payee_save(
                    partner=partner,
                    by=request.member,
                    account_holder=d["account_holder"],
                    iban=d["iban"],
                    bic=d["bic"],
                    address=d["address"],
                    currency=d["currency"],
                    tax_form=d.get("tax_form"),
                )
            except ActionNotAllowed as exc:
                form.add_error(None, exc.message)
            except errors.PermissionDenied:
                raise PermissionDenied
            except errors.DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Payee details saved. Our finance team reviews them before the next payout."),
                )
                return redirect("incentives-payee")
        return render(
            request,
            "incentives/payouts/payee.html",
            {"form": form, "payee": current},
            status=400,
        )
    form = PayeeForm(
        initial=_payee_initial(current) or {"currency": partner.tenant.default_currency}
    )
    return render(request, "incentives/payouts/payee.html", {"form": form, "payee": current})


@member_required("incentives.payee")
def payee_tax_form(request):
    current = sel.payee_of(request.member.partner_id)
    if current is None or not current.tax_form:
        raise Http404
    return file_attachment(
        current.tax_form, filename=current.tax_form_name, content_type=current.tax_form_type
    )


def statements_panel(request, member) -> dict | None:
    """The Statements section of the partner's earnings page (prm.panels)."""
    if member is None or member.partner_id is None:
        return None
    if not has_perm(member.role, "incentives.statements"):
        return None
    return {
        "statements": list(
            sel.statements_visible_to(member).order_by("-month", "currency")[
                :STATEMENTS_ON_EARNINGS
            ]
        ),
        "payouts": list(sel.lines_visible_to(member).order_by("-batch__paid_at")[:6]),
        "can_edit_payee": has_perm(member.role, "incentives.payee"),
        "payee": sel.payee_of(member.partner_id),
    }


@member_required("incentives.statements")
def statement_pdf(request, pk: int):
    st = get_object_or_404(sel.statements_visible_to(request.member), pk=pk)
    pdf = payout_files.statement_pdf(st)
    return attachment(
        _bytes(pdf),
        f"statement-{st.month:%Y-%m}-{st.currency}-{st.partner_id}.pdf",
        "application/pdf",
    )


@member_required("incentives.statements")
def statement_csv(request, pk: int):
    st = get_object_or_404(sel.statements_visible_to(request.member), pk=pk)
    return csv_response(
        f"statement-{st.month:%Y-%m}-{st.currency}-{st.partner_id}",
        payout_files.statement_csv_header(),
        payout_files.statement_csv_rows(st),
    )


@member_required("incentives.statements")
def remittance(request, pk: int):
    line = get_object_or_404(sel.lines_visible_to(request.member), pk=pk, batch__status="paid")
    return attachment(
        _bytes(payout_files.remittance_pdf(line)),
        f"remittance-{line.batch.number}-{line.pk}.pdf",
        "application/pdf",
    )


def _bytes(data: bytes):
    # local: a file object over bytes for FileResponse (attachment() streams a file)
    import io

    return io.BytesIO(data)


# --- Staff: batches -----------------------------------------------------------------------


def _batches_page(request, *, form=None, settings_form=None, status=200):
    settings = svc.payout_settings(request.tenant.pk)
    settings_form = settings_form or PayoutSettingsForm(
        initial={
            "minimum_payout": settings.minimum_payout,
            "second_approval_above": settings.second_approval_above,
            "payer_name": settings.payer_name,
            "payer_iban": settings.payer_iban,
            "payer_bic": settings.payer_bic,
        }
    )
    return render(
        request,
        "incentives/payouts/batches.html",
        {
            "page": paginate(request, sel.batches()),
            "form": form or BatchForm(initial={"currency": request.tenant.default_currency}),
            "settings": settings,
            "settings_form": settings_form,
            "finance": has_perm(request.member.role, "incentives.finance"),
            "payees_waiting": sel.payee_queue().count(),
        },
        status=status,
    )


@member_required("incentives.payouts")
def batches(request):
    return _batches_page(request)


@require_POST
@member_required("incentives.payouts")
def batch_new(request):
    form = BatchForm(request.POST)
    created = {}
    if form.is_valid():
        try:
            created["b"] = svc.batch_create(
                tenant=request.tenant, by=request.member, **form.cleaned_data
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Batch %(n)s prepared. It waits for approval.") % {"n": created["b"].number},
            )
            return redirect("incentives-batch-detail", created["b"].pk)
    return _batches_page(request, form=form, status=400)


@require_POST
@member_required("incentives.finance")
def payout_settings(request):
    form = PayoutSettingsForm(request.POST)
    if form.is_valid():
        try:
            svc.payout_settings_set(tenant=request.tenant, by=request.member, **form.cleaned_data)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Payout settings saved."))
            return redirect("incentives-batches")
    return _batches_page(request, settings_form=form, status=400)


@member_required("incentives.payouts")
def batch_detail(request, pk: int):
    batch = get_object_or_404(sel.batches(), pk=pk)
    member = request.member
    lines = list(batch.lines.select_related("partner").order_by("partner__name"))
    full = member.role == "admin"
    return render(
        request,
        "incentives/payouts/batch_detail.html",
        {
            "batch": batch,
            "lines": lines,
            "full_iban": full,
            "holds": batch.holds.select_related("partner").order_by("partner__name"),
            "allowed": BATCH.allowed(batch, member),
            "sepa": batch.currency == payout_files.SEPA_CURRENCY,
        },
    )


def _batch(pk: int) -> PayoutBatch:
    return get_object_or_404(sel.batches(), pk=pk)


@require_POST
@member_required("incentives.payouts")
def batch_approve(request, pk: int):
    batch = _batch(pk)
    name = "approve_first" if batch.needs_second_approval else "approve"
    require_action(BATCH, batch, request.member, name)
    done = (
        _("First approval given: another admin gives the second.")
        if batch.needs_second_approval
        else _("Batch approved: export it for payment.")
    )
    return _act(
        request,
        lambda: svc.batch_approve(batch=batch, by=request.member),
        done,
        reverse("incentives-batch-detail", args=[pk]),
    )


@require_POST
@member_required("incentives.finance")
def batch_approve_second(request, pk: int):
    batch = _batch(pk)
    require_action(BATCH, batch, request.member, "approve_second")
    return _act(
        request,
        lambda: svc.batch_approve_second(batch=batch, by=request.member),
        _("Second approval given: export the batch for payment."),
        reverse("incentives-batch-detail", args=[pk]),
    )


def _confirmed(request, batch, name: str, confirm: str, run, done: str):
    back = reverse("incentives-batch-detail", args=[batch.pk])
    require_action(BATCH, batch, request.member, name)
    c = confirmation_for(confirm, batch)
    if request.method != "POST":
        if name not in BATCH.allowed(batch, request.member):
            messages.error(request, _("This action is no longer open."))
            return redirect(back)
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if not form.is_valid():
        return confirmation_page(request, c, form)
    try:
        run(form.cleaned_data.get("reason", ""))
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as exc:
        apply_error(form, exc)
        return confirmation_page(request, c, form)
    messages.success(request, done)
    return redirect(back)


@require_http_methods(["GET", "POST"])
@member_required("incentives.finance")
def batch_mark_paid(request, pk: int):
    batch = _batch(pk)
    return _confirmed(
        request,
        batch,
        "mark_paid",
        "incentives-batch-paid",
        lambda ref: svc.batch_mark_paid(batch=batch, by=request.member, reference=ref),
        _("Batch marked paid. The partners were told and can download their remittance advice."),
    )


@require_http_methods(["GET", "POST"])
@member_required("incentives.finance")
def batch_cancel(request, pk: int):
    batch = _batch(pk)
    return _confirmed(
        request,
        batch,
        "cancel",
        "incentives-batch-cancel",
        lambda reason: svc.batch_cancel(batch=batch, by=request.member, reason=reason),
        _("Batch cancelled: its earnings go into the next batch."),
    )


@require_POST
@member_required("incentives.finance")
def batch_export_csv(request, pk: int):
    batch = _batch(pk)
    require_action(BATCH, batch, request.member, "export")
    back = reverse("incentives-batch-detail", args=[pk])
    try:
        svc.batch_mark_exported(batch=batch, by=request.member, kind="csv")
    except errors.DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return csv_response(
        f"payout-{batch.number}",
        payout_files.batch_csv_header(),
        payout_files.batch_csv_rows(batch),
    )


@require_POST
@member_required("incentives.finance")
def batch_export_sepa(request, pk: int):
    batch = _batch(pk)
    require_action(BATCH, batch, request.member, "export")
    back = reverse("incentives-batch-detail", args=[pk])
    try:
        xml = payout_files.batch_sepa_xml(batch)
        svc.batch_mark_exported(batch=batch, by=request.member, kind="sepa")
    except errors.DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    resp = HttpResponse(xml, content_type="application/xml")
    resp["Content-Disposition"] = f'attachment; filename="payout-{batch.number}-pain001.xml"'
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@member_required("incentives.payouts")
def line_remittance(request, pk: int):
    """Staff: a paid line's remittance advice (the partner's own link is `remittance`)."""
    return remittance(request, pk)


# --- Staff: payee details -----------------------------------------------------------------


@member_required("incentives.finance")
def payees(request):
    return render(
        request,
        "incentives/payouts/payees.html",
        {
            "page": paginate(
                request, sel.payees_visible_to(request.member).order_by("status", "submitted_at")
            )
        },
    )


def _payee(request, pk: int) -> PayeeDetails:
    return get_object_or_404(sel.payees_visible_to(request.member), pk=pk)


@require_POST
@member_required("incentives.finance")
def payee_approve(request, pk: int):
    p = _payee(request, pk)
    require_action(PAYEE, p, request.member, "approve")
    return _act(
        request,
        lambda: svc.payee_approve(payee=p, by=request.member),
        _("Payee details of %(p)s approved.") % {"p": p.partner.name},
        reverse("incentives-payees"),
    )


@require_POST
@member_required("incentives.finance")
def payee_reject(request, pk: int):
    p = _payee(request, pk)
    require_action(PAYEE, p, request.member, "reject")
    return _act(
        request,
        lambda: svc.payee_reject(payee=p, by=request.member, reason=request.POST.get("reason", "")),
        _("Payee details of %(p)s rejected; the partner was told why.") % {"p": p.partner.name},
        reverse("incentives-payees"),
    )


@member_required("incentives.finance")
def payee_tax_form_staff(request, pk: int):
    p = _payee(request, pk)
    if not p.tax_form:
        raise Http404
    return file_attachment(p.tax_form, filename=p.tax_form_name, content_type=p.tax_form_type)


# --- Staff: statements --------------------------------------------------------------------


def _statements_page(request, form=None, status=200):
    qs = sel.statements_visible_to(request.member).order_by("-month", "partner__name", "currency")
    return render(
        request,
        "incentives/payouts/statements.html",
        {
            "page": paginate(request, qs),
            "form": form or StatementsForm(initial={"month": previous_month()}),
        },
        status=status,
    )


@member_required("incentives.payouts")
def statements(request):
    return _statements_page(request)


@require_POST
@member_required("incentives.payouts")
def statements_generate_now(request):
    form = StatementsForm(request.POST)
    if form.is_valid():
        try:
            month = statements_request(
                tenant=request.tenant, month=form.cleaned_data["month"], by=request.member
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("The statements of %(m)s are being written; reload this page in a minute.")
                % {"m": f"{month:%Y-%m}"},
            )
            return redirect("incentives-statements")
    return _statements_page(request, form, status=400)
