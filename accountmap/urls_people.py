"""Portal URLs of people mapping (included from prm/urls.py)."""

from django.urls import path

from accountmap import views_people as views

urlpatterns = [
    path("my-accounts/", views.my_accounts, name="my-accounts"),
    path("territories/", views.territory_list, name="territory-list"),
    path("territories/<int:pk>/", views.territory_detail, name="territory-detail"),
    path("territories/<int:pk>/delete/", views.territory_delete, name="territory-delete"),
    path("territories/<int:pk>/reps/", views.territory_rep_add, name="territory-rep-add"),
    path(
        "territories/<int:pk>/reps/<int:member_pk>/remove/",
        views.territory_rep_remove,
        name="territory-rep-remove",
    ),
    path("territories/owners/", views.account_owners, name="account-owners"),
    path(
        "territories/owners/<int:pk>/",
        views.account_owner_assign,
        name="account-owner-assign",
    ),
]
