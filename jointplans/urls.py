from django.urls import path

from jointplans import views

urlpatterns = [
    path("plans/", views.plan_list, name="jointplan-list"),
    path("plans/new/", views.plan_new, name="jointplan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="jointplan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="jointplan-edit"),
    path("plans/<int:pk>/propose/", views.plan_propose, name="jointplan-propose"),
    path("plans/<int:pk>/withdraw/", views.plan_withdraw, name="jointplan-withdraw"),
    path("plans/<int:pk>/sign/", views.plan_sign, name="jointplan-sign"),
    path("plans/<int:pk>/activate/", views.plan_activate, name="jointplan-activate"),
    path("plans/<int:pk>/close/", views.plan_close, name="jointplan-close"),
    path("plans/<int:pk>/goals/", views.goal_add, name="jointplan-goal-add"),
    path("plans/<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="jointplan-goal-edit"),
    path(
        "plans/<int:pk>/goals/<int:goal_pk>/remove/",
        views.goal_remove,
        name="jointplan-goal-remove",
    ),
    path("plans/<int:pk>/initiatives/", views.initiative_add, name="jointplan-initiative-add"),
    path(
        "plans/<int:pk>/initiatives/<int:item_pk>/edit/",
        views.initiative_edit,
        name="jointplan-initiative-edit",
    ),
    path(
        "plans/<int:pk>/initiatives/<int:item_pk>/status/",
        views.initiative_status,
        name="jointplan-initiative-status",
    ),
    path(
        "plans/<int:pk>/initiatives/<int:item_pk>/remove/",
        views.initiative_remove,
        name="jointplan-initiative-remove",
    ),
]
