from django.urls import path

from dealreg import views

urlpatterns = [
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/new/", views.deal_new, name="deal-new"),
    path("deals/review/", views.review_queue, name="deal-review"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/status.json", views.deal_status, name="deal-status"),
    path("rules/", views.rules, name="rules"),
    path("named-accounts/", views.named_accounts, name="named-accounts"),
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/inbox/", views.lead_inbox, name="lead-inbox"),
]
