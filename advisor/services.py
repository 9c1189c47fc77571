"""Between the database and the scoring engine: snapshots, versions, validation and writes.

A *snapshot* is a plain JSON-able dict of everything the result pages show of the criteria. The
engine's input (`scoring.Criteria`) is always derived from a snapshot, so a stored assessment can
be re-read exactly as it was scored. The *criteria version* hashes only the scoring inputs of a
snapshot; the *content hash* hashes all of it (docs/product.md §5).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advisor import models, scoring, snapshots
from advisor.types import QuestionSnapshot, Snapshot, StoredResult

DEFAULT_CRITERIA_FILE = snapshots.DEFAULT_CRITERIA_FILE

CRITERIA_MODELS = models.CRITERIA_MODELS

NOT_READY_NO_QUESTIONS = gettext_noop("There are no active questions.")
NOT_READY_NO_POLICY = gettext_noop("The scoring policy is missing.")
NOT_READY_ROLE = gettext_noop(
    "The role “{role}” has nothing to score: no active question links to it."
)
QUESTION_FEW_OPTIONS = gettext_noop("Question “{slug}” needs at least two answer options.")
QUESTION_NO_LINK = gettext_noop("Question “{slug}” needs at least one link to a responsibility.")
QUESTION_NO_VALUED_OPTION = gettext_noop(
    "Question “{slug}” needs at least one option with a value."
)
QUESTION_RESERVED_SLUG = gettext_noop("The slug “{slug}” is reserved; choose another.")
QUESTION_DUPLICATE_KEY = gettext_noop("Question “{slug}” has the option key “{key}” twice.")
ROLES_MISSING = gettext_noop("The criteria need exactly the two roles {roles}.")


# ---------------------------------------------------------------------------------------------
# Snapshot <-> engine


@overload
def _decimal_text(value: Decimal) -> str: ...
@overload
def _decimal_text(value: Decimal | None) -> str | None: ...
def _decimal_text(value: Decimal | None) -> str | None:
    """A canonical text for a decimal, so 0.5 and 0.500 hash alike."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def _question_snapshot(q: models.Question, *, include_active: bool) -> QuestionSnapshot:
    question: QuestionSnapshot = {
        "slug": q.slug,
        "section": q.section,
        "text": q.text,
        "help_text": q.help_text,
        "options": [
            {"key": o.key, "label": o.label, "value": _decimal_text(o.value)}
            for o in q.options.all()
        ],
        "links": [
            {"responsibility": link.responsibility.slug, "weight": _decimal_text(link.weight)}
            for link in q.links.all()
        ],
    }
    if include_active:
        question["active"] = q.active
    return question


def criteria_snapshot_build(*, include_inactive: bool = False) -> Snapshot:
    """Read the criteria from the database as a snapshot (nine queries, whatever the size)."""
    questions = models.Question.objects.order_by("order", "id").prefetch_related(
        Prefetch("options", queryset=models.AnswerOption.objects.order_by("order", "id")),
        Prefetch(
            "links",
            queryset=models.QuestionLink.objects.select_related("responsibility").order_by(
                "responsibility__role__order", "responsibility__order", "responsibility__slug"
            ),
        ),
    )
    if not include_inactive:
        questions = questions.filter(active=True)
    roles = models.Role.objects.order_by("order", "slug").prefetch_related(
        Prefetch(
            "responsibilities", queryset=models.Responsibility.objects.order_by("order", "slug")
        )
    )
    policy = models.ScoringPolicy.objects.first()
    case_study = models.CaseStudy.objects.prefetch_related("results").order_by("id").first()
    return {
        "model": scoring.MODEL,
        "roles": [
            {
                "slug": role.slug,
                "name": role.name,
                "summary": role.summary,
                "when_to_hire": role.when_to_hire,
                "responsibilities": [
                    {"slug": r.slug, "text": r.text, "weight": _decimal_text(r.weight)}
                    for r in role.responsibilities.all()
                ],
            }
            for role in roles
        ],
        "questions": [_question_snapshot(q, include_active=include_inactive) for q in questions],
        "policy": None
        if policy is None
        else {
            "min_coverage": _decimal_text(policy.min_coverage),
            "min_need": _decimal_text(policy.min_need),
            "focus_share": _decimal_text(policy.focus_share),
        },
        "advice": {} if policy is None else policy.advice(),
        "competencies": [
            {"title": c.title, "description": c.description}
            for c in models.Competency.objects.order_by("order", "id")
        ],
        "case_study": None
        if case_study is None
        else {
            "title": case_study.title,
            "summary": case_study.summary,
            "results": [r.text for r in case_study.results.all()],
        },
    }


def _scoring_inputs(content: Snapshot) -> dict[str, Any]:
    """The part of a snapshot that can change a score (docs/scoring.md), texts left out.

    Responsibilities keep their order: the focus breaks equal needs by it. A question's links
    do not (they only add up).
    """
    return {
        "model": content.get("model"),
        "responsibilities": [
            [r["slug"], role["slug"], r["weight"]]
            for role in content["roles"]
            for r in role["responsibilities"]
        ],
        "questions": [
            {
                "slug": q["slug"],
                "options": [[o["key"], o["value"]] for o in q["options"]],
                "links": sorted([link["responsibility"], link["weight"]] for link in q["links"]),
            }
            for q in content["questions"]
            if q.get("active", True)
        ],
        "policy": content["policy"],
    }


def _digest(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def criteria_version_of(content: Snapshot) -> str:
    return _digest(_scoring_inputs(content))


def content_hash_of(content: Snapshot) -> str:
    return _digest(content)


def criteria_from_snapshot(content: Snapshot) -> scoring.Criteria:
    """The engine's input from a snapshot; raises CriteriaError when it cannot score.

    A snapshot from before the needs model has no `min_need` or `focus_share`: it scores with
    their defaults, as migration 0005 re-scored its assessments.
    """
    policy = content.get("policy")
    if policy is None:
        raise scoring.CriteriaError(NOT_READY_NO_POLICY)
    return scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(slug=r["slug"], role=role["slug"], weight=Fraction(r["weight"]))
            for role in content["roles"]
            for r in role["responsibilities"]
        ),
        questions=tuple(
            scoring.Question(
                slug=q["slug"],
                text=q["text"],
                options=tuple(
                    scoring.Option(key=o["key"], label=o["label"], value=_fraction(o["value"]))
                    for o in q["options"]
                ),
                links=tuple(
                    scoring.Link(
                        responsibility=link["responsibility"], weight=Fraction(link["weight"])
                    )
                    for link in q["links"]
                ),
            )
            for q in content["questions"]
            if q.get("active", True)
        ),
        policy=scoring.Policy(
            min_coverage=Fraction(policy["min_coverage"]),
            min_need=Fraction(policy.get("min_need", models.DEFAULT_MIN_NEED)),
            focus_share=Fraction(policy.get("focus_share", models.DEFAULT_FOCUS_SHARE)),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Validation


def question_problems(question: Mapping[str, Any], *, check_slug: bool = True) -> list[str]:
    """Rules one question must meet, whatever else the criteria hold.

    `check_slug=False` leaves out the reserved-slug rule, for a caller whose form already checks it.
    """
    slug = question["slug"]
    problems = []
    if check_slug and slug in models.RESERVED_SLUGS:
        problems.append(_(QUESTION_RESERVED_SLUG).format(slug=slug))
    keys = [o["key"] for o in question["options"]]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(_(QUESTION_DUPLICATE_KEY).format(slug=slug, key=key))
    if len(question["options"]) < 2:
        problems.append(_(QUESTION_FEW_OPTIONS).format(slug=slug))
    elif all(o["value"] is None for o in question["options"]):
        problems.append(_(QUESTION_NO_VALUED_OPTION).format(slug=slug))
    if not question["links"]:
        problems.append(_(QUESTION_NO_LINK).format(slug=slug))
    return problems


def readiness_problems(content: Snapshot) -> list[str]:
    """Why these criteria cannot score (empty when they can)."""
    problems = []
    active = [q for q in content["questions"] if q.get("active", True)]
    if not active:
        problems.append(_(NOT_READY_NO_QUESTIONS))
    if content["policy"] is None:
        problems.append(_(NOT_READY_NO_POLICY))
    role_of = {
        r["slug"]: role["slug"] for role in content["roles"] for r in role["responsibilities"]
    }
    scored_roles = {role_of.get(link["responsibility"]) for q in active for link in q["links"]}
    for role in content["roles"]:
        if active and role["slug"] not in scored_roles:
            problems.append(_(NOT_READY_ROLE).format(role=role["name"]))
    return problems


def criteria_validate(content: Snapshot | None = None) -> None:
    """Check the cross-object rules of a whole set of criteria; raise ValidationError listing all.

    Without `content`, validates what the database holds now (inactive questions included).
    """
    if content is None:
        content = criteria_snapshot_build(include_inactive=True)
    problems = []
    if sorted(role["slug"] for role in content["roles"]) != sorted(scoring.ROLES):
        problems.append(_(ROLES_MISSING).format(roles=", ".join(scoring.ROLES)))
    for question in content["questions"]:
        problems.extend(question_problems(question))
    problems.extend(readiness_problems(content))
    if problems:
        raise ValidationError(problems)


def question_edit_problems(
    *,
    question: models.Question,
    options: list[dict[str, Any]] | None = None,
    links: list[dict[str, Any]] | None = None,
    check_slug: bool = True,
) -> list[str]:
    """`question_problems` for a question as an edit would leave it (the admin's forms).

    `options` ([{"key", "value"}]) and `links` ([{"responsibility", "weight"}]) are the proposed
    lists; None keeps what the database holds.
    """
    if options is None:
        saved = question.options.all() if question.pk else []
        options = [{"key": o.key, "value": _decimal_text(o.value)} for o in saved]
    if links is None:
        saved_links = question.links.select_related("responsibility") if question.pk else []
        links = [
            {"responsibility": link.responsibility.slug, "weight": _decimal_text(link.weight)}
            for link in saved_links
        ]
    return question_problems(
        {"slug": question.slug, "options": options, "links": links}, check_slug=check_slug
    )


def responsibilities_delete_problems(*, responsibility_ids: set[int]) -> list[str]:
    """What deleting these responsibilities (and with them their links) would break."""
    questions = (
        models.Question.objects.filter(links__responsibility__in=responsibility_ids)
        .distinct()
        .order_by("order", "id")
        .prefetch_related(
            "options",
            Prefetch("links", models.QuestionLink.objects.select_related("responsibility")),
        )
    )
    problems = []
    for question in questions:
        links = [
            {"responsibility": link.responsibility.slug, "weight": _decimal_text(link.weight)}
            for link in question.links.all()
            if link.responsibility_id not in responsibility_ids
        ]
        problems.extend(question_edit_problems(question=question, links=links))
    return problems


# ---------------------------------------------------------------------------------------------
# The current criteria, cached per process and checked against one row per request


@dataclass
class CriteriaBundle:
    """The current criteria as every page needs them; `problems` non-empty means not ready."""

    stamp: str
    content: Snapshot
    content_hash: str
    version: str
    criteria: scoring.Criteria | None
    problems: list[str]
    extras: dict[str, Any] = field(default_factory=dict)  # per-bundle memo (e.g. form choices)

    @property
    def ready(self) -> bool:
        return not self.problems


_bundle_lock = threading.Lock()
_bundle: CriteriaBundle | None = None


def criteria_touch() -> None:
    """Record that the criteria changed (called on every criteria save/delete)."""
    models.CriteriaState.objects.update_or_create(
        singleton=True, defaults={"stamp": uuid.uuid4().hex}
    )


def _current_stamp() -> str:
    # Raw SQL: every page showing the criteria asks, and compiling the ORM query would cost
    # several times more than running it.
    quote = connection.ops.quote_name
    state = models.CriteriaState._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('stamp')} FROM {quote(state.db_table)}"
            f" ORDER BY {quote(state.pk.column)} LIMIT 1"
        )
        row = cursor.fetchone()
    stamp = row[0] if row else None
    if stamp is None:
        stamp, _created = models.CriteriaState.objects.get_or_create(
            singleton=True, defaults={"stamp": uuid.uuid4().hex}
        )
        stamp = stamp.stamp
    return stamp


def criteria_current() -> CriteriaBundle:
    """The current active criteria: one query when nothing changed since the last call."""
    global _bundle
    stamp = _current_stamp()
    bundle = _bundle
    if bundle is not None and bundle.stamp == stamp:
        return bundle
    content = criteria_snapshot_build()
    problems = readiness_problems(content)
    criteria = None
    if not problems:
        try:
            criteria = criteria_from_snapshot(content)
        except scoring.CriteriaError as error:
            problems = [str(error)]
    bundle = CriteriaBundle(
        stamp=stamp,
        content=content,
        content_hash=content_hash_of(content),
        version=criteria_version_of(content),
        criteria=criteria,
        problems=problems,
    )
    with _bundle_lock:
        _bundle = bundle
    return bundle


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
    ids = _existing_version_and_snapshot_ids(bundle)
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


def _existing_version_and_snapshot_ids(bundle: CriteriaBundle) -> tuple[int, int] | None:
    """The ids of the bundle's version and snapshot rows in one query, or None unless both exist.

    Reads neither row's content (a snapshot's JSON is large; the assessment needs only its id).
    Raw SQL, since compiling the ORM's equivalent costs fifteen times more than running it.
    """
    quote = connection.ops.quote_name
    version, snapshot = models.CriteriaVersion._meta, models.CriteriaSnapshot._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT {quote(version.pk.column)} FROM {quote(version.db_table)}"
            f" WHERE {quote('version')} = %s),"
            f" (SELECT {quote(snapshot.pk.column)} FROM {quote(snapshot.db_table)}"
            f" WHERE {quote('content_hash')} = %s)",
            [bundle.version, bundle.content_hash],
        )
        version_id, snapshot_id = cursor.fetchone()
    return None if version_id is None or snapshot_id is None else (version_id, snapshot_id)


@transaction.atomic
def assessment_delete(*, assessment: models.Assessment) -> None:
    """Delete an assessment; its shared snapshot and version hold no personal data and stay.
    A team respondent's assessment leaves the team result: the team's last change moves."""
    from advisor import team_services  # it imports this module

    team_id = assessment.team_id
    with transaction.atomic():
        assessment.delete()
        if team_id is not None:
            team_obj = models.Team.objects.select_related("snapshot", "criteria_version").get(
                pk=team_id
            )
            team_services.team_respondents_changed(team_obj)


# ---------------------------------------------------------------------------------------------
# Loading and exporting criteria


class CriteriaExist(Exception):
    """Criteria are already in the database; loading would overwrite an HR admin's edits."""


def criteria_exist() -> bool:
    return any(model.objects.exists() for model in CRITERIA_MODELS)


def criteria_delete_all() -> None:
    for model in reversed(CRITERIA_MODELS):
        model._default_manager.all().delete()


CRITERIA_OBJECT_INVALID = gettext_noop("The file's %(model)s “%(object)s”: %(problem)s")


def _criteria_object_save(obj) -> None:
    """Validate one deserialized object (constraints and uniqueness against what is loaded so
    far: a reserved slug, a second role or policy) and save it; ValidationError names it."""
    instance = obj.object
    try:
        instance.full_clean()
        # A rule the model does not state (or a race) still ends as a clear error, not a 500.
        with transaction.atomic():
            obj.save()
    except ValidationError as error:
        problem = " ".join(error.messages)
    except IntegrityError as error:
        problem = (str(error).strip().splitlines() or [type(error).__name__])[0]
    else:
        return
    raise ValidationError(
        _(CRITERIA_OBJECT_INVALID)
        % {"model": instance._meta.verbose_name, "object": instance, "problem": problem}
    )


@transaction.atomic
def criteria_load(*, path: Path = DEFAULT_CRITERIA_FILE, reset: bool = False) -> int:
    """Load criteria from a fixture file into the database, validated, all or nothing.

    Raises CriteriaExist when criteria are present and `reset` is false, ValidationError when the
    file's criteria break a rule (nothing is kept then). Returns the number of objects loaded.
    """
    if criteria_exist():
        if not reset:
            raise CriteriaExist
        criteria_delete_all()
    with open(path, encoding="utf-8") as stream:
        objects = list(serializers.deserialize("json", stream, handle_forward_references=True))
    allowed = set(CRITERIA_MODELS)
    for obj in objects:
        if type(obj.object) not in allowed:
            raise ValidationError(
                _("The file holds a %(model)s, which is not criteria.")
                % {"model": obj.object._meta.label}
            )
        _criteria_object_save(obj)
    # Fixture objects are saved "raw", which django-simple-history does not record: start each
    # object's history here, so an HR admin's first edit can be compared and reverted.
    for model in CRITERIA_MODELS:
        loaded = [obj.object for obj in objects if type(obj.object) is model]
        model.history.bulk_history_create(loaded, default_change_reason=f"Loaded {path.name}")
    # The file sets primary keys, so move PostgreSQL's sequences past them (as loaddata does);
    # else the admin's next new question would collide with a loaded one.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), CRITERIA_MODELS):
            cursor.execute(sql)
    criteria_validate()
    return len(objects)


def criteria_export() -> str:
    """The current criteria, inactive questions included, as fixture JSON for criteria_load."""
    querysets = [model.objects.order_by("pk") for model in CRITERIA_MODELS]
    return serializers.serialize(
        "json", [obj for qs in querysets for obj in qs], indent=2, ensure_ascii=False
    )


# ---------------------------------------------------------------------------------------------
# Consultants' notes

# The notes form shows these same messages on its fields (workspace.NotesForm).
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
        _total, per_model = old.delete()
        models.Team.objects.filter(pk__in=old_teams).delete()
    return per_model.get(models.Assessment._meta.label, 0)
