"""The public pages of campaigns and syndication on the tenant's host (no sign-in): landing
pages, tracked links, the e-mails' logo and unsubscribe link, and the partner website's
embed. prm/urls.py includes them before the portal's patterns: Django tries patterns in
order, and these are the busiest requests."""

from django.urls import path

from marketing import campaign_public, sequence_views, syndication_views

urlpatterns = [
    # Campaigns (issue #21, item 3)
    path("c/<slug:slug>/<str:code>/", campaign_public.landing, name="campaign-landing"),
    path("c/<slug:slug>/<str:code>/lead/", campaign_public.lead, name="campaign-lead"),
    path("c/<slug:slug>/<str:code>/thanks/", campaign_public.thanks, name="campaign-thanks"),
    path(
        "c/<slug:slug>/<str:code>/assets/<int:pk>/",
        campaign_public.asset,
        name="campaign-asset",
    ),
    path("t/<str:code>/<str:target>/", campaign_public.tracked, name="campaign-tracked"),
    # The e-mail sequence's logo and unsubscribe link (issue #21, item 3)
    path("c/<slug:slug>/<str:code>/logo", sequence_views.logo, name="campaign-logo"),
    path("u/<str:token>/", sequence_views.unsubscribe, name="campaign-unsubscribe"),
    # Syndication (issue #21, item 5), for the partner's website
    path("syndication/<str:token>/", syndication_views.embed, name="syndication-embed"),
    path("syndication/<str:token>/embed.js", syndication_views.script, name="syndication-script"),
    path("syndication/<str:token>/brand.css", syndication_views.brand_css, name="syndication-css"),
    path(
        "syndication/<str:token>/assets/<int:pk>/",
        syndication_views.open_asset,
        name="syndication-open",
    ),
]
