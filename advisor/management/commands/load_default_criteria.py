"""Load RoleFit's criteria into the database without ever overwriting an HR admin's edits."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError

from advisor import services, snapshots


class Command(BaseCommand):
    help = (
        "Load the default criteria (or --from FILE) into a database that has none. "
        "Does nothing when criteria exist, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="path",
            type=Path,
            default=snapshots.DEFAULT_CRITERIA_FILE,
            help="A criteria fixture file (e.g. one exported from the admin).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Replace the criteria in the database (asks for confirmation).",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask before --reset.")

    def handle(self, *args, path, reset, yes, **options):
        if not path.is_file():
            raise CommandError(f"No criteria file at {path}.")
        if reset and services.criteria_exist() and not yes:
            answer = input(
                "This replaces every criterion an HR admin edited with the file's. "
                "Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing changed.")
        try:
            count = services.criteria_load(path=path, reset=reset)
        except services.CriteriaExist:
            self.stdout.write(
                "Criteria already exist; nothing loaded (use --reset to replace them)."
            )
            return
        except ValidationError as error:
            raise CommandError("The criteria are not valid: " + " ".join(error.messages)) from None
        except (DeserializationError, ValueError, OSError) as error:
            reason = error.__cause__ or error  # the deserializer wraps the JSON error
            raise CommandError(f"Cannot read {path.name}: {reason}") from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} criteria objects from {path.name}."))
