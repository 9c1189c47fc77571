"""The two staff groups of docs/product.md §1 and the permissions each holds.

Created after every `migrate` (fresh databases included) by a `post_migrate` handler: a data
migration would run before Django has created the permissions it needs to grant.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from advisor.models import CRITERIA_MODELS

HR_ADMINS = "HR admins"
CONSULTANTS = "Consultants"

# The two roles and the policy exist exactly once: HR admins edit them but never add or delete them.
EDIT_ONLY_MODELS = ("role", "scoringpolicy")
EDITABLE_MODELS = tuple(
    model._meta.model_name
    for model in CRITERIA_MODELS
    if model._meta.model_name not in EDIT_ONLY_MODELS
)


def _codenames(actions, model_names):
    return [f"{action}_{name}" for name in model_names for action in actions]


GROUP_PERMISSIONS = {
    HR_ADMINS: [
        *_codenames(("change", "view"), EDIT_ONLY_MODELS),
        *_codenames(("add", "change", "delete", "view"), EDITABLE_MODELS),
        *_codenames(
            ("add", "change", "delete", "view"), [f"historical{name}" for name in EDITABLE_MODELS]
        ),
        # Reading the history of the roles and the policy (the criteria history page), and the
        # criteria versions with their assessment counts (no assessment itself).
        *_codenames(("view",), [f"historical{name}" for name in EDIT_ONLY_MODELS]),
        "view_criteriaversion",
        # The site-wide brand (docs/product.md §9): one record, added once, never deleted.
        *_codenames(("add", "change", "view"), ["branding"]),
        "view_historicalbranding",
    ],
    CONSULTANTS: ["use_workspace", "view_assessment", "change_assessment"],
}


def groups_ensure(*, using: str = "default") -> None:
    """Create the groups and grant their permissions; safe to call any number of times.

    Permissions are only added, so ones a superuser granted on top survive a migrate.
    """
    create_permissions(global_apps.get_app_config("advisor"), verbosity=0, using=using)
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        permissions = Permission.objects.using(using).filter(
            content_type__app_label="advisor", codename__in=codenames
        )
        found = {permission.codename for permission in permissions}
        missing = set(codenames) - found
        if missing:
            raise LookupError(f"Permissions missing for group {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def groups_post_migrate(sender, *, using="default", **kwargs) -> None:
    groups_ensure(using=using)
