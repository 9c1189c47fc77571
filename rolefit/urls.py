from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from advisor.views import accounts
from advisor.views import admin as admin_views

urlpatterns = [
    # Before the admin's own: its "view on site" route needs only staff status and follows
    # get_absolute_url(), which for an assessment is the private link (docs/product.md §1).
    re_path(r"^admin/r/", admin_views.view_on_site_closed, name="view_on_site_closed"),
    path("admin/", admin.site.urls),
    # Only sign-in and sign-out: RoleFit sends no email, so no password-reset pages.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Where LOGIN_REDIRECT_URL sends a user without a `next`: where their work is.
    path("accounts/home/", accounts.landing, name="landing"),
    path("", include("advisor.urls")),
]
