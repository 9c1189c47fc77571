from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from advisor import accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    # Only sign-in and sign-out: RoleFit sends no email, so no password-reset pages.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Where LOGIN_REDIRECT_URL sends a user without a `next`: where their work is.
    path("accounts/home/", accounts.landing, name="landing"),
    path("", include("advisor.urls")),
]
