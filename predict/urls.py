from django.urls import path

from predict import views

urlpatterns = [
    path("predict/", views.model_list, name="predict-models"),
    path("predict/settings/", views.settings_edit, name="predict-settings"),
    path("predict/ipp/<int:pk>/accept/", views.ipp_accept, name="predict-ipp-accept"),
    path("predict/<str:task>/", views.model_detail, name="predict-model"),
    path("predict/<str:task>/train/", views.model_train, name="predict-train"),
]
