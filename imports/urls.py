"""Portal URLs of CSV imports."""

from django.urls import path

from imports import views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/jobs/<int:pk>/", views.import_job, name="import-job"),
    path("imports/jobs/<int:pk>/start/", views.import_start, name="import-start"),
    path("imports/jobs/<int:pk>/status.json", views.import_status, name="import-status"),
    path("imports/jobs/<int:pk>/errors.csv", views.import_errors, name="import-errors"),
    path("imports/<slug:kind>/", views.import_upload, name="import-upload"),
]
