"""The HR admins and Consultants groups, and the adduser command that gives accounts access."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from advisor import groups
from advisor.management.commands import adduser

PASSWORD = "a-long-enough-passphrase-42"

CRITERIA_EDITABLE = [
    "responsibility",
    "competency",
    "casestudy",
    "casestudyresult",
    "question",
    "answeroption",
    "questionlink",
]


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


@pytest.mark.django_db
def test_hr_admins_edit_criteria_and_see_no_assessments():
    perms = codenames(groups.HR_ADMINS)
    for model in ("role", "scoringpolicy"):
        assert {f"change_{model}", f"view_{model}"} <= perms
        assert f"add_{model}" not in perms
        assert f"delete_{model}" not in perms
    for model in CRITERIA_EDITABLE:
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{model}" in perms
            assert f"{action}_historical{model}" in perms
    assert not {p for p in perms if p.endswith("assessment") or p == "use_workspace"}


@pytest.mark.django_db
def test_consultants_use_the_workspace_and_nothing_of_the_criteria():
    assert codenames(groups.CONSULTANTS) == {
        "use_workspace",
        "view_assessment",
        "change_assessment",
    }


@pytest.mark.django_db
def test_groups_ensure_is_idempotent_and_keeps_extra_grants():
    extra = Permission.objects.get(codename="view_criteriasnapshot")
    Group.objects.get(name=groups.HR_ADMINS).permissions.add(extra)
    before = codenames(groups.HR_ADMINS)
    groups.groups_ensure()
    groups.groups_ensure()
    assert Group.objects.filter(name__in=[groups.HR_ADMINS, groups.CONSULTANTS]).count() == 2
    assert codenames(groups.HR_ADMINS) == before


@pytest.mark.django_db
def test_groups_are_recreated_on_a_database_without_them():
    Group.objects.all().delete()
    Permission.objects.filter(content_type__app_label="advisor").delete()
    call_command("migrate", verbosity=0)  # nothing to apply; post_migrate still runs
    assert "use_workspace" in codenames(groups.CONSULTANTS)
    assert "change_question" in codenames(groups.HR_ADMINS)


def run_adduser(*args):
    out = io.StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_adduser_creates_an_hr_admin(monkeypatch, django_user_model):
    monkeypatch.setenv("HR_PASSWORD", PASSWORD)
    output = run_adduser(
        "hannah", "--hr-admin", "--email=hannah@example.com", "--password-from-env=HR_PASSWORD"
    )
    user = django_user_model.objects.get(username="hannah")
    assert "Created hannah" in output
    assert user.is_staff and not user.is_superuser
    assert user.email == "hannah@example.com"
    assert user.check_password(PASSWORD)
    assert user.has_perm("advisor.change_questionlink")
    assert user.has_perm("advisor.change_scoringpolicy")
    assert not user.has_perm("advisor.view_assessment")
    assert not user.has_perm("advisor.use_workspace")


@pytest.mark.django_db
def test_adduser_creates_a_consultant_without_admin_access(monkeypatch, django_user_model):
    monkeypatch.setenv("C_PASSWORD", PASSWORD)
    run_adduser("colin", "--consultant", "--password-from-env", "C_PASSWORD")
    user = django_user_model.objects.get(username="colin")
    assert not user.is_staff
    assert user.has_perm("advisor.use_workspace")
    assert user.has_perm("advisor.change_assessment")
    assert not user.has_perm("advisor.change_question")


@pytest.mark.django_db
def test_adduser_updates_an_existing_account_and_keeps_its_password(django_user_model):
    user = django_user_model.objects.create_user("dana", password=PASSWORD)
    output = run_adduser("dana", "--hr-admin", "--email", "dana@example.com")
    user.refresh_from_db()
    assert "Updated dana" in output
    assert user.is_staff and user.email == "dana@example.com"
    assert user.check_password(PASSWORD)
    assert user.groups.filter(name=groups.HR_ADMINS).exists()


@pytest.mark.django_db
def test_adduser_refuses_a_new_account_without_a_password(monkeypatch, django_user_model):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    with pytest.raises(CommandError, match="needs a password"):
        run_adduser("erin", "--consultant")
    assert not django_user_model.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_adduser_refuses_an_unset_variable_and_a_weak_password(monkeypatch, django_user_model):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(CommandError, match=adduser.PASSWORD_ENV_MISSING.format(var="NOPE")):
        run_adduser("erin", "--consultant", "--password-from-env", "NOPE")
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError, match="Password rejected"):
        run_adduser("erin", "--consultant", "--password-from-env", "WEAK")
    assert not django_user_model.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_adduser_asks_for_the_password_in_a_terminal(monkeypatch, django_user_model):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([PASSWORD, PASSWORD + "-typo"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match=adduser.PASSWORDS_DIFFER):
        run_adduser("fay", "--consultant")

    answers = iter([PASSWORD, PASSWORD])
    run_adduser("fay", "--consultant")
    assert django_user_model.objects.get(username="fay").check_password(PASSWORD)


@pytest.mark.django_db
def test_adduser_needs_exactly_one_kind_of_account():
    with pytest.raises(CommandError):
        run_adduser("gil")
    with pytest.raises(CommandError):
        run_adduser("gil", "--hr-admin", "--consultant")
