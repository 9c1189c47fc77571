"""Score answers against the active criteria without saving anything (docs/product.md §6)."""

import html
import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import translation
from django.utils.html import strip_tags

from advisor import presentation, scoring, services
from advisor.types import RESULT_JSON_KEYS, StoredResult


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
        with translation.override("en"):
            if as_json:
                shown = {
                    **result,
                    "summary": presentation.summary_with_verdict(result, bundle.content, given),
                }
                self.stdout.write(
                    json.dumps(
                        {key: shown[key] for key in RESULT_JSON_KEYS}, indent=2, ensure_ascii=False
                    )
                )
            else:
                self.stdout.write(readable(result, bundle, given))


def _percent(value: float | None) -> str:
    return "not answered" if value is None else f"{value:.0%}"


def readable(result: StoredResult, bundle: services.CriteriaBundle, answers: dict) -> str:
    """The verdict, the summary, both needs, the needs profile and how firm the verdict is, in the
    result page's words, for a terminal."""
    content = bundle.content
    names = {role["slug"]: role["name"] for role in content["roles"]}
    responsibility_texts = {
        r["slug"]: r["text"] for role in content["roles"] for r in role["responsibilities"]
    }
    line = presentation.min_need_of(result)
    lines = [
        f"Verdict: {presentation.headline(result['outcome'], result['lead'])}",
        "",
        presentation.summary_text(result, content, answers),
        "",
        f"Needs (a role is needed at {line:.0%} or more):",
    ]
    for role, name in names.items():
        lines.append(f"  {name}: {_percent(result['need'][role])}")
    lines += ["", "Needs profile (* = the role's focus):"]
    for role, name in names.items():
        lines.append(f"  {name}")
        for r in result["responsibilities"]:
            if r["role"] == role:
                mark = "*" if r["focus"] else " "
                lines.append(
                    f"   {mark} {_percent(r['need']):>12}  {responsibility_texts[r['slug']]}"
                )
    index = presentation.snapshot_index(bundle.content_hash, content)
    firmness = presentation.sensitivity_text(result, answers, index)
    if firmness is not None:
        lines += ["", html.unescape(strip_tags(firmness))]
    lines += ["", f"Criteria version: {result['criteria_version'][:12]}"]
    return "\n".join(lines)
