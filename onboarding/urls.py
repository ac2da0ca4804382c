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
    path("onboarding/partners/<int:pk>/start/", views.onboarding_start, name="onboarding-start"),
    path(
        "onboarding/steps/<int:pk>/check-off/",
        views.step_check_off,
        name="onboarding-step-check-off",
    ),
    path("onboarding/documents/<int:pk>/", views.document_download, name="onboarding-document"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/signed/<int:pk>.pdf", views.acceptance_pdf, name="agreement-pdf"),
    # Admin
    path("program/onboarding/", views.onboarding_settings, name="onboarding-settings"),
    path("program/onboarding/profile/", views.ideal_profile_save, name="onboarding-ipp-save"),
    path("program/onboarding/rules/", views.onboarding_rules_save, name="onboarding-rules-save"),
    path("program/onboarding/workflows/", views.workflow_list, name="workflow-list"),
    path("program/onboarding/workflows/<int:pk>/", views.workflow_edit, name="workflow-edit"),
    path("program/onboarding/workflows/<int:pk>/save/", views.workflow_save, name="workflow-save"),
    path(
        "program/onboarding/workflows/<int:pk>/delete/",
        views.workflow_delete,
        name="workflow-delete",
    ),
    path(
        "program/onboarding/workflows/<int:pk>/steps/",
        views.workflow_step_add,
        name="workflow-step-add",
    ),
    path(
        "program/onboarding/workflow-steps/<int:pk>/remove/",
        views.workflow_step_remove,
        name="workflow-step-remove",
    ),
    # Partner
    path("getting-started/", views.my_onboarding, name="my-onboarding"),
    path(
        "getting-started/steps/<int:pk>/upload/",
        views.my_step_upload,
        name="my-onboarding-upload",
    ),
    path("agreement/", views.my_agreement, name="my-agreement"),
    path("agreement/accept/", views.agreement_accept, name="agreement-accept"),
]
