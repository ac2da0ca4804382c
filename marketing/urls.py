from django.urls import path

from marketing import (
    campaign_views,
    sequence_views,
    syndication_views,
    views,
    views_brand,
)

urlpatterns = [
    path("marketing/", views.library, name="marketing-library"),
    path("marketing/assets/new/", views.asset_new, name="marketing-asset-new"),
    path("marketing/assets/<int:pk>/", views.asset_detail, name="marketing-asset-detail"),
    path("marketing/assets/<int:pk>/edit/", views.asset_edit, name="marketing-asset-edit"),
    path("marketing/assets/<int:pk>/versions/", views.version_add, name="marketing-version-add"),
    path(
        "marketing/assets/<int:pk>/versions/<int:version_pk>/download/",
        views.version_download,
        name="marketing-version-download",
    ),
    path("marketing/assets/<int:pk>/publish/", views.asset_publish, name="marketing-asset-publish"),
    path("marketing/assets/<int:pk>/archive/", views.asset_archive, name="marketing-asset-archive"),
    path(
        "marketing/assets/<int:pk>/download/", views.asset_download, name="marketing-asset-download"
    ),
    path("marketing/brand-kit/", views_brand.brand_kit, name="marketing-brand-kit"),
    path("marketing/templates/", views_brand.template_list, name="marketing-template-list"),
    path("marketing/templates/new/", views_brand.template_new, name="marketing-template-new"),
    path(
        "marketing/templates/<int:pk>/",
        views_brand.template_detail,
        name="marketing-template-detail",
    ),
    path(
        "marketing/templates/<int:pk>/edit/",
        views_brand.template_edit,
        name="marketing-template-edit",
    ),
    path(
        "marketing/templates/<int:pk>/publish/",
        views_brand.template_publish,
        name="marketing-template-publish",
    ),
    path(
        "marketing/templates/<int:pk>/archive/",
        views_brand.template_archive,
        name="marketing-template-archive",
    ),
    path(
        "marketing/templates/<int:pk>/download/",
        views_brand.template_download,
        name="marketing-template-download",
    ),
    # --- Content syndication (marketing.syndication_views)
    path("marketing/syndication/", syndication_views.settings_page, name="marketing-syndication"),
    path(
        "marketing/syndication/rotate/",
        syndication_views.token_rotate,
        name="marketing-syndication-rotate",
    ),
    path(
        "marketing/syndication/preview/",
        syndication_views.preview,
        name="marketing-syndication-preview",
    ),
    path(
        "marketing/syndication/report/",
        syndication_views.report,
        name="marketing-syndication-report",
    ),
]

# --- Campaigns (issue #21, items 3-4) ---
urlpatterns += [
    path("marketing/campaign-kits/", campaign_views.kit_list, name="marketing-kit-list"),
    path("marketing/campaign-kits/new/", campaign_views.kit_new, name="marketing-kit-new"),
    path(
        "marketing/campaign-kits/<int:pk>/", campaign_views.kit_detail, name="marketing-kit-detail"
    ),
    path(
        "marketing/campaign-kits/<int:pk>/edit/",
        campaign_views.kit_edit,
        name="marketing-kit-edit",
    ),
    path(
        "marketing/campaign-kits/<int:pk>/publish/",
        campaign_views.kit_publish,
        name="marketing-kit-publish",
    ),
    path(
        "marketing/campaign-kits/<int:pk>/retire/",
        campaign_views.kit_retire,
        name="marketing-kit-retire",
    ),
    path(
        "marketing/campaign-kits/<int:pk>/launch/",
        campaign_views.kit_launch,
        name="marketing-kit-launch",
    ),
    path("marketing/campaigns/", campaign_views.campaign_list, name="marketing-campaign-list"),
    path(
        "marketing/campaigns/<int:pk>/",
        campaign_views.campaign_detail,
        name="marketing-campaign-detail",
    ),
]

# --- The campaign's e-mail sequence (issue #21, item 3) ---
urlpatterns += [
    path(
        "marketing/campaigns/<int:pk>/contacts/",
        sequence_views.contact_list,
        name="marketing-campaign-contacts",
    ),
    path(
        "marketing/campaigns/<int:pk>/contacts/upload/",
        sequence_views.contact_upload,
        name="marketing-contact-upload",
    ),
    path(
        "marketing/campaigns/<int:pk>/contacts/<int:contact_pk>/remove/",
        sequence_views.contact_remove,
        name="marketing-contact-remove",
    ),
    path(
        "marketing/campaigns/<int:pk>/sequence/start/",
        sequence_views.sequence_start,
        name="marketing-sequence-start",
    ),
    path(
        "marketing/campaigns/<int:pk>/sequence/pause/",
        sequence_views.sequence_pause,
        name="marketing-sequence-pause",
    ),
    path(
        "marketing/campaigns/<int:pk>/sequence/resume/",
        sequence_views.sequence_resume,
        name="marketing-sequence-resume",
    ),
]
