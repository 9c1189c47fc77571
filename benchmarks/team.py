"""The team result's cost at the cap (docs/teams.md): CPU time for 50 respondents.

    .venv/bin/python -m benchmarks.team [--teams N]

Loads the default criteria into a throwaway SQLite database, then, in memory (no query is
timed), computes the team result of many random 50-respondent teams exactly as the team pages do
(`advisor.services.team._compute`: the pooled verdict, agreement, pivotal questions, the agenda, the
summary in words). Teams whose answers spread over the whole scale are the worst case: every
question then has five distinct answers to try as its pooled value. Each team is timed as the
best of three runs in CPU time, so a busy machine does not inflate it; the report gives the
slowest team and the mean. Goal: ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from benchmarks import harness

GOAL_MS = 50.0
RESPONDENTS = 50


def random_teams(questions: list[dict], count: int, seed: int = 16) -> list[list[dict]]:
    """Half the teams answer uniformly at random (the worst case: every option given), half
    lean per question with some spread (realistic, often near the line)."""
    rng = random.Random(seed)
    teams = []
    for index in range(count):
        leaning = {q["slug"]: rng.random() for q in questions}
        team = []
        for _ in range(RESPONDENTS):
            answers = {}
            for q in questions:
                keys = [o["key"] for o in q["options"]]
                scale = [o["key"] for o in q["options"] if o["value"] is not None]
                if index % 2 == 0:
                    answers[q["slug"]] = rng.choice(keys)
                else:
                    position = round(leaning[q["slug"]] * (len(scale) - 1) + rng.gauss(0, 0.8))
                    answers[q["slug"]] = scale[max(0, min(len(scale) - 1, position))]
            team.append(answers)
        teams.append(team)
    return teams


def run(teams: int = 40) -> dict:
    with harness.throwaway_database("sqlite://") as url:
        harness.setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from advisor import models, selectors, services
        from advisor.services import team as team_services

        services.criteria_load()
        bundle = services.criteria_current()
        team = models.Team(
            pk=1,
            company="Bench",
            anonymous=False,
            snapshot=models.CriteriaSnapshot(
                content=bundle.content, content_hash=bundle.content_hash
            ),
            criteria_version=models.CriteriaVersion(version=bundle.version),
        )
        worst = total = 0.0
        pivotal = 0
        for number, answers in enumerate(random_teams(bundle.content["questions"], teams)):
            respondents = []
            for position, given in enumerate(answers, start=1):
                result = services.answers_score(answers=given, bundle=bundle)
                respondents.append(
                    selectors.Respondent(
                        id=number * 100 + position,
                        token=f"t{position}",
                        position=position,
                        name=f"Respondent {position}",
                        title="",
                        answers=given,
                        outcome=result["outcome"],
                        lead=result["lead"],
                        need=result["need"],
                    )
                )
            best = None
            for _ in range(3):
                start = time.process_time()
                computed = team_services._compute(team, respondents)
                elapsed = time.process_time() - start
                best = elapsed if best is None else min(best, elapsed)
            worst = max(worst, best)
            total += best
            pivotal += bool(computed["pivotal"])
    return {
        "respondents": RESPONDENTS,
        "teams": teams,
        "teams_with_pivotal_answers": pivotal,
        "worst_ms": round(worst * 1000, 2),
        "mean_ms": round(total / teams * 1000, 2),
        "goal_ms": GOAL_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=40, help="random 50-respondent teams")
    args = parser.parse_args()
    print(json.dumps(run(args.teams), indent=2))


if __name__ == "__main__":
    main()
