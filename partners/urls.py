from django.urls import path

from partners import views
from partners.states import DOMAIN_PROPOSAL, PARTNER_STATUS, TIER_CHANGE

urlpatterns = [
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/export.csv", views.partner_export, name="partner-export"),
    path(
        "partners/domain-proposals/",
        views.partner_domain_proposals,
        name="partner-domain-proposals",
    ),
    *(
        path(
            f"partners/domain-proposals/<int:pk>/{name}/",
            views.partner_domain_proposal_action,
            {"action": name},
            name=f"partner-domain-proposal-{name}",
        )
        for name, act in DOMAIN_PROPOSAL.actions.items()
        if not act.system
    ),
    path("partners/<int:pk>/", views.partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner-edit"),
    path("partners/<int:pk>/tier/", views.partner_set_tier, name="partner-set-tier"),
    *(
        path(
            f"partners/<int:pk>/{name}/",
            views.partner_status_action,
            {"action": name},
            name=f"partner-{name}",
        )
        for name in PARTNER_STATUS.actions
    ),
    path("company/", views.company, name="company"),
    path("company/edit/", views.company_edit, name="company-edit"),
    path("tier/", views.my_tier, name="my-tier"),
    path("program/tiers/", views.program_tiers, name="program-tiers"),
    path("program/tiers/evaluate/", views.program_tiers_evaluate, name="program-tiers-evaluate"),
    path("program/tiers/<int:pk>/", views.program_tier_edit, name="program-tier-edit"),
    path(
        "program/tiers/<int:pk>/preview/", views.program_tier_preview, name="program-tier-preview"
    ),
    path("program/tiers/<int:pk>/delete/", views.program_tier_delete, name="program-tier-delete"),
    path("program/what-if/", views.program_what_if, name="program-what-if"),
    path("program/tier-changes/", views.program_tier_changes, name="program-tier-changes"),
    *(
        path(
            f"program/tier-changes/<int:pk>/{name}/",
            views.program_tier_change_action,
            {"action": name},
            name=f"program-tier-change-{name}",
        )
        for name in TIER_CHANGE.actions
    ),
    path("program/catalogue/", views.program_catalogue, name="program-catalogue"),
    *(
        path(
            f"program/catalogue/{kind}/",
            views.program_catalogue_add,
            {"kind": kind},
            name=f"program-catalogue-{kind}",
        )
        for kind in views.CATALOGUES
    ),
    path(
        "program/catalogue/products/<int:pk>/retire/",
        views.program_product_active,
        {"active": False},
        name="program-product-retire",
    ),
    path(
        "program/catalogue/products/<int:pk>/restore/",
        views.program_product_active,
        {"active": True},
        name="program-product-restore",
    ),
    path("program/settings/", views.program_settings, name="program-settings"),
]
