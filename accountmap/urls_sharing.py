"""Portal URLs of the sharing matrix, the overlap pages and acting on a shared overlap."""

from django.urls import path

from accountmap import views_sharing as v

urlpatterns = [
    path("accounts/sharing/", v.sharing_page, name="account-sharing"),
    path("accounts/sharing/partners/<int:pk>/", v.sharing_partner, name="account-sharing-partner"),
    path("accounts/overlaps/", v.overlaps_page, name="account-overlaps"),
    path("accounts/overlaps/greenfield/", v.greenfield_page, name="account-greenfield"),
    path(
        "accounts/overlaps/partners/<int:pk>/", v.overlaps_partner, name="account-overlaps-partner"
    ),
    path(
        "accounts/overlaps/partners/<int:pk>/greenfield/",
        v.greenfield_partner,
        name="account-greenfield-partner",
    ),
    path(
        "accounts/overlaps/<int:pk>/register-deal/",
        v.overlap_register_deal,
        name="account-overlap-register-deal",
    ),
    path("accounts/overlaps/<int:pk>/lead/", v.overlap_lead, name="account-overlap-lead"),
    path("accounts/overlaps/<int:pk>/intro/", v.overlap_intro, name="account-overlap-intro"),
    path("accounts/intros/", v.intro_list, name="account-intros"),
    path("accounts/intros/<int:pk>/accept/", v.intro_accept, name="account-intro-accept"),
    path("accounts/intros/<int:pk>/decline/", v.intro_decline, name="account-intro-decline"),
    path("accounts/<int:pk>/partners/", v.account_partners, name="account-partners"),
]
