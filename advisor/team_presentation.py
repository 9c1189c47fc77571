"""What the team result page and the team report show, shaped from `services.team.team_result`
(docs/product.md §8).

Pure: no query, no request. Every figure comes from the computed team result (the engine's
verdict and `advisor.team`'s arithmetic); this module only puts it into words and geometry,
reusing the single result's partials (`presentation`) and the report's parts (`report_parts`)
for the team verdict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisor import models, presentation, report_parts, scoring, snapshots
from advisor.types import QuestionSnapshot, Snapshot

AGREEMENT_WORDS = {
    "very high": gettext_lazy("very high"),
    "high": gettext_lazy("high"),
    "moderate": gettext_lazy("moderate"),
    "low": gettext_lazy("low"),
}

# A question's stacked bar, in SVG user units; the colours run from light to dark along the
# scale, "not sure" (off the scale) grey. Each has at least 3:1 contrast with the white page.
BAR_WIDTH = 300
BAR_HEIGHT = 18
SCALE_COLOURS = ("#8c6bb1", "#6a51a3", "#54278f", "#3f007d", "#2a0054")
OFF_SCALE_COLOUR = "#8a8f96"


def _scale_colours(count: int) -> list[str]:
    """`count` colours spread evenly over SCALE_COLOURS."""
    if count <= 1:
        return list(SCALE_COLOURS[-1:]) * count
    last = len(SCALE_COLOURS) - 1
    return [SCALE_COLOURS[round(i * last / (count - 1))] for i in range(count)]


def agreement_text(value: float | None, label: str | None) -> str:
    if value is None or label is None:
        return _("not enough answers")
    return _("%(words)s (%(percent)s)") % {
        "words": AGREEMENT_WORDS[label],
        "percent": presentation.percent_text(value),
    }


def stacked_bar(question: dict, snapshot_question: QuestionSnapshot, total: int) -> dict[str, Any]:
    """Segments of one question's distribution, in option order, with an accessible summary."""
    options = snapshot_question["options"]
    on_scale = [o for o in options if o["value"] is not None]
    colour = dict(zip((o["key"] for o in on_scale), _scale_colours(len(on_scale)), strict=True))
    segments = []
    x = 0.0
    counted = []
    for option in options:
        count = question["distribution"].get(option["key"], 0)
        if not count:
            continue
        width = BAR_WIDTH * count / total if total else 0
        segments.append(
            {
                "x": f"{x:.1f}",
                "width": f"{width:.1f}",
                "fill": colour.get(option["key"], OFF_SCALE_COLOUR),
                "label": option["label"],
                "count": count,
            }
        )
        counted.append(_("%(label)s: %(count)s") % {"label": option["label"], "count": count})
        x += width
    return {
        "segments": segments,
        "width": str(BAR_WIDTH),
        "height": str(BAR_HEIGHT),
        "description": ", ".join(counted) or _("no answers"),
    }


def _possessive(name: str) -> str:
    return _("%(name)s's") % {"name": name}


def pivotal_sentence(names: list[str], statement: str, answer: str, outcome: str) -> str:
    """ "If the team took Ann Lee's view on “…” (Agree), the advice would be Product manager." """
    return _(
        "If the team took %(whose)s view on %(statement)s (%(answer)s), the advice would be "
        "%(outcome)s."
    ) % {
        "whose": presentation.joined([_possessive(name) for name in names]),
        "statement": statement,
        "answer": answer,
        "outcome": models.Outcome(outcome).label,
    }


def team_context(
    *,
    computed: dict[str, Any],
    labels: list[str],
    titles: list[str],
    detail: bool,
    content_hash: str,
    content: Snapshot,
) -> dict[str, Any]:
    """Everything the team result page shows. `labels`/`titles`: the respondents' names (or
    "Respondent n") and job titles in display order; `detail`: whether per-respondent detail may
    be shown (`services.team.shows_detail`)."""
    index = presentation.snapshot_index(content_hash, content)
    verdict = computed["verdict"]
    outcome, lead = verdict["outcome"], verdict.get("lead")
    respondents = computed["respondents"]
    context: dict[str, Any] = {
        "respondent_count": respondents,
        "detail": detail,
        "outcome": outcome,
        "lead": lead,
        "headline": presentation.headline(outcome, lead),
        "chart": presentation.needs_chart(verdict, index),
        "min_need_text": presentation.percent_text(presentation.min_need_of(verdict)),
        "role_needs": [
            {
                "name": presentation.role_name(index, role),
                "need_text": presentation.percent_text(verdict["need"].get(role)),
            }
            for role in presentation.role_order(outcome, lead)
        ],
    }
    if not detail or not respondents:
        return context
    snapshot_questions = {q["slug"]: q for q in content["questions"]}
    numbers = report_parts.question_numbers(content)
    context.update(
        {
            "summary": verdict["summary"],
            "advice": snapshots.advice_text(content, outcome, lead),
            "drivers": presentation.driver_rows(verdict, computed["nearest"], index),
            "agreement_text": agreement_text(computed["agreement"], computed["agreement_label"]),
            "agreeing": computed["agreeing"],
            "individual": [
                {
                    "label": labels[row["place"]],
                    "title": titles[row["place"]],
                    "headline": presentation.headline(row["outcome"], row["lead"]),
                    "agrees": row["outcome"] == outcome,
                    "needs": [
                        {
                            "name": presentation.role_name(index, role),
                            "need_text": presentation.percent_text(row["need"].get(role)),
                        }
                        for role in scoring.ROLES
                    ],
                }
                for row in computed["individual"]
            ],
            # Numbered and ordered as the report's appendix cites them (sections together).
            "questions": [
                {
                    "number": numbers[q["question"]],
                    "slug": q["question"],
                    "text": snapshot_questions[q["question"]]["text"],
                    "section": snapshot_questions[q["question"]]["section"],
                    "answered": q["answered"],
                    "nearest": presentation.option_label(
                        index, q["question"], computed["nearest"].get(q["question"])
                    ),
                    "agreement_text": agreement_text(q["agreement"], q["agreement_label"]),
                    "low": q["agreement_label"] == "low",
                    "bar": stacked_bar(q, snapshot_questions[q["question"]], respondents),
                }
                for q in sorted(computed["questions"], key=lambda q: numbers[q["question"]])
            ],
            "pivotal": [
                pivotal_sentence(
                    [labels[place] for place in p["places"]],
                    presentation.statement_in_sentence(index, p["question"]),
                    presentation.option_label(index, p["question"], p["answer"]),
                    p["outcome"],
                )
                for p in computed["pivotal"]
            ],
            "agenda": [
                {
                    "text": index.questions[slug]["text"],
                    "pivotal": any(p["question"] == slug for p in computed["pivotal"]),
                }
                for slug in computed["agenda"]
            ],
        }
    )
    return context


def team_report_context(
    *,
    computed: dict[str, Any],
    detail: bool,
    content_hash: str,
    content: Snapshot,
    criteria_version: str,
    first_used_at: datetime | None,
) -> dict[str, Any]:
    """What the team report shows beyond the team result page (docs/product.md §8, like §7): the
    role(s) to hire with their briefs, and the appendix — needs by responsibility with the team's
    answers linked, the method's figures, the criteria version. Without per-respondent detail
    (or without respondents) only the criteria version: the report then shows the outcome and
    the role needs only, as the team result page does."""
    context: dict[str, Any] = {
        "criteria_version_short": criteria_version[:12],
        "criteria_first_used_at": first_used_at,
    }
    if not detail or not computed["respondents"]:
        return context
    verdict = computed["verdict"]
    index = presentation.snapshot_index(content_hash, content)
    context.update(
        {
            **presentation.roles_context(verdict, index),
            "role_briefs": report_parts.role_briefs(verdict, index),
            "when_to_hire_roles": report_parts.when_to_hire_roles(verdict, index),
            "policy": presentation.policy_texts(verdict),
            "responsibility_table": report_parts.responsibility_table(
                content, verdict, computed["nearest"]
            ),
        }
    )
    return context
