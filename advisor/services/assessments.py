"""Assessments, as services: scoring answers into the stored result, creating and deleting
assessments, the consultants' notes, and data retention."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advisor import models, rendercache, scoring, selectors
from advisor.services.criteria import CriteriaBundle, criteria_current
from advisor.types import StoredResult

# ---------------------------------------------------------------------------------------------
# Results


def result_as_dict(
    result: scoring.Result, *, policy: scoring.Policy, criteria_version: str
) -> StoredResult:
    """What an assessment stores as its result: the engine's `Result` as JSON, numbers rounded
    (`scoring.to_float`), with the model's name and the policy it was scored with.

    `recommend --json` prints the keys of docs/product.md §6 from it (`unanswered` and `policy` are
    for the pages: an undetermined result names the unanswered questions, the chart draws the
    line the result was scored against).
    """
    to_float = scoring.to_float
    sensitivity = result.sensitivity
    return {
        "outcome": result.outcome,
        "lead": result.lead,
        "need": {r.role: to_float(r.need) for r in result.roles},
        "coverage": {r.role: to_float(r.coverage) for r in result.roles},
        "responsibilities": [
            {"slug": r.slug, "role": r.role, "need": to_float(r.need), "focus": r.focus}
            for r in result.responsibilities
        ],
        "drivers": [
            {"question": d.question, "role": d.role, "contribution": to_float(d.contribution)}
            for d in result.drivers
        ],
        "sensitivity": None
        if sensitivity is None
        else {
            "changes_needed": sensitivity.changes_needed,
            "outcome_after": sensitivity.outcome_after,
            "nearest": [
                {"question": c.question, "from": c.from_key, "to": c.to_key}
                for c in sensitivity.nearest
            ],
        },
        "unanswered": {r.role: list(r.unanswered) for r in result.roles},
        "model": scoring.MODEL,
        "policy": {
            "min_coverage": to_float(policy.min_coverage),
            "min_need": to_float(policy.min_need),
            "focus_share": to_float(policy.focus_share),
        },
        "criteria_version": criteria_version,
    }


def answers_score(*, answers: dict[str, str], bundle: CriteriaBundle | None = None) -> StoredResult:
    """Score answers against the current criteria without saving anything.

    Raises scoring.CriteriaError when the criteria cannot score and scoring.AnswerError for bad
    answers.
    """
    bundle = bundle or criteria_current()
    if not bundle.ready or bundle.criteria is None:
        raise scoring.CriteriaError(" ".join(bundle.problems))
    result = scoring.score(bundle.criteria, answers)
    return result_as_dict(result, policy=bundle.criteria.policy, criteria_version=bundle.version)


def assessment_create(
    *,
    company: str,
    answers: dict[str, str],
    respondent_name: str = "",
    respondent_email: str = "",
    company_size: str = "",
    industry: str = "",
    bundle: CriteriaBundle | None = None,
) -> models.Assessment:
    """Score and save an assessment with its version and snapshot, all or nothing.

    `company_size` (a `models.CompanySize` key) and `industry` are the optional company context
    of docs/product.md §9: stored and shown, never scored.

    Once the bundle's version and snapshot rows exist (every submission but the first), the save
    is one INSERT, atomic on its own: an explicit transaction would add two round trips to the
    database (BEGIN, COMMIT) to the busiest write. The first submission of a criteria version
    makes those rows and the assessment in one transaction.
    """
    bundle = bundle or criteria_current()
    result = answers_score(answers=answers, bundle=bundle)
    fields = {
        "company": company,
        "respondent_name": respondent_name,
        "respondent_email": respondent_email,
        "company_size": company_size,
        "industry": industry,
        "answers": dict(answers),
        "result": result,
        "outcome": result["outcome"],
    }
    ids = selectors.version_and_snapshot_ids(
        version=bundle.version, content_hash=bundle.content_hash
    )
    if ids is not None:
        return models.Assessment.objects.create(
            **fields, criteria_version_id=ids[0], snapshot_id=ids[1]
        )
    with transaction.atomic():
        version, _created = models.CriteriaVersion.objects.get_or_create(version=bundle.version)
        snapshot, _created = models.CriteriaSnapshot.objects.only("pk").get_or_create(
            content_hash=bundle.content_hash, defaults={"content": bundle.content}
        )
        return models.Assessment.objects.create(
            **fields, criteria_version=version, snapshot=snapshot
        )


@transaction.atomic
def assessment_delete(*, assessment: models.Assessment) -> None:
    """Delete an assessment; its shared snapshot and version hold no personal data and stay.
    A team respondent's assessment leaves the team result: the team's last change moves."""
    from advisor.services import team as team_services  # it imports this package

    team_id = assessment.team_id
    with transaction.atomic():
        # Its rendered pages too (advisor/rendercache.py), once the delete commits.
        rendercache.forget_on_commit([assessment.pk])
        assessment.delete()
        if team_id is not None:
            team_obj = models.Team.objects.select_related("snapshot", "criteria_version").get(
                pk=team_id
            )
            team_services.team_respondents_changed(team_obj)


# ---------------------------------------------------------------------------------------------
# Consultants' notes

# The notes form shows these same messages on its fields (forms.NotesForm).
TEXT_NUL_CHARACTER = gettext_noop("Remove the NUL character (\\0) from this text.")
TEXT_TOO_LONG = gettext_noop(
    "Keep this to at most %(limit_value)d characters (it has %(show_value)d)."
)


def assessment_notes_update(
    *,
    assessment: models.Assessment,
    consultant_notes: str,
    prepared_for: str,
    prepared_by: str,
    private_notes: str | None = None,
) -> models.Assessment:
    """Save a consultant's notes and the report's “prepared for / by” on an assessment.

    `consultant_notes` are the client-visible notes of the report; `private_notes` stay in the
    workspace (None leaves them as they are). Raises ValidationError for text the database would
    refuse (NUL characters, too long).
    """
    limits = {
        "consultant_notes": (consultant_notes, models.NOTES_MAX_LENGTH),
        "prepared_for": (prepared_for, models.PREPARED_MAX_LENGTH),
        "prepared_by": (prepared_by, models.PREPARED_MAX_LENGTH),
        "private_notes": (private_notes or "", models.NOTES_MAX_LENGTH),
    }
    errors = {}
    for name, (text, limit) in limits.items():
        if "\x00" in text:
            errors[name] = ValidationError(
                _(TEXT_NUL_CHARACTER), code="null_characters_not_allowed"
            )
        elif len(text) > limit:
            errors[name] = ValidationError(
                _(TEXT_TOO_LONG),
                code="max_length",
                params={"limit_value": limit, "show_value": len(text)},
            )
    if errors:
        raise ValidationError(errors)
    assessment.consultant_notes = consultant_notes
    assessment.prepared_for = prepared_for
    assessment.prepared_by = prepared_by
    fields = ["consultant_notes", "prepared_for", "prepared_by"]
    if private_notes is not None:
        assessment.private_notes = private_notes
        fields.append("private_notes")
    assessment.save(update_fields=fields)
    return assessment


# ---------------------------------------------------------------------------------------------
# Data retention


def assessments_purge(*, older_than_days: int, dry_run: bool = False) -> int:
    """Delete the assessments created more than `older_than_days` days ago; return how many.

    All or nothing. Snapshots and criteria versions stay: they hold no personal data.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    # A team is old when its last answer is (docs/product.md §8): then it goes whole, with all its
    # respondents; a team nobody answered is old when it was started. A recent answer keeps
    # the team and all its earlier answers.
    last_answer = Coalesce(Max("respondents__created_at"), "created_at")
    with transaction.atomic():
        old_teams = list(
            models.Team.objects.alias(last=last_answer)
            .filter(last__lt=cutoff)
            .values_list("pk", flat=True)
        )
        old = models.Assessment.objects.filter(
            Q(team__isnull=True, created_at__lt=cutoff) | Q(team__in=old_teams)
        )
        if dry_run:
            return old.count()
        # Their rendered pages too (advisor/rendercache.py), once the delete commits.
        rendercache.forget_on_commit(old.values_list("pk", flat=True))
        _total, per_model = old.delete()
        models.Team.objects.filter(pk__in=old_teams).delete()
    return per_model.get(models.Assessment._meta.label, 0)
