"""What a result shows, shaped from an assessment's snapshot, stored result and answers.

Result pages read only what the assessment froze when it was saved — `assessment.snapshot.content`
(question texts, option labels, role texts, advice…), `assessment.result` (the dict of
`services.result_as_dict`) and `assessment.answers` — never the current criteria, so editing the
criteria later changes nothing on an existing result (PRODUCT.md §5). The functions here are pure
(no request, no query beyond the one of `result_queryset`), so the result page and the printed
report share `result_context` and the partials under `templates/includes/`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from advisor import models, scoring

OUTCOME_HEADLINES = {
    scoring.PRODUCT_OWNER: gettext_lazy("Hire a product owner"),
    scoring.PRODUCT_MANAGER: gettext_lazy("Hire a product manager"),
    scoring.BOTH: gettext_lazy("Both roles are needed"),
    scoring.NEITHER: gettext_lazy("Neither role yet"),
    scoring.UNDETERMINED: gettext_lazy("Not enough answers to advise"),
}
# The outcome's name where a sentence names it ("… would give Both").
OUTCOME_NAMES = {
    scoring.PRODUCT_OWNER: gettext_lazy("Product owner"),
    scoring.PRODUCT_MANAGER: gettext_lazy("Product manager"),
    scoring.BOTH: gettext_lazy("Both"),
    scoring.NEITHER: gettext_lazy("Neither"),
    scoring.UNDETERMINED: gettext_lazy("Undetermined"),
}
NOT_ANSWERED = gettext_lazy("Not answered")

# Below this coverage a result rests on few answers and the page says so, even when the outcome
# is not `undetermined` (whose threshold is the policy's min_coverage).
THIN_COVERAGE = 0.75
TOP_DRIVERS = 3
SNAPSHOT_CACHE_SIZE = 32
RESULT_CACHE_SECONDS = 10 * 60

# The fit chart's geometry, in SVG user units (the chart scales with its container).
CHART_WIDTH = 400
CHART_LABEL_WIDTH = 132
CHART_TRACK_WIDTH = 206
CHART_ROW_HEIGHT = 44
CHART_BAR_HEIGHT = 28
CHART_TOP = 8
CHART_AXIS_HEIGHT = 28


def result_queryset():
    """Assessments with what result pages read, in one query."""
    return models.Assessment.objects.select_related("snapshot", "criteria_version")


@dataclass(frozen=True)
class SnapshotIndex:
    """A snapshot's content reorganised for lookups; built once per content hash."""

    questions: dict[str, dict[str, Any]]  # slug -> {"text", "section", "labels": {key: label}}
    roles: dict[str, dict[str, Any]]  # slug -> the snapshot's role dict
    advice: dict[str, str]
    competencies: list[dict[str, str]]
    case_study: dict[str, Any] | None
    min_fit: float


_index_lock = threading.Lock()
_index_cache: dict[str, SnapshotIndex] = {}


def snapshot_index(content_hash: str, content: dict[str, Any]) -> SnapshotIndex:
    """The lookups for a snapshot, cached in-process by its content hash (content never changes)."""
    index = _index_cache.get(content_hash)
    if index is None:
        policy = content.get("policy") or {}
        index = SnapshotIndex(
            questions={
                q["slug"]: {
                    "text": q["text"],
                    "section": q["section"],
                    "labels": {o["key"]: o["label"] for o in q["options"]},
                }
                for q in content["questions"]
            },
            roles={role["slug"]: role for role in content["roles"]},
            advice=content.get("advice") or {},
            competencies=content.get("competencies") or [],
            case_study=content.get("case_study"),
            min_fit=float(policy.get("min_fit") or 0),
        )
        with _index_lock:
            if len(_index_cache) >= SNAPSHOT_CACHE_SIZE:
                _index_cache.pop(next(iter(_index_cache)))
            _index_cache[content_hash] = index
    return index


def role_order(outcome: str) -> tuple[str, str]:
    """Roles in display order (scoring.driver_order): recommended first, else PM first."""
    # driver_order reads only the outcome of a Result.
    return scoring.driver_order(
        scoring.Result(outcome=outcome, scores=(), drivers=(), sensitivity=None)
    )


def percent(value: float | None) -> float | None:
    """A 0..1 figure as a percentage with one decimal."""
    return None if value is None else round(value * 100, 1)


def percent_text(value: float | None) -> str:
    """A 0..1 figure as localised text: "75%", "21.4%"; a dash for None."""
    if value is None:
        return "–"
    number = round(value * 100, 1)
    digits = 0 if number == int(number) else 1
    return _("%(number)s%%") % {"number": formats.number_format(number, digits)}


def _label(index: SnapshotIndex, question: str, key: str | None) -> str:
    if key is None:
        return str(NOT_ANSWERED)
    return index.questions[question]["labels"].get(key, key)


def role_results(result: dict, answers: dict, index: SnapshotIndex) -> list[dict[str, Any]]:
    """Fit, coverage and top drivers per role, in display order."""
    rows = []
    for slug in role_order(result["outcome"]):
        role = index.roles.get(slug, {"name": str(OUTCOME_NAMES[slug])})
        fit = result["fit"].get(slug)
        coverage = result["coverage"].get(slug, 0.0)
        drivers = [d for d in result["drivers"] if d["role"] == slug][:TOP_DRIVERS]
        fit_text = percent_text(fit)
        if fit is None:
            figures = _("no fit: none of its statements was answered")
        else:
            figures = _("fit %(fit)s, answers cover %(coverage)s of what matters for it") % {
                "fit": fit_text,
                "coverage": percent_text(coverage),
            }
        rows.append(
            {
                "slug": slug,
                "name": role["name"],
                "fit": fit,
                "fit_percent": percent(fit),
                "fit_text": fit_text,
                "coverage": coverage,
                "coverage_percent": percent(coverage),
                "thin": coverage < THIN_COVERAGE,
                "figures": figures,
                "drivers": [
                    {
                        "question": index.questions[d["question"]]["text"],
                        "answer": _label(index, d["question"], answers.get(d["question"])),
                        "points": percent(d["contribution"]),
                        "points_text": _("+%(points)s points")
                        % {"points": formats.number_format(percent(d["contribution"]), 1)},
                    }
                    for d in drivers
                ],
            }
        )
    return rows


def fit_chart(rows: list[dict[str, Any]], min_fit: float) -> dict[str, Any]:
    """Coordinates for the SVG fit chart (strings, so templates never localise them)."""
    bars = []
    for i, row in enumerate(rows):
        y = CHART_TOP + i * CHART_ROW_HEIGHT
        width = CHART_TRACK_WIDTH * (row["fit"] or 0)
        bars.append(
            {
                "row": row,
                "y": str(y),
                "text_y": str(y + CHART_BAR_HEIGHT / 2 + 5),
                "width": f"{width:.1f}",
                "value_x": f"{CHART_LABEL_WIDTH + CHART_TRACK_WIDTH + 8}",
            }
        )
    height = CHART_TOP + len(rows) * CHART_ROW_HEIGHT + CHART_AXIS_HEIGHT
    threshold_x = CHART_LABEL_WIDTH + CHART_TRACK_WIDTH * min_fit
    needed = percent_text(min_fit)
    description = " ".join(
        [
            *(
                _("%(role)s: %(fit)s.")
                % {
                    "role": row["name"],
                    "fit": _("not enough answers") if row["fit"] is None else row["fit_text"],
                }
                for row in rows
            ),
            _("A role is needed from a fit of %(needed)s.") % {"needed": needed},
        ]
    )
    return {
        "description": description,
        "threshold_label": _("needed: %(needed)s") % {"needed": needed},
        "width": str(CHART_WIDTH),
        "height": str(height),
        "label_width": str(CHART_LABEL_WIDTH - 8),
        "track_x": str(CHART_LABEL_WIDTH),
        "track_width": str(CHART_TRACK_WIDTH),
        "bar_height": str(CHART_BAR_HEIGHT),
        "bars": bars,
        "threshold_x": f"{threshold_x:.1f}",
        "threshold_bottom": str(height - CHART_AXIS_HEIGHT + 4),
        "threshold_label_y": str(height - 8),
    }


def sensitivity_text(result: dict, answers: dict, index: SnapshotIndex) -> SafeString | None:
    """The sensitivity sentence, question texts and the outcome after emphasised; None when
    undetermined (not computed)."""
    sensitivity = result["sensitivity"]
    if sensitivity is None:
        return None
    needed = sensitivity["changes_needed"]
    if needed is None:
        return format_html("{}", _("This outcome holds unless more than three answers change."))
    changes = [
        format_html(
            _("changing {question} from {before} to {after}"),
            question=format_html("<em>{}</em>", index.questions[c["question"]]["text"]),
            before=_label(index, c["question"], c["from"]),
            after=_label(index, c["question"], c["to"]),
        )
        for c in sensitivity["nearest"]
    ]
    if len(changes) > 1:
        changes = [format_html_join(", ", "{}", ((c,) for c in changes[:-1])), changes[-1]]
    joined = format_html_join(_(" and "), "{}", ((c,) for c in changes))
    holds = ngettext(
        "This outcome holds unless at least {n} answer changes.",
        "This outcome holds unless at least {n} answers change.",
        needed,
    ).format(n=needed)
    return format_html(
        _("{holds} Nearest: {changes} would give {outcome}."),
        holds=holds,
        changes=joined,
        outcome=format_html("<em>{}</em>", OUTCOME_NAMES[sensitivity["outcome_after"]]),
    )


def role_texts(slug: str, index: SnapshotIndex) -> dict[str, Any]:
    role = index.roles[slug]
    return {
        "slug": slug,
        "name": role["name"],
        "summary": role["summary"],
        "when_to_hire": role["when_to_hire"],
        "responsibilities": [r["text"] for r in role["responsibilities"]],
    }


def answer_sections(answers: dict, index: SnapshotIndex) -> list[dict[str, Any]]:
    """The respondent's answers as question text → option label, grouped by section."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for slug, question in index.questions.items():
        key = answers.get(slug)
        sections.setdefault(question["section"], []).append(
            {"question": question["text"], "answer": _label(index, slug, key), "key": key}
        )
    return [{"section": title, "items": items} for title, items in sections.items()]


def result_context(assessment: models.Assessment) -> dict[str, Any]:
    """Everything the result page and the report show of `assessment`.

    Reads `assessment.snapshot`, `.result`, `.answers`, `.criteria_version` and its own fields,
    so fetch it through `result_queryset()` for a one-query page. Keys: `assessment` and those of
    `sections_context`.
    """
    snapshot = assessment.snapshot
    result = assessment.result
    return {
        "assessment": assessment,
        **sections_context(
            content_hash=snapshot.content_hash,
            content=snapshot.content,
            result=result,
            answers=assessment.answers,
            criteria_version=result.get("criteria_version") or assessment.criteria_version.version,
            first_used_at=assessment.criteria_version.first_used_at,
        ),
    }


def sections_context(
    *,
    content_hash: str,
    content: dict[str, Any],
    result: dict,
    answers: dict,
    criteria_version: str,
    first_used_at: datetime | None,
) -> dict[str, Any]:
    """What `includes/result_article.html` shows of a result, saved or not (the admin's preview).

    Keys:

    - `outcome` (slug), `headline`, `advice`
    - `roles`: per role in display order — `name`, `fit`/`fit_percent` (None with nothing answered),
      `coverage`/`coverage_percent`, `thin`, `drivers` (top three: `question`, `answer`, `points`)
    - `chart`: geometry for `includes/fit_chart.html`
    - `coverage_warning`: True when a role's coverage is thin or the outcome is undetermined
    - `sensitivity`: the sentence (safe HTML), None when undetermined
    - `recommended_roles` (PO / PM / both) and `revisit_roles` (neither): role texts
    - `show_pm_evidence`, `competencies`, `case_study`: what great PMs excel at and the case study
    - `answer_sections`, `criteria_version` (full hash), `criteria_version_short`,
      `criteria_first_used_at`
    """
    index = snapshot_index(content_hash, content)
    outcome = result["outcome"]
    roles = role_results(result, answers, index)
    order = role_order(outcome)
    recommended = {
        scoring.PRODUCT_OWNER: [scoring.PRODUCT_OWNER],
        scoring.PRODUCT_MANAGER: [scoring.PRODUCT_MANAGER],
        scoring.BOTH: list(order),
    }.get(outcome, [])
    show_pm_evidence = outcome in (scoring.PRODUCT_MANAGER, scoring.BOTH)
    return {
        "outcome": outcome,
        "headline": OUTCOME_HEADLINES[outcome],
        "advice": index.advice.get(outcome, ""),
        "roles": roles,
        "chart": fit_chart(roles, index.min_fit),
        "coverage_warning": outcome == scoring.UNDETERMINED or any(r["thin"] for r in roles),
        "sensitivity": sensitivity_text(result, answers, index),
        "recommended_roles": [role_texts(slug, index) for slug in recommended],
        "revisit_roles": [role_texts(slug, index) for slug in order]
        if outcome == scoring.NEITHER
        else [],
        "show_pm_evidence": show_pm_evidence,
        "competencies": index.competencies if show_pm_evidence else [],
        "case_study": index.case_study if show_pm_evidence else None,
        "answer_sections": answer_sections(answers, index),
        "criteria_version": criteria_version,
        "criteria_version_short": criteria_version[:12],
        "criteria_first_used_at": first_used_at,
    }


def _lookup_sql() -> str:
    """One row per token: the assessment's fields, its snapshot's content hash, its version's date.

    Scalar subqueries rather than joins: PostgreSQL plans them in half the time.
    """
    quote = connection.ops.quote_name
    assessment, snapshot, version = (
        models.Assessment._meta,
        models.CriteriaSnapshot._meta,
        models.CriteriaVersion._meta,
    )
    columns = ", ".join(f"a.{quote(field.column)}" for field in assessment.concrete_fields)
    return (
        f"SELECT {columns},"
        f" (SELECT {quote('content_hash')} FROM {quote(snapshot.db_table)}"
        f" WHERE {quote(snapshot.pk.column)} = a.{quote(assessment.get_field('snapshot').column)}),"
        f" (SELECT {quote('first_used_at')} FROM {quote(version.db_table)}"
        f" WHERE {quote(version.pk.column)}"
        f" = a.{quote(assessment.get_field('criteria_version').column)})"
        f" FROM {quote(assessment.db_table)} a WHERE a.{quote('token')} = %s"
    )


@functools.cache
def _converters(field, vendor: str) -> list:
    """What the ORM applies to `field`'s column as it comes from the database (`vendor`'s)."""
    column = field.get_col(field.model._meta.db_table)
    return [
        (converter, column)
        for converter in connection.ops.get_db_converters(column)
        + column.get_db_converters(connection)
    ]


def _converted(field, value):
    """A column's value as the ORM would load it (JSON decoded, SQLite's dates parsed)."""
    for converter, column in _converters(field, connection.vendor):
        value = converter(value, column, connection)
    return value


def _lookup(token: str) -> models.Assessment | None:
    """The assessment of `token` with `snapshot_content_hash` and `version_first_used_at`.

    A cursor and `Model.from_db`, not `Manager.raw()`: a raw queryset costs twice the query's own
    time to set up.
    """
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = models.Assessment._meta.concrete_fields
    assessment = models.Assessment.from_db(
        connection.alias,
        [field.attname for field in fields],
        [_converted(field, value) for field, value in zip(fields, row, strict=False)],
    )
    assessment.snapshot_content_hash = row[-2]
    first_used_at = models.CriteriaVersion._meta.get_field("first_used_at")
    assessment.version_first_used_at = _converted(first_used_at, row[-1])
    return assessment


def result_page(token: str) -> tuple[models.Assessment, SafeString] | None:
    """The assessment of `token` and its sections (`includes/result_article.html`) as HTML.

    None when no assessment has that token. The sections are cached under a digest of
    everything they show — the snapshot's content hash, the stored result, the answers, the
    version's date and the language — and they show nothing that names the company or the
    respondent: so the cache holds no identifying data, identical results share an entry, and a
    deleted assessment's entry is unreachable (every request looks the token up first).

    One query when the sections are cached: a raw SQL lookup, since compiling the equivalent ORM
    query (two related rows) costs several times more than running it. Two when they are
    rendered.
    """
    assessment = _lookup(token)
    if assessment is None:
        return None
    material = [
        assessment.snapshot_content_hash,
        assessment.result,
        assessment.answers,
        str(assessment.version_first_used_at),
        get_language(),
    ]
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    key = f"rolefit:result:{digest}"
    html = cache.get(key)
    if html is None:
        full = result_queryset().filter(pk=assessment.pk).first()
        if full is None:  # deleted in between
            return None
        html = render_to_string("includes/result_article.html", result_context(full))
        cache.set(key, html, RESULT_CACHE_SECONDS)
    return assessment, mark_safe(html)
