from django.urls import path

from locator import public_views, views

urlpatterns = [
    # A partner's own public profile
    path("locator/profile/", views.profile_edit, name="locator-profile"),
    path("locator/profile/publish/", views.profile_publish, name="locator-profile-publish"),
    path("locator/profile/unpublish/", views.profile_unpublish, name="locator-profile-unpublish"),
    # Staff
    path("locator/profiles/", views.profile_list, name="locator-profiles"),
    path("locator/profiles/<int:pk>/hide/", views.profile_hide, name="locator-profile-hide"),
    path(
        "locator/profiles/<int:pk>/restore/", views.profile_restore, name="locator-profile-restore"
    ),
    path("locator/settings/", views.settings_edit, name="locator-settings"),
    path("locator/referrals/", views.referral_list, name="locator-referrals"),
    # Public, on the tenant's host
    path("find/", public_views.search_page, name="locator-search"),
    path("find/embed/", public_views.embed, name="locator-embed"),
    path("find/<slug:slug>/", public_views.profile_page, name="locator-public-profile"),
    path("find/<slug:slug>/contact/", public_views.contact, name="locator-contact"),
    path("find/<slug:slug>/thanks/", public_views.contact_thanks, name="locator-contact-thanks"),
    path("find/<slug:slug>/logo", public_views.logo, name="locator-logo"),
]
