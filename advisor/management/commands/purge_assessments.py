"""Delete assessments older than a retention period (README "Data retention")."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from advisor import services

# 1,000 years: far beyond any retention period, and a cutoff date Python can still represent
# (999999999999 days was an OverflowError).
MAX_DAYS = 365_000
DAYS_MISSING = "--older-than DAYS is required (a whole number of days, at least 1)."
DAYS_INVALID = "--older-than must be a whole number of days, at least 1, not {value!r}."
DAYS_TOO_MANY = "--older-than must be at most {max_days} days (1,000 years), not {value}."
PURGE_FAILED = "cannot purge assessments (nothing was deleted): {error}"


class Command(BaseCommand):
    help = "Delete assessments created more than DAYS days ago (answers, results, notes)."

    def add_arguments(self, parser):
        # Validated in handle() so every mistake is one line, not argparse's usage text.
        parser.add_argument("--older-than", metavar="DAYS", help="Retention period in days.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than is None:
            raise CommandError(DAYS_MISSING)
        if not older_than.isascii() or not older_than.isdigit() or int(older_than) < 1:
            raise CommandError(DAYS_INVALID.format(value=older_than))
        days = int(older_than)
        if days > MAX_DAYS:
            raise CommandError(DAYS_TOO_MANY.format(max_days=MAX_DAYS, value=older_than))
        try:
            count = services.assessments_purge(older_than_days=days, dry_run=dry_run)
        except DatabaseError as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(PURGE_FAILED.format(error=first_line)) from None
        noun = "assessment" if count == 1 else "assessments"
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} {noun} older than {days} days.")
