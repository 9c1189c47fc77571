"""Which role lacks answers, and which of its questions are unanswered (PRODUCT.md §4, §9).

An `undetermined` result leads to "change my answers", naming the role whose answers cover too
little of it and that role's unanswered questions. This module is the one place that works that
out for the pages (the result page's box and the change page's list).

MERGE NOTE (issue 11, the needs engine): a result stored by the needs engine carries `policy`
(with `min_coverage`) and `unanswered` (role slug -> question slugs); both are read from it when
present. Results of the fit engine have neither: then the policy comes from the snapshot and the
unanswered questions are looked up in the snapshot and the answers (the active questions linked
to a responsibility of the role whose answer has no value). Drop that fallback once every stored
result has been re-scored by the needs engine's migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class UnansweredQuestion:
    slug: str
    text: str


@dataclass(frozen=True)
class RoleLackingAnswers:
    slug: str
    name: str
    questions: tuple[UnansweredQuestion, ...]  # in question order


def _answered(question: dict[str, Any], answers: dict[str, Any]) -> bool:
    key = answers.get(question["slug"])
    return any(o["key"] == key and o["value"] is not None for o in question["options"])


def _looked_up(
    content: dict[str, Any], role: dict[str, Any], answers: dict[str, Any]
) -> tuple[UnansweredQuestion, ...]:
    responsibilities = {r["slug"] for r in role["responsibilities"]}
    return tuple(
        UnansweredQuestion(slug=q["slug"], text=q["text"])
        for q in content["questions"]
        if q.get("active", True)
        and any(link["responsibility"] in responsibilities for link in q["links"])
        and not _answered(q, answers)
    )


def roles_lacking_answers(
    *, content: dict[str, Any], result: dict[str, Any], answers: dict[str, Any]
) -> list[RoleLackingAnswers]:
    """The roles of `content` (a snapshot) whose coverage in `result` is below `min_coverage`,
    each with its unanswered questions; empty when every role has enough."""
    policy = result.get("policy") or content.get("policy") or {}
    min_coverage = Fraction(str(policy.get("min_coverage") or 0))
    coverage = result.get("coverage") or {}
    stored = result.get("unanswered")
    texts = {q["slug"]: q["text"] for q in content["questions"]}
    lacking = []
    for role in content["roles"]:
        role_coverage = coverage.get(role["slug"])
        if role_coverage is not None and Fraction(str(role_coverage)) >= min_coverage:
            continue
        if stored is None:
            questions = _looked_up(content, role, answers)
        else:
            slugs = set(stored.get(role["slug"]) or ())
            questions = tuple(
                UnansweredQuestion(slug=slug, text=text)
                for slug, text in texts.items()
                if slug in slugs
            )
        lacking.append(
            RoleLackingAnswers(slug=role["slug"], name=role["name"], questions=questions)
        )
    return lacking
