from django.urls import path

from partners import views
from partners.states import PARTNER_STATUS, TIER_CHANGE

urlpatterns = [
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/export.csv", views.partner_export, name="partner-export"),
    path(
        "partners/domain-proposals/",
        views.partner_domain_proposals,
        name="partner-domain-proposals",
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
    path("program/tiers/<int:pk>/", views.program_tier_edit, name="program-tier-edit"),
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
    path("program/settings/", views.program_settings, name="program-settings"),
]
