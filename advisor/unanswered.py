"""Which role lacks answers, and which of its questions are unanswered (PRODUCT.md §4, §9).

An `undetermined` result leads to "change my answers", naming the role whose answers cover too
little of it and that role's unanswered questions. This module is the one place that works that
out for the pages (the result page's box and the change page's list).

MERGE NOTE (issue 11, the needs engine): the engine's result will name the roles lacking answers
itself; then read them from the stored result here instead of comparing its coverage with the
snapshot's `min_coverage`. The unanswered questions stay a lookup in the snapshot and the answers:
the active questions linked to a responsibility of the role whose answer has no value.
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


def roles_lacking_answers(
    *, content: dict[str, Any], result: dict[str, Any], answers: dict[str, Any]
) -> list[RoleLackingAnswers]:
    """The roles of `content` (a snapshot) whose coverage in `result` is below the policy's
    `min_coverage`, each with its unanswered questions; empty when every role has enough."""
    policy = content.get("policy") or {}
    min_coverage = Fraction(policy.get("min_coverage") or 0)
    coverage = result.get("coverage") or {}
    lacking = []
    for role in content["roles"]:
        role_coverage = coverage.get(role["slug"])
        if role_coverage is not None and Fraction(str(role_coverage)) >= min_coverage:
            continue
        responsibilities = {r["slug"] for r in role["responsibilities"]}
        questions = tuple(
            UnansweredQuestion(slug=q["slug"], text=q["text"])
            for q in content["questions"]
            if q.get("active", True)
            and any(link["responsibility"] in responsibilities for link in q["links"])
            and not _answered(q, answers)
        )
        lacking.append(
            RoleLackingAnswers(slug=role["slug"], name=role["name"], questions=questions)
        )
    return lacking
