"""What a result shows, shaped from an assessment's snapshot, stored result and answers.

Result pages read only what the assessment froze when it was saved — `assessment.snapshot.content`
(question texts, option labels, role texts, advice…), `assessment.result` (the dict of
`services.result_as_dict`) and `assessment.answers` — never the current criteria, so editing the
criteria later changes nothing on an existing result (docs/product.md §5). The functions here are
pure — no request, no query, no cache (only the in-process index of immutable snapshots) — so
the result page and the printed report share `result_context` and the partials under
`templates/includes/`. Fetch an assessment through `selectors.result_queryset()` (one query).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisor import models, scoring, snapshots, unanswered
from advisor.types import (
    CaseStudySnapshot,
    CompetencySnapshot,
    ResponsibilitySnapshot,
    RoleSnapshot,
    Snapshot,
    StoredResponsibility,
    StoredResult,
)

# The result page's headline: a sentence per outcome, not the outcome's label.
OUTCOME_HEADLINES = {
    scoring.PRODUCT_OWNER: gettext_lazy("Hire a product owner"),
    scoring.PRODUCT_MANAGER: gettext_lazy("Hire a product manager"),
    scoring.BOTH: gettext_lazy("Hire both roles"),
    scoring.NEITHER: gettext_lazy("Neither role yet"),
    scoring.UNDETERMINED: gettext_lazy("Not enough answers to advise"),
}
# The headline for `both`, by lead hire.
BOTH_HEADLINES = {
    scoring.PRODUCT_MANAGER: gettext_lazy("Hire both roles, a product manager first"),
    scoring.PRODUCT_OWNER: gettext_lazy("Hire both roles, a product owner first"),
}
# A sentence that names an outcome ("… to give Both") uses its label, models.Outcome.
NOT_ANSWERED = gettext_lazy("Not answered")
# The line of results stored before the policy was recorded with them (docs/scoring.md).
DEFAULT_MIN_NEED = 0.65

TOP_DRIVERS = 3
SNAPSHOT_CACHE_SIZE = 32

# The needs chart's geometry, in SVG user units. Labels sit above their bars so the chart stays
# narrow: on a 375 px phone it is drawn about 1:1 and its 13-unit text stays above 12 px.
CHART_WIDTH = 360
CHART_LABEL_WIDTH = 0  # the tracks start at the left edge; labels are above them
CHART_TRACK_WIDTH = 290
CHART_LINE_HEIGHT = 16  # one line of a label
CHART_BAR_HEIGHT = 12
CHART_ROW_GAP = 8
CHART_GROUP_GAP = 12
CHART_TOP = 4
CHART_AXIS_HEIGHT = 22
CHART_LABEL_CHARACTERS = 46  # a label wraps after about this many characters


@dataclass(frozen=True)
class SnapshotIndex:
    """A snapshot's content reorganised for lookups; built once per content hash."""

    content: Snapshot
    questions: dict[str, dict[str, Any]]  # slug -> {"text", "section", "labels": {key: label}}
    roles: dict[str, RoleSnapshot]  # by slug
    responsibilities: dict[str, ResponsibilitySnapshot]  # by slug
    competencies: list[CompetencySnapshot]
    case_study: CaseStudySnapshot | None


_index_lock = threading.Lock()
_index_cache: dict[str, SnapshotIndex] = {}


def snapshot_index(content_hash: str, content: Snapshot) -> SnapshotIndex:
    """The lookups for a snapshot, cached in-process by its content hash (content never changes)."""
    index = _index_cache.get(content_hash)
    if index is None:
        index = SnapshotIndex(
            content=content,
            questions={
                q["slug"]: {
                    "text": q["text"],
                    "section": q["section"],
                    "labels": {o["key"]: o["label"] for o in q["options"]},
                    "values": {o["key"]: o["value"] for o in q["options"]},
                }
                for q in content["questions"]
            },
            roles={role["slug"]: role for role in content["roles"]},
            responsibilities={
                r["slug"]: r for role in content["roles"] for r in role["responsibilities"]
            },
            competencies=content.get("competencies") or [],
            case_study=content.get("case_study"),
        )
        with _index_lock:
            if len(_index_cache) >= SNAPSHOT_CACHE_SIZE:
                _index_cache.pop(next(iter(_index_cache)))
            _index_cache[content_hash] = index
    return index


# Roles in display order: the recommended role (the lead hire for `both`) first, else the
# product manager first — the engine's rule, for stored results.
role_order = scoring.role_order


def headline(outcome: str, lead: str | None) -> str:
    if outcome == scoring.BOTH and lead in BOTH_HEADLINES:
        return str(BOTH_HEADLINES[lead])
    return str(OUTCOME_HEADLINES[outcome])


def min_need_of(result: StoredResult) -> float:
    """The line a result was scored against: recorded with it (the needs model)."""
    policy = result.get("policy")
    min_need = None if policy is None else policy["min_need"]
    return DEFAULT_MIN_NEED if min_need is None else float(min_need)


def policy_texts(result: StoredResult) -> dict[str, str]:
    """The policy a result was scored with, as percentages (the report's method appendix)."""
    policy: dict[str, Any] = {**(result.get("policy") or {})}
    return {
        key: percent_text(policy.get(key)) for key in ("min_coverage", "min_need", "focus_share")
    } | {"min_need": percent_text(min_need_of(result))}


def _percent(value: float) -> Decimal:
    """A stored 0..1 figure (four decimals) as a percentage with one decimal, halves away from
    zero like every rounding of docs/scoring.md (0.5625 -> 56.3)."""
    return (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: float | None) -> float | None:
    """A 0..1 figure as a percentage with one decimal."""
    return None if value is None else float(_percent(value))


def percent_text(value: float | None) -> str:
    """A 0..1 figure as localised text: "75%", "21.4%"; a dash for None."""
    if value is None:
        return "–"
    number = _percent(value)
    digits = 0 if number == number.to_integral_value() else 1
    return _("%(number)s%%") % {"number": formats.number_format(number, digits)}


def _label(index: SnapshotIndex, question: str, key: str | None) -> str:
    if key is None:
        return str(NOT_ANSWERED)
    return index.questions[question]["labels"].get(key, key)


def _statement(index: SnapshotIndex, question: str) -> str:
    """A question's statement quoted inside a sentence, without its full stop."""
    return _("“%(statement)s”") % {
        "statement": index.questions[question]["text"].strip().rstrip(".")
    }


def _in_sentence(text: str) -> str:
    """A responsibility's text inside a sentence: "Managing the backlog" -> "managing the
    backlog" (an acronym such as "R&D roadmaps" keeps its capital)."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _focus_words(
    result: StoredResult, role: str, index: SnapshotIndex, limit: int | None = None
) -> str:
    """The role's focus in the article's words, most needed first."""
    return _joined(
        [
            _in_sentence(index.responsibilities[r["slug"]]["text"])
            for r in _ranked_focus(result, role)[:limit]
        ]
    )


def _ranked_focus(result: StoredResult, role: str) -> list[StoredResponsibility]:
    """A role's focus responsibilities, most needed first (criteria order on ties)."""
    focus = [r for r in result["responsibilities"] if r["role"] == role and r["focus"]]
    # A focus responsibility always has a need (docs/scoring.md).
    return sorted(focus, key=lambda r: -(r["need"] or 0))


def _strongest_answer(
    result: StoredResult, role: str, answers: dict, index: SnapshotIndex, voice: str = "you"
) -> str | None:
    """“Strongly agree” to “We want to…”: of the answers that add most to the role's need, the
    one highest on its scale (the first of them on a tie). For a team (`voice="team"`),
    `answers` holds the scale option nearest each pooled value."""
    drivers = [d["question"] for d in result["drivers"] if d["role"] == role][:TOP_DRIVERS]
    if not drivers:
        return None

    def value(question: str) -> Decimal:
        chosen = index.questions[question]["values"].get(answers.get(question))
        return Decimal(chosen) if chosen is not None else Decimal(-1)

    question = max(drivers, key=value)  # max() keeps the first of equal values
    if voice == "team":
        return _("the team mostly answered “%(answer)s” to %(statement)s") % {
            "answer": _label(index, question, answers.get(question)),
            "statement": _statement(index, question),
        }
    return _("you answered “%(answer)s” to %(statement)s") % {
        "answer": _label(index, question, answers.get(question)),
        "statement": _statement(index, question),
    }


def _role_name(index: SnapshotIndex, role: str) -> str:
    snapshot = index.roles.get(role)
    return (snapshot and snapshot["name"]) or str(models.Outcome(role).label)


def _responsibility_text(index: SnapshotIndex, slug: str) -> str:
    snapshot = index.responsibilities.get(slug)
    return slug if snapshot is None else snapshot["text"]


def summary_text(
    result: StoredResult,
    content: Snapshot,
    answers: dict[str, str],
    *,
    content_hash: str = "",
    listed: bool = False,
    voice: str = "you",
) -> str:
    """The plain-language summary (docs/scoring.md): one to three sentences, no formula words and
    no figures. The page shows the verdict as its headline; `summary_with_verdict` adds it.
    With `listed`, an undetermined result's unanswered questions are left to the list the page
    shows beside it (`includes/lacking_answers.html`) instead of being named in the sentence.
    With `voice="team"`, the result is a team's pooled verdict and `answers` the scale option
    nearest each pooled value (docs/teams.md): "the team mostly answered “Agree” to …"."""
    index = snapshot_index(content_hash or _content_key(content), content)
    outcome, lead = result["outcome"], result.get("lead")
    if outcome == scoring.UNDETERMINED:
        return " ".join(_missing_answers(result, index, listed))
    sentences = []
    needed = [role for role in role_order(outcome, lead) if _needed(result, role)]
    for role in needed:
        because = _strongest_answer(result, role, answers, index, voice)
        values = {
            "role": _role_name(index, role).lower(),
            "focus": _focus_words(result, role, index),
            "because": because,
        }
        if role == needed[0]:
            sentences.append(
                _(
                    "What your company needs most is a %(role)s's work — %(focus)s — mainly "
                    "because %(because)s."
                )
                % values
            )
        else:
            sentences.append(
                _("It also needs a %(role)s for %(focus)s, mainly because %(because)s.") % values
            )
    if outcome == scoring.BOTH:
        first, second = role_order(outcome, lead)
        sentences.append(
            _("Hire the %(first)s first; the %(second)s can follow.")
            % {
                "first": _role_name(index, first).lower(),
                "second": _role_name(index, second).lower(),
            }
        )
    elif outcome == scoring.NEITHER:
        sentences.append(
            (
                _(
                    "Even the work the team's answers call for most — %(po_top)s for a product "
                    "owner, %(pm_top)s for a product manager — stays below what calls for a "
                    "hire. Revisit when the product or the team grows."
                )
                if voice == "team"
                else _(
                    "Even the work your answers call for most — %(po_top)s for a product owner, "
                    "%(pm_top)s for a product manager — stays below what calls for a hire. "
                    "Revisit when the product or the team grows."
                )
            )
            % {
                "po_top": _focus_words(result, scoring.PRODUCT_OWNER, index, limit=1),
                "pm_top": _focus_words(result, scoring.PRODUCT_MANAGER, index, limit=1),
            }
        )
    else:
        other = role_order(outcome, lead)[1]
        sentences.append(
            (
                _("A %(role)s is not needed yet: the team's answers call less for %(focus)s.")
                if voice == "team"
                else _("A %(role)s is not needed yet: your answers call less for %(focus)s.")
            )
            % {
                "role": _role_name(index, other).lower(),
                "focus": _focus_words(result, other, index),
            }
        )
    return " ".join(sentences)


def summary_with_verdict(result: StoredResult, content: Snapshot, answers: dict[str, str]) -> str:
    """ "Hire a product manager: your company needs …" (what `recommend` prints)."""
    summary = summary_text(result, content, answers)
    return _("%(verdict)s: %(summary)s") % {
        "verdict": headline(result["outcome"], result.get("lead")),
        "summary": summary[:1].lower() + summary[1:],
    }


def _missing_answers(result: StoredResult, index: SnapshotIndex, listed: bool) -> list[str]:
    """For `undetermined`: which role lacks answers, and (unless `listed` beside the summary, as
    the result page does) its unanswered questions."""
    lacking = unanswered.roles_lacking_answers(content=index.content, result=result)
    if listed:
        return [
            _("Too few questions about the work of the %(roles)s were answered to advise.")
            % {"roles": _joined([role.name.lower() for role in lacking])}
        ]
    return [
        _(
            "Too few questions about the %(role)s's work were answered to advise — still "
            "unanswered: %(questions)s."
        )
        % {
            "role": role.name.lower(),
            "questions": "; ".join(_statement(index, q.slug) for q in role.questions),
        }
        for role in lacking
    ]


# What the team result (advisor/team_presentation.py) words the same way as a single result.
role_name = _role_name
option_label = _label
statement_in_sentence = _statement
joined = _joined


def _needed(result: StoredResult, role: str) -> bool:
    need = result["need"].get(role)
    return need is not None and need >= min_need_of(result)


def _content_key(content: Snapshot) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of about `width` characters, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def driver_rows(result: StoredResult, answers: dict, index: SnapshotIndex) -> list[dict[str, Any]]:
    """Per role in display order: its top answers in the questions' own words (for a team, the
    scale options nearest the pooled values)."""
    rows = []
    for slug in role_order(result["outcome"], result.get("lead")):
        drivers = [d for d in result["drivers"] if d["role"] == slug][:TOP_DRIVERS]
        rows.append(
            {
                "slug": slug,
                "name": _role_name(index, slug),
                "needed": _needed(result, slug),
                "drivers": [
                    {
                        "question": index.questions[d["question"]]["text"],
                        "answer": _label(index, d["question"], answers.get(d["question"])),
                        "points_text": percent_text(d["contribution"]),
                    }
                    for d in drivers
                ],
            }
        )
    return rows


def needs_chart(result: StoredResult, index: SnapshotIndex) -> dict[str, Any]:
    """Coordinates for the SVG needs profile: per role (display order) its need, then each of
    its responsibilities' needs, the focus marked, and the line at min_need. Strings, so
    templates never localise them."""
    min_need = min_need_of(result)
    by_role: dict[str, list[StoredResponsibility]] = {}
    for r in result["responsibilities"]:
        by_role.setdefault(r["role"], []).append(r)
    rows = []
    y = CHART_TOP
    for role in role_order(result["outcome"], result.get("lead")):
        need = result["need"].get(role)
        entries: list[dict[str, Any]] = [
            {
                "kind": "role",
                "slug": role,
                "label": _role_name(index, role),
                "need": need,
                "focus": False,
                "needed": need is not None and need >= min_need,
            }
        ]
        for r in by_role.get(role, []):
            entries.append(
                {
                    "kind": "responsibility",
                    "slug": role,
                    "label": _responsibility_text(index, r["slug"]),
                    "need": r["need"],
                    "focus": r["focus"],
                    "needed": False,
                }
            )
        for entry in entries:
            label = entry["label"]
            if entry["need"] is None:
                label = _("%(label)s (not answered)") % {"label": label}
            lines = [
                {"text": line, "y": str(y + (i + 1) * CHART_LINE_HEIGHT - 4)}
                for i, line in enumerate(_wrapped(label, CHART_LABEL_CHARACTERS))
            ]
            y += len(lines) * CHART_LINE_HEIGHT
            rows.append(
                {
                    **entry,
                    "lines": lines,
                    "y": str(y),
                    "text_y": str(y + CHART_BAR_HEIGHT - 1),
                    "width": f"{CHART_TRACK_WIDTH * (entry['need'] or 0):.1f}",
                    "value_text": percent_text(entry["need"]),
                }
            )
            y += CHART_BAR_HEIGHT + CHART_ROW_GAP
        y += CHART_GROUP_GAP
    height = y - CHART_GROUP_GAP + CHART_AXIS_HEIGHT
    line_x = CHART_LABEL_WIDTH + CHART_TRACK_WIDTH * min_need
    line_text = percent_text(min_need)
    description = " ".join(
        [
            *(
                _("%(name)s: %(need)s%(focus)s.")
                % {
                    "name": row["label"],
                    "need": row["value_text"],
                    "focus": _(", in focus") if row["focus"] else "",
                }
                for row in rows
            ),
            _("A role is needed from %(line)s.") % {"line": line_text},
        ]
    )
    return {
        "description": description,
        "line_label": _("needed from %(line)s") % {"line": line_text},
        "width": str(CHART_WIDTH),
        "height": str(height),
        "track_x": str(CHART_LABEL_WIDTH),
        "track_width": str(CHART_TRACK_WIDTH),
        "bar_height": str(CHART_BAR_HEIGHT),
        "value_x": str(CHART_LABEL_WIDTH + CHART_TRACK_WIDTH + 6),
        "rows": rows,
        "line_x": f"{line_x:.1f}",
        "line_bottom": str(height - CHART_AXIS_HEIGHT + 4),
        "line_label_y": str(height - 6),
    }


NUMBER_WORDS = {
    1: gettext_lazy("one answer"),
    2: gettext_lazy("two answers"),
    3: gettext_lazy("three answers"),
}


def sensitivity_text(
    result: StoredResult, answers: dict, index: SnapshotIndex
) -> SafeString | None:
    """How firm the verdict is, in one sentence; None when undetermined (not computed)."""
    sensitivity = result["sensitivity"]
    if sensitivity is None:
        return None
    needed = sensitivity["changes_needed"]
    outcome_after = sensitivity["outcome_after"]
    if needed is None or outcome_after is None:
        return format_html("{}", _("No change of up to three answers would change the verdict."))
    changes = [
        format_html(
            _("{question} from {before} to {after}"),
            question=format_html(
                "“{}”", index.questions[c["question"]]["text"].strip().rstrip(".")
            ),
            before=_label(index, c["question"], c["from"]),
            after=_label(index, c["question"], c["to"]),
        )
        for c in sensitivity["nearest"]
    ]
    joined = format_html_join(_(" and "), "{}", ((c,) for c in changes))
    return format_html(
        _("It would take {count} changing — {changes} — to give {outcome}."),
        count=NUMBER_WORDS[needed],
        changes=joined,
        outcome=format_html("<em>{}</em>", models.Outcome(outcome_after).label),
    )


def method_rows(result: StoredResult, index: SnapshotIndex) -> list[dict[str, Any]]:
    """The figures behind the verdict, for "How RoleFit works this out" (formula words allowed)."""
    rows = []
    for slug in role_order(result["outcome"], result.get("lead")):
        rows.append(
            {
                "name": _role_name(index, slug),
                "need_text": percent_text(result["need"].get(slug)),
                "coverage_text": percent_text(result["coverage"].get(slug)),
                "focus": [
                    _responsibility_text(index, r["slug"]) for r in _ranked_focus(result, slug)
                ],
            }
        )
    return rows


# A notes line that starts a list item: "- ", "* " or "• " (bullets), "1. " or "1) " (numbers).
_BULLET = re.compile(r"^\s*[-*•]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<text>.*)$")


def notes_html(text: str) -> SafeString:
    """Notes as people type them, as HTML: blank lines separate paragraphs, a run of lines
    starting with "- " (or "* ", "• ") is a list, "1. " a numbered list; other line breaks stay.
    Every piece of text is escaped: nothing in the notes becomes markup, a link or an attribute.
    """
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def close_paragraph() -> None:
        if paragraph:
            blocks.append(
                "<p>" + "<br>".join(conditional_escape(line) for line in paragraph) + "</p>"
            )
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if items:
            body = "".join(f"<li>{conditional_escape(item)}</li>" for item in items)
            blocks.append(f"<{list_tag}>{body}</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        item = bullet or numbered
        if not line.strip():
            close_paragraph()
            close_list()
        elif item:
            close_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag and tag != list_tag:
                close_list()
            list_tag = tag
            items.append(item["text"])
        elif items and raw[:1].isspace():
            items[-1] += " " + line.strip()  # an indented line continues the item above
        else:
            close_list()
            paragraph.append(line.strip())
    close_paragraph()
    close_list()
    return mark_safe("\n".join(blocks))  # every piece of text is escaped above


def role_brief(result: StoredResult, slug: str, index: SnapshotIndex) -> dict[str, Any]:
    """Next steps for a role to hire: what the hire will own first — its focus responsibilities,
    most needed first, from the stored result — and the rest of the role's work; a start for a
    job description."""
    focus = [r["slug"] for r in _ranked_focus(result, slug)]
    others = [r["slug"] for r in result["responsibilities"] if r["role"] == slug and not r["focus"]]

    def text(responsibility: str) -> str:
        found = index.responsibilities.get(responsibility)
        return found["text"] if found else responsibility

    return {
        "slug": slug,
        "name": _role_name(index, slug),
        "summary": index.roles[slug]["summary"],
        "when_to_hire": index.roles[slug]["when_to_hire"],
        "owns_first": [text(r) for r in focus],
        "also": [text(r) for r in others],
    }


def roles_to_hire(outcome: str, lead: str | None) -> list[str]:
    """The role(s) the advice says to hire, the lead hire first; none for neither or
    undetermined."""
    return {
        scoring.PRODUCT_OWNER: [scoring.PRODUCT_OWNER],
        scoring.PRODUCT_MANAGER: [scoring.PRODUCT_MANAGER],
        scoring.BOTH: list(role_order(outcome, lead)),
    }.get(outcome, [])


def roles_context(result: StoredResult, index: SnapshotIndex) -> dict[str, Any]:
    """The role(s) a result recommends and what goes with them (`sections_context`'s role keys):
    their texts, when to revisit them (neither), and for a product manager what to look for and
    the case study."""
    outcome, lead = result["outcome"], result.get("lead")
    show_pm_evidence = outcome in (scoring.PRODUCT_MANAGER, scoring.BOTH)
    return {
        "recommended_roles": [role_texts(slug, index) for slug in roles_to_hire(outcome, lead)],
        "revisit_roles": [role_texts(slug, index) for slug in role_order(outcome, lead)]
        if outcome == scoring.NEITHER
        else [],
        "show_pm_evidence": show_pm_evidence,
        "competencies": index.competencies if show_pm_evidence else [],
        "case_study": index.case_study if show_pm_evidence else None,
    }


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


def company_context_text(assessment: models.Assessment) -> str:
    """The company context in words, "51–250 people · Fintech" (docs/product.md §9): the size
    band's label and the industry, whichever were given; "" when neither was."""
    size = assessment.get_company_size_display() if assessment.company_size else ""
    return " · ".join(str(part) for part in (size, assessment.industry) if part)


def result_context(assessment: models.Assessment) -> dict[str, Any]:
    """Everything the result page and the report show of `assessment`.

    Reads `assessment.snapshot`, `.result`, `.answers`, `.criteria_version` and its own fields,
    so fetch it through `selectors.result_queryset()` for a one-query page. Keys: `assessment`
    and those of `sections_context`.
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
    content: Snapshot,
    result: StoredResult,
    answers: dict,
    criteria_version: str,
    first_used_at: datetime | None,
) -> dict[str, Any]:
    """What `includes/result_article.html` shows of a result, saved or not (the admin's preview).

    Every figure comes from the stored result (the engine's); nothing is recomputed here. Keys:

    - `outcome` (slug), `lead`, `headline`, `summary` (plain language), `advice`
    - `chart`: geometry for `includes/needs_chart.html`; `drivers`: per role in display order,
      its top answers; `sensitivity`: one sentence (safe HTML), None when undetermined
    - `method_roles`, `min_need_text`: the figures for "How RoleFit works this out"
    - `recommended_roles` (PO / PM / both) and `revisit_roles` (neither): role texts
    - `show_pm_evidence`, `competencies`, `case_study`: what great PMs excel at and the case study
    - `answer_sections`, `criteria_version` (full hash), `criteria_version_short`,
      `criteria_first_used_at`
    """
    index = snapshot_index(content_hash, content)
    outcome, lead = result["outcome"], result.get("lead")
    return {
        "outcome": outcome,
        "lead": lead,
        "headline": headline(outcome, lead),
        "summary": summary_text(result, content, answers, content_hash=content_hash, listed=True),
        "advice": snapshots.advice_text(content, outcome, lead),
        "chart": needs_chart(result, index),
        "drivers": driver_rows(result, answers, index),
        "sensitivity": sensitivity_text(result, answers, index),
        "method_roles": method_rows(result, index),
        "min_need_text": percent_text(min_need_of(result)),
        **roles_context(result, index),
        "answer_sections": answer_sections(answers, index),
        "criteria_version": criteria_version,
        "criteria_version_short": criteria_version[:12],
        "criteria_first_used_at": first_used_at,
    }
