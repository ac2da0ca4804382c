from django.urls import path

from onboarding import views
from onboarding.states import APPLICATION

urlpatterns = [
    # Public, on the tenant's host
    path("apply/", views.apply, name="apply"),
    path("apply/thanks/", views.apply_thanks, name="apply-thanks"),
    # Staff
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    *(
        path(
            f"applications/<int:pk>/{name}/",
            views.application_action,
            {"action": name},
            name=f"application-{name}",
        )
        for name in APPLICATION.actions
    ),
    path("onboarding/", views.onboarding_board, name="onboarding-board"),
    path("onboarding/partners/<int:pk>/", views.onboarding_partner, name="onboarding-partner"),
    path("onboarding/documents/<int:pk>/", views.document_download, name="onboarding-document"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/signed/<int:pk>.pdf", views.acceptance_pdf, name="agreement-pdf"),
    # Admin
    path("program/onboarding/", views.onboarding_settings, name="onboarding-settings"),
    path("program/onboarding/workflows/", views.workflow_list, name="workflow-list"),
    path("program/onboarding/workflows/<int:pk>/", views.workflow_edit, name="workflow-edit"),
    # Partner
    path("getting-started/", views.my_onboarding, name="my-onboarding"),
    path("agreement/", views.my_agreement, name="my-agreement"),
    path("agreement/accept/", views.agreement_accept, name="agreement-accept"),
]
