"""Portal pages of the brand kit and co-branding: a partner admin's brand kit (logo, colours,
contact block), the co-brandable templates (staff write them; partner people preview their
company's copy in the page and download it as a PDF, or as an HTML file for e-mail and
landing-page texts, in one click), one URL per action (marketing.states.TEMPLATE)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketing import cobrand, selectors, services
from marketing.downloads import cobrand_response
from marketing.forms import BrandKitForm, TemplateForm
from marketing.states import TEMPLATE
from marketing.views import run_form
from prm.decorators import member_required
from prm.portal import page, require_action, run_move
from prm.roles import has_perm


@require_http_methods(["GET", "POST"])
@member_required("marketing.brand")
def brand_kit(request):
    partner = request.member.partner
    kit = selectors.brand_kit(partner)
    initial = {
        "primary_color": kit.primary_color if kit else "#1f4e79",
        "secondary_color": kit.secondary_color if kit else "#f2a900",
        "contact_name": kit.contact_name if kit else "",
        "contact_email": kit.contact_email if kit else "",
        "contact_phone": kit.contact_phone if kit else "",
        "website": (kit.website if kit else "") or partner.website,
    }
    form = BrandKitForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        resp = run_form(
            request,
            form,
            lambda d: services.brand_kit_save(
                partner=partner,
                by=request.member,
                logo=d["logo"],
                **{k: v for k, v in d.items() if k != "logo"},
            ),
            back=reverse("marketing-brand-kit"),
            done=_("Brand kit saved. Your co-branded copies use it from now on."),
        )
        if resp:
            return redirect("marketing-brand-kit")
    return render(
        request,
        "marketing/brand_kit.html",
        {"form": form, "kit": kit, "logo_src": cobrand.logo_data_url(kit)},
    )


@require_safe
@member_required("marketing.view")
def template_list(request):
    qs = selectors.templates_visible_to(request.member)
    return render(
        request,
        "marketing/template_list.html",
        {
            "page": page(request, qs),
            "staff": selectors.is_staff(request.member),
            "can_manage": has_perm(request.member.role, "marketing.manage"),
        },
    )


def _template(request, pk: int):
    tpl = selectors.template_detail(request.member, pk)
    if tpl is None:
        raise Http404
    return tpl


@require_safe
@member_required("marketing.view")
def template_detail(request, pk: int):
    tpl = _template(request, pk)
    partner, kit, html = cobrand.copy_for(request, tpl)
    staff = selectors.is_staff(request.member)
    return render(
        request,
        "marketing/template_detail.html",
        {
            "tpl": tpl,
            "html": html,
            "kit": kit,
            "partner": partner,
            "staff": staff,
            "allowed": TEMPLATE.allowed(tpl, request.member),
            "downloads": selectors.template_download_counts(tpl) if staff else None,
            "needs_kit": bool(request.member.partner_id) and kit is None,
            "can_brand": has_perm(request.member.role, "marketing.brand"),
        },
    )


@require_safe
@member_required("marketing.view")
def template_download(request, pk: int):
    """The member's co-branded copy in one click: a PDF for one-pagers and data sheets, an
    HTML file for e-mail and landing-page texts. Partner downloads are counted."""
    return cobrand_response(request, _template(request, pk))


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def template_new(request):
    form = TemplateForm(request.POST or None)
    if request.method == "POST":
        resp = run_form(
            request,
            form,
            lambda d: services.template_create(by=request.member, **d),
            back=reverse("marketing-template-list"),
            done=_("Template saved as a draft. Check the preview, then publish it."),
        )
        if resp:
            return resp
    return render(request, "marketing/template_form.html", {"form": form, "tpl": None})


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def template_edit(request, pk: int):
    tpl = _template(request, pk)
    require_action(TEMPLATE, tpl, request.member, "edit")
    form = TemplateForm(
        request.POST or None, initial={"title": tpl.title, "kind": tpl.kind, "body": tpl.body}
    )
    if request.method == "POST":
        resp = run_form(
            request,
            form,
            lambda d: services.template_update(template=tpl, by=request.member, **d),
            back=tpl.get_absolute_url(),
            done=_("Template saved."),
        )
        if resp:
            return resp
    return render(request, "marketing/template_form.html", {"form": form, "tpl": tpl})


def _move(request, pk: int, name: str, service, done: str):
    tpl = _template(request, pk)
    return run_move(request, TEMPLATE, tpl, name, service, done=done, template=tpl)


@require_POST
@member_required("marketing.manage")
def template_publish(request, pk: int):
    return _move(
        request, pk, "publish", services.template_publish, _("Published: partners can use it.")
    )


@require_POST
@member_required("marketing.manage")
def template_archive(request, pk: int):
    return _move(
        request, pk, "archive", services.template_archive, _("Archived: partners no longer see it.")
    )
