"""Portal URLs of account mapping. This module holds the data pages (each side's accounts
and custom populations); the other parts of account mapping include their own url modules
(accountmap/urls_<part>.py) from prm/urls.py."""

from django.urls import path

from accountmap import views

urlpatterns = [
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:pk>/delete/", views.account_delete, name="account-delete"),
    path("accounts/populations/", views.population_list, name="population-list"),
    path("accounts/populations/new/", views.population_create, name="population-create"),
    path("accounts/populations/<int:pk>/edit/", views.population_edit, name="population-edit"),
    path(
        "accounts/populations/<int:pk>/delete/",
        views.population_delete,
        name="population-delete",
    ),
]
