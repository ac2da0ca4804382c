from django.urls import path

from tenantdata import views

urlpatterns = [
    # Whole-tenant data
    path("tenant-data/", views.tenant_data_home, name="tenant-data"),
    path("tenant-data/exports/", views.export_create, name="tenant-data-export"),
    path(
        "tenant-data/exports/<int:pk>/download/",
        views.export_download,
        name="tenant-data-export-download",
    ),
    path("tenant-data/deletion/", views.deletion_create, name="tenant-data-delete"),
    path("tenant-data/deletion/cancel/", views.deletion_cancel, name="tenant-data-delete-cancel"),
    # Personal data
    path("privacy/", views.privacy_home, name="privacy"),
    path("privacy/export/<str:token>/", views.privacy_export_download, name="privacy-export"),
    path("privacy/erase/<int:pk>/", views.privacy_erase, name="privacy-erase"),
]
