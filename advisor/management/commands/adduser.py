"""Create or update an HR admin's or a consultant's account, with the access docs/product.md §1
gives."""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from advisor import groups

PASSWORD_ENV_MISSING = "The environment variable {var} is not set or empty."
PASSWORD_NEEDED = (
    "A new account needs a password: give --password-from-env VAR, or run in a terminal to be "
    "asked for one."
)
PASSWORDS_DIFFER = "The two passwords differ."
PASSWORD_REJECTED = "Password rejected: {reasons}"


class Command(BaseCommand):
    help = (
        "Create or update an account: --hr-admin (staff, group “HR admins”: edits the criteria in "
        "/admin/) or --consultant (group “Consultants”: the assessment workspace). Sets the "
        "password from --password-from-env VAR, or asks for one (required for a new account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--hr-admin", action="store_true", help="Staff in the group HR admins.")
        kind.add_argument("--consultant", action="store_true", help="In the group Consultants.")
        parser.add_argument("--email", default=None, help="The account's email address.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            default=None,
            help="Read the password from this environment variable (keeps it out of the shell "
            "history and the process list).",
        )

    def handle(self, *args, username, hr_admin, consultant, email, password_from_env, **options):
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        created = user is None
        if created:
            user = user_model(**{user_model.USERNAME_FIELD: username})
        if email is not None:
            user.email = email
        password = self._password(password_from_env, required=created)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(
                    PASSWORD_REJECTED.format(reasons=" ".join(error.messages))
                ) from None
            user.set_password(password)

        group_name = groups.HR_ADMINS if hr_admin else groups.CONSULTANTS
        with transaction.atomic():
            groups.groups_ensure()  # in case migrate ran before the groups existed
            if hr_admin:
                user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
        action = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{action} {username} in the group {group_name}."))

    def _password(self, variable, *, required):
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(PASSWORD_ENV_MISSING.format(var=variable))
            return password
        if not required:
            return None  # an existing account keeps its password
        if not sys.stdin.isatty():
            raise CommandError(PASSWORD_NEEDED)
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError(PASSWORDS_DIFFER)
        return password
