"""Permission checks in one query (advisor/permissions.py): the same answers as Django's
ModelBackend, for every way a user can hold a permission, and sign-in unchanged."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from advisor import groups, selectors
from advisor.permissions import OneQueryPermissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model):
    """Users holding permissions every way there is: none, directly, through one group,
    through two groups and directly at once, as a superuser, and inactive."""
    made = {
        name: django_user_model.objects.create_user(name, password="pw-123456789")
        for name in ("nobody", "direct", "grouped", "both", "inactive")
    }
    made["root"] = django_user_model.objects.create_superuser("root", password="pw-123456789")
    workspace = Permission.objects.get(codename="use_workspace")
    made["direct"].user_permissions.add(workspace)
    consultants = Group.objects.get(name=groups.CONSULTANTS)
    hr_admins = Group.objects.get(name=groups.HR_ADMINS)
    made["grouped"].groups.add(consultants)
    made["both"].groups.add(consultants, hr_admins)
    made["both"].user_permissions.add(workspace)
    made["inactive"].groups.add(consultants)
    made["inactive"].is_active = False
    made["inactive"].save()
    return made


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache yet


def test_the_same_permissions_as_model_backend_in_one_query(people, django_assert_num_queries):
    for name, user in people.items():
        expected = ModelBackend().get_all_permissions(fresh(user))
        checked = fresh(user)
        with django_assert_num_queries(0 if name == "inactive" else 1):
            assert OneQueryPermissions().get_all_permissions(checked) == expected, name
        with django_assert_num_queries(0):  # kept on the user for the request
            OneQueryPermissions().get_all_permissions(checked)
    assert "advisor.use_workspace" in selectors.permission_names(people["grouped"])
    assert selectors.permission_names(people["nobody"]) == set()
    assert len(selectors.permission_names(people["root"])) == Permission.objects.count()


def test_has_perm_through_every_backend_costs_one_query(people, django_assert_num_queries):
    for name in ("direct", "grouped", "both"):
        user = fresh(people[name])
        with django_assert_num_queries(1):
            assert user.has_perm("advisor.use_workspace")
            assert user.has_perm("advisor.use_workspace")
    nobody = fresh(people["nobody"])
    with django_assert_num_queries(1):  # ModelBackend, asked next, reads the same cache
        assert not nobody.has_perm("advisor.use_workspace")
    assert not fresh(people["inactive"]).has_perm("advisor.use_workspace")


def test_signing_in_is_still_model_backends(client, people):
    """The backend signs nobody in: the login form's session names Django's ModelBackend, so
    sessions made before it existed stay valid."""
    response = client.post(
        reverse("login"), {"username": "grouped", "password": "pw-123456789"}, follow=True
    )
    assert response.status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get(reverse("advisor:workspace")).status_code == 200
    assert (
        OneQueryPermissions().authenticate(None, username="grouped", password="pw-123456789")
        is None
    )
