"""The sensitivity search's worst case (docs/scoring.md): CPU time at 16 and at 200 questions.

    .venv/bin/python -m benchmarks.sensitivity [--profiles N]

Pure Python, no database. For each size it scores many random profiles — answers on the default
responsibilities, the line moved next to one role's need, where the search works hardest — times
each profile's search (the best of three runs, in CPU time, so a busy machine does not inflate
it), and reports the slowest profile. Goals: ≤ 2 ms at 16 questions, ≤ 50 ms at 200.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from fractions import Fraction

from advisor import scoring, sensitivity

GOALS_MS = {16: 2.0, 200: 50.0}
RESPONSIBILITIES = {
    scoring.PRODUCT_OWNER: ("backlog", "product-goal", "stakeholders", "roadmap-alignment"),
    scoring.PRODUCT_MANAGER: (
        "strategy",
        "tech-roadmap",
        "go-to-market",
        "margins",
        "customers-csuite",
    ),
}
AGREEMENT = tuple(
    scoring.Option(key=key, label=key, value=value)
    for key, value in (
        ("strongly-disagree", Fraction(0)),
        ("disagree", Fraction(1, 4)),
        ("neutral", Fraction(1, 2)),
        ("agree", Fraction(3, 4)),
        ("strongly-agree", Fraction(1)),
        ("not-sure", None),
    )
)


def criteria(rng: random.Random, size: int, min_need: Fraction) -> scoring.Criteria:
    slugs = [c for role in RESPONSIBILITIES.values() for c in role]
    return scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(slug=c, role=role, weight=Fraction(1))
            for role, cs in RESPONSIBILITIES.items()
            for c in cs
        ),
        questions=tuple(
            scoring.Question(
                slug=f"q{q}",
                text=f"q{q}",
                options=AGREEMENT,
                links=tuple(
                    scoring.Link(responsibility=c, weight=rng.choice([Fraction(1, 2), Fraction(1)]))
                    for c in rng.sample(slugs, rng.choice([1, 1, 2]))
                ),
            )
            for q in range(size)
        ),
        policy=scoring.Policy(
            min_coverage=Fraction(1, 2), min_need=min_need, focus_share=Fraction(3, 5)
        ),
    )


def search_seconds(criteria: scoring.Criteria, answers: dict) -> float | None:
    """The best of three CPU times of the search alone; None when undetermined."""
    _, problem = scoring.scored_without_sensitivity(criteria, answers)
    if problem is None:
        return None
    best = None
    for _ in range(3):
        start = time.process_time()
        sensitivity.nearest_change(problem)
        elapsed = time.process_time() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def worst_case(size: int, profiles: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    worst = 0.0
    total = 0.0
    counted = 0
    for _ in range(profiles):
        base = criteria(rng, size, Fraction(13, 20))
        answers = {
            q.slug: rng.choice([o.key for o in q.options])
            for q in base.questions
            if rng.random() > 0.05
        }
        need = (
            scoring.score_values(
                base,
                {
                    q.slug: next(
                        o.value for o in q.options if o.key == answers.get(q.slug, "not-sure")
                    )
                    for q in base.questions
                },
            )
            .roles[rng.randint(0, 1)]
            .need
        )
        if need is None:
            continue
        line = min(
            max(need + Fraction(rng.choice([0, 1, -1, 5, -5, 20, 60]), 1000), Fraction(0)),
            Fraction(1),
        )
        moved = scoring.Criteria(
            base.responsibilities,
            base.questions,
            scoring.Policy(base.policy.min_coverage, line, base.policy.focus_share),
        )
        seconds = search_seconds(moved, answers)
        if seconds is None:
            continue
        worst = max(worst, seconds)
        total += seconds
        counted += 1
    return {
        "questions": size,
        "profiles": counted,
        "worst_ms": round(worst * 1000, 3),
        "mean_ms": round(total / max(counted, 1) * 1000, 3),
        "goal_ms": GOALS_MS.get(size),
    }


def run(profiles_16: int = 2000, profiles_200: int = 200) -> list[dict]:
    return [worst_case(16, profiles_16), worst_case(200, profiles_200)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=2000, help="profiles at 16 questions")
    args = parser.parse_args()
    print(json.dumps(run(args.profiles, max(args.profiles // 10, 1)), indent=2))


if __name__ == "__main__":
    main()
