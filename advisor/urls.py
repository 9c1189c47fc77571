from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
]
