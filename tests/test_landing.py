"""Landing after sign-in (docs/product.md §1): each user where their work is; an Admin link for
staff."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from advisor import groups

pytestmark = pytest.mark.django_db

PASSWORD = "landing-test-password-7"


@pytest.fixture
def sign_in(client, django_user_model):
    """`sign_in(username, group=..., is_staff=...)`: sign in through the public login form
    without a `next`, as someone typing /accounts/login/ would; returns the response."""

    def go(username, *, group=None, is_staff=False, is_superuser=False):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return client.post(reverse("login"), {"username": username, "password": PASSWORD})

    return go


def landing_of(client, response) -> str:
    """Where the sign-in ends up, following the landing's redirect."""
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("landing")
    landed = client.get(response["Location"])
    return landed["Location"] if landed.status_code == 302 else reverse("landing")


def test_a_consultant_lands_on_the_workspace(client, sign_in):
    response = sign_in("carla", group=groups.CONSULTANTS)
    assert landing_of(client, response) == reverse("advisor:workspace")
    assert client.get(reverse("advisor:workspace")).status_code == 200


def test_an_hr_admin_lands_on_the_admin(client, sign_in):
    response = sign_in("hanna", group=groups.HR_ADMINS, is_staff=True)
    assert landing_of(client, response) == reverse("admin:index")
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert "RoleFit administration" in page.content.decode()


def test_a_superuser_lands_on_the_workspace(client, sign_in):
    response = sign_in("root", is_staff=True, is_superuser=True)
    assert landing_of(client, response) == reverse("advisor:workspace")


def test_an_account_without_a_role_is_told_what_it_can_do(client, sign_in):
    response = sign_in("nobody")
    assert landing_of(client, response) == reverse("landing")
    page = client.get(reverse("landing"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "no RoleFit role yet" in text
    assert groups.CONSULTANTS in text and groups.HR_ADMINS in text
    assert reverse("advisor:assess") in text
    assert page["Cache-Control"].startswith("max-age=0")


def test_a_next_parameter_still_wins(client, sign_in, django_user_model):
    django_user_model.objects.create_user("hanna2", password=PASSWORD, is_staff=True)
    response = client.post(
        reverse("login"), {"username": "hanna2", "password": PASSWORD, "next": "/assess/"}
    )
    assert response["Location"] == "/assess/"


def test_the_landing_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_link_in_the_navigation_for_staff_only(client, django_user_model):
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link not in client.get("/").content.decode()
    consultant = django_user_model.objects.create_user("carla")
    consultant.groups.add(Group.objects.get(name=groups.CONSULTANTS))
    client.force_login(consultant)
    assert admin_link not in client.get("/").content.decode()
    hr_admin = django_user_model.objects.create_user("hanna", is_staff=True)
    client.force_login(hr_admin)
    page = client.get("/").content.decode()
    assert admin_link in page and ">Admin</a>" in page
