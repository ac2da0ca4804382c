from django.urls import path

from dealreg import actions, influence_views, lead_views, views

urlpatterns = [
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/new/", views.deal_new, name="deal-new"),
    path("deals/new/submit/", views.deal_new_submit, name="deal-new-submit"),
    path("deals/new/precheck/", views.deal_precheck_view, name="deal-precheck"),
    path("deals/review/", views.review_queue, name="deal-review"),
    path("deals/review/approve/", views.review_approve, name="deal-review-approve"),
    path("deals/review/reject/", views.review_reject, name="deal-review-reject"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/edit/submit/", views.deal_edit_submit, name="deal-edit-submit"),
    path("deals/<int:pk>/edit/precheck/", views.deal_precheck_view, name="deal-edit-precheck"),
    path("deals/<int:pk>/status.json", views.deal_status, name="deal-status"),
    # One URL per action on a deal (POST; see dealreg/actions.py and dealreg/states.py)
    path("deals/<int:pk>/submit/", actions.deal_submit, name="deal-submit"),
    path("deals/<int:pk>/withdraw/", actions.deal_withdraw, name="deal-withdraw"),
    path("deals/<int:pk>/approve/", actions.deal_approve, name="deal-approve"),
    path("deals/<int:pk>/reject/", actions.deal_reject, name="deal-reject"),
    path("deals/<int:pk>/recheck/", actions.deal_recheck, name="deal-recheck"),
    path("deals/<int:pk>/close/", actions.deal_close, name="deal-close"),
    path("deals/<int:pk>/extension/", actions.deal_extend, name="deal-extend"),
    path(
        "deals/<int:pk>/extension/<int:ext>/approve/",
        actions.extension_approve,
        name="deal-extension-approve",
    ),
    path(
        "deals/<int:pk>/extension/<int:ext>/reject/",
        actions.extension_reject,
        name="deal-extension-reject",
    ),
    path("deals/<int:pk>/influencers/", actions.influencer_add, name="deal-influencer-add"),
    path(
        "deals/<int:pk>/influencers/<int:influencer>/approve/",
        actions.influencer_approve,
        name="deal-influencer-approve",
    ),
    path(
        "deals/<int:pk>/influencers/<int:influencer>/edit/",
        actions.influencer_edit,
        name="deal-influencer-edit",
    ),
    path(
        "deals/<int:pk>/influencers/<int:influencer>/reject/",
        actions.influencer_reject,
        name="deal-influencer-reject",
    ),
    path("influence/", influence_views.influence_list, name="influence-list"),
    path("influence/new/", influence_views.influence_new, name="influence-new"),
    path(
        "influence/<int:pk>/approve/",
        influence_views.influence_approve,
        name="influence-approve",
    ),
    path("influence/<int:pk>/reject/", influence_views.influence_reject, name="influence-reject"),
    path(
        "influence/<int:pk>/withdraw/",
        influence_views.influence_withdraw,
        name="influence-withdraw",
    ),
    path("direct-deals/", influence_views.direct_deal_list, name="direct-deal-list"),
    path("direct-deals/<int:pk>/", influence_views.direct_deal_detail, name="direct-deal-detail"),
    path("rules/", views.rules, name="rules"),
    path("named-accounts/", views.named_accounts, name="named-accounts"),
    path("leads/", lead_views.lead_list, name="lead-list"),
    path("leads/<int:pk>/route/", lead_views.lead_route, name="lead-route"),
    path("leads/inbox/", lead_views.lead_inbox, name="lead-inbox"),
    path("leads/offers/<int:pk>/accept/", lead_views.lead_offer_accept, name="lead-offer-accept"),
    path(
        "leads/offers/<int:pk>/decline/", lead_views.lead_offer_decline, name="lead-offer-decline"
    ),
]
