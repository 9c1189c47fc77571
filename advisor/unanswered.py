"""Which role lacks answers, and which of its questions are unanswered (docs/product.md §4, §9).

An `undetermined` result leads to "change my answers", naming the role whose answers cover too
little of it and that role's unanswered questions. This module is the one place that works that
out for the pages (the result page's box and the change page's list).

Both come from the stored result, as the engine left them (`policy` with the `min_coverage` it
was scored with, `unanswered`: role slug -> question slugs); nothing is worked out again. Every
stored result has them since migration 0005 re-scored the fit model's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from advisor.types import Snapshot, StoredResult


@dataclass(frozen=True)
class UnansweredQuestion:
    slug: str
    text: str


@dataclass(frozen=True)
class RoleLackingAnswers:
    slug: str
    name: str
    questions: tuple[UnansweredQuestion, ...]  # in question order


def roles_lacking_answers(*, content: Snapshot, result: StoredResult) -> list[RoleLackingAnswers]:
    """The roles of `content` (a snapshot) whose coverage in `result` is below `min_coverage`,
    each with its unanswered questions; empty when every role has enough."""
    min_coverage = Fraction(str(result["policy"]["min_coverage"]))
    coverage = result["coverage"]
    stored = result["unanswered"]
    texts = {q["slug"]: q["text"] for q in content["questions"]}
    lacking = []
    for role in content["roles"]:
        role_coverage = coverage.get(role["slug"])
        if role_coverage is not None and Fraction(str(role_coverage)) >= min_coverage:
            continue
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
