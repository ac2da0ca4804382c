from django.urls import path

from analytics import views

urlpatterns = [
    path("analytics/", views.my_dashboard, name="analytics-mine"),
    path("analytics/export.csv", views.my_export, name="analytics-mine-export"),
    path("analytics/survey/", views.survey, name="analytics-survey"),
    path(
        "analytics/partners/<int:pk>/export.csv",
        views.partner_export,
        name="analytics-partner-export",
    ),
    path("analytics/manager/export.csv", views.manager_export, name="analytics-manager-export"),
    path("analytics/costs/export.csv", views.costs_export, name="analytics-costs-export"),
    path("analytics/partners/<int:pk>/", views.partner_dashboard, name="analytics-partner"),
    path("analytics/manager/", views.manager_dashboard, name="analytics-manager"),
    path("analytics/program/", views.program_dashboard, name="analytics-program"),
    path(
        "analytics/program/partners/",
        views.program_partners,
        name="analytics-program-partners",
    ),
    path("analytics/program/export.csv", views.program_export, name="analytics-program-export"),
    path("analytics/program/recompute/", views.recompute, name="analytics-recompute"),
    path("analytics/settings/", views.settings_edit, name="analytics-settings"),
    path("analytics/costs/", views.costs, name="analytics-costs"),
    path("analytics/reviews/", views.reviews, name="analytics-reviews"),
    path("analytics/reviews/<int:pk>.pdf", views.review_download, name="analytics-review-download"),
]
