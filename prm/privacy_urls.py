from django.urls import path

from prm import privacy_views as views

urlpatterns = [
    path("privacy/", views.privacy_home, name="privacy"),
    path("privacy/export/<str:token>/", views.privacy_export_download, name="privacy-export"),
    path("privacy/erase/<int:pk>/", views.privacy_erase, name="privacy-erase"),
]
