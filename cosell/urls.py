from django.urls import path

from cosell import views

urlpatterns = [
    path("shared/", views.opportunity_list, name="cosell-list"),
    path("shared/open/deal/<int:deal_pk>/", views.open_for_deal, name="cosell-open-deal"),
    path(
        "shared/open/direct/<int:deal_pk>/",
        views.open_for_direct_deal,
        name="cosell-open-direct",
    ),
    path("shared/<int:pk>/", views.opportunity_detail, name="cosell-detail"),
    path("shared/<int:pk>/updates.json", views.opportunity_updates, name="cosell-updates"),
    path("shared/<int:pk>/close/", views.opportunity_close, name="cosell-close"),
    path("shared/<int:pk>/reopen/", views.opportunity_reopen, name="cosell-reopen"),
    path("shared/<int:pk>/partners/", views.partner_add, name="cosell-partner-add"),
    path(
        "shared/<int:pk>/partners/<int:participant_pk>/remove/",
        views.partner_remove,
        name="cosell-partner-remove",
    ),
    path("shared/<int:pk>/people/", views.person_add, name="cosell-person-add"),
    path(
        "shared/<int:pk>/people/<int:team_pk>/remove/",
        views.person_remove,
        name="cosell-person-remove",
    ),
    path("shared/<int:pk>/comments/", views.comment_add, name="cosell-comment-add"),
    path(
        "shared/<int:pk>/comments/<int:comment_pk>/edit/",
        views.comment_edit,
        name="cosell-comment-edit",
    ),
    path(
        "shared/<int:pk>/comments/<int:comment_pk>/delete/",
        views.comment_delete,
        name="cosell-comment-delete",
    ),
    path("shared/<int:pk>/tasks/", views.task_add, name="cosell-task-add"),
    path("shared/<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="cosell-task-done"),
    path(
        "shared/<int:pk>/tasks/<int:task_pk>/undone/",
        views.task_undone,
        name="cosell-task-undone",
    ),
    path("shared/<int:pk>/files/", views.file_upload, name="cosell-file-upload"),
    path(
        "shared/<int:pk>/files/<int:file_pk>/download/",
        views.file_download,
        name="cosell-file-download",
    ),
]
