from django.urls import path

from prm import tenant_data_views as views

urlpatterns = [
    path("tenant-data/", views.tenant_data_home, name="tenant-data"),
    path("tenant-data/exports/", views.export_create, name="tenant-data-export"),
    path(
        "tenant-data/exports/<int:pk>/download/",
        views.export_download,
        name="tenant-data-export-download",
    ),
    path("tenant-data/deletion/", views.deletion_create, name="tenant-data-delete"),
    path("tenant-data/deletion/cancel/", views.deletion_cancel, name="tenant-data-delete-cancel"),
]
