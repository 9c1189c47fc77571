"""Score answers against the active criteria without saving anything (PRODUCT.md §6)."""

import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from advisor import scoring, services


class Command(BaseCommand):
    help = "Score a JSON object of {question-slug: option-key} against the active criteria."

    def add_arguments(self, parser):
        parser.add_argument(
            "--answers", required=True, metavar="FILE|-", help="JSON answers file, or - for stdin."
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the result as JSON."
        )

    def fail(self, code: int, message: str):
        self.stderr.write(message)
        sys.exit(code)

    def read_answers(self, source: str) -> dict:
        try:
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8") as stream:
                    text = stream.read()
        except (OSError, UnicodeDecodeError) as error:
            self.fail(2, f"error: cannot read answers from {source}: {error}")
        try:
            answers = json.loads(text)
        except json.JSONDecodeError as error:
            self.fail(2, f"error: answers are not valid JSON: {error}")
        if not isinstance(answers, dict):
            self.fail(2, "error: answers must be a JSON object of {question-slug: option-key}")
        return answers

    def handle(self, *args, answers, as_json, **options):
        given = self.read_answers(answers)
        try:
            bundle = services.criteria_current()
        except DatabaseError as error:
            self.fail(1, f"error: cannot read the criteria (has `migrate` run?): {error}")
        if not bundle.ready:
            self.fail(1, "error: the questionnaire cannot score: " + " ".join(bundle.problems))
        try:
            result = services.answers_score(answers=given, bundle=bundle)
        except scoring.AnswerError as error:
            self.fail(2, f"error: {error}")
        except scoring.CriteriaError as error:
            self.fail(1, f"error: the questionnaire cannot score: {error}")
        if as_json:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(summary(result, bundle.content))


def summary(result: dict, content: dict) -> str:
    texts = {q["slug"]: q["text"] for q in content["questions"]}
    labels = {(q["slug"], o["key"]): o["label"] for q in content["questions"] for o in q["options"]}
    names = {role["slug"]: role["name"] for role in content["roles"]}
    lines = [f"Outcome: {result['outcome']}"]
    for role, name in names.items():
        fit = result["fit"][role]
        fit_text = "n/a" if fit is None else f"{fit:.0%}"
        lines.append(f"  {name}: fit {fit_text}, coverage {result['coverage'][role]:.0%}")
    sensitivity = result["sensitivity"]
    if sensitivity is not None:
        if sensitivity["changes_needed"] is None:
            lines.append("Holds unless more than three answers change.")
        else:
            lines.append(
                f"Holds unless at least {sensitivity['changes_needed']} answer(s) change; nearest:"
            )
            for change in sensitivity["nearest"]:
                slug = change["question"]
                lines.append(
                    f"  {texts[slug]} {labels[slug, change['from']]} → {labels[slug, change['to']]}"
                )
            lines.append(f"  would give: {sensitivity['outcome_after']}")
    lines.append(f"Criteria version: {result['criteria_version'][:12]}")
    return "\n".join(lines)
