"""The report's own parts (docs/product.md §7), shared by the single report and the team report
(§8): the role briefs, when to hire each role, the table of needs by responsibility and the
question numbers it cites; and the single report's whole context (`report_context`).

Pure: no request, no query. Each takes a stored result (an assessment's, or a team's verdict)
and the snapshot it was scored against; every figure comes from the stored result, never from a
second calculation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.text import slugify

from advisor import models, presentation, scoring
from advisor.types import RoleSnapshot, Snapshot, StoredResult

if TYPE_CHECKING:
    from advisor.branding import Brand


def question_numbers(content: Snapshot) -> dict[str, int]:
    """Question slug → its number in the report (sections together, as shown)."""
    sections: dict[str, list[str]] = {}
    for question in content["questions"]:
        sections.setdefault(question["section"], []).append(question["slug"])
    ordered = [slug for slugs in sections.values() for slug in slugs]
    return {slug: number for number, slug in enumerate(ordered, start=1)}


def responsibility_table(
    content: Snapshot, result: StoredResult, answers: dict[str, str]
) -> list[dict[str, Any]]:
    """Per role (display order), per responsibility: its need and focus, from the stored result,
    and the answers linked to it (`answers`: question slug → option key), numbered as
    `question_numbers` numbers them."""
    numbers = question_numbers(content)
    labels = {}
    for question in content["questions"]:
        options = {o["key"]: o["label"] for o in question["options"]}
        key = answers.get(question["slug"]) or ""
        labels[question["slug"]] = options.get(key, str(presentation.NOT_ANSWERED))
    linked: dict[str, list[str]] = {}  # responsibility -> question slugs
    for question in content["questions"]:
        for link in question["links"]:
            linked.setdefault(link["responsibility"], []).append(question["slug"])
    needs = {r["slug"]: r for r in result["responsibilities"]}
    roles = {role["slug"]: role for role in content["roles"]}
    table = []
    for slug in presentation.role_order(result["outcome"], result.get("lead")):
        rows = []
        for responsibility in roles[slug]["responsibilities"]:
            stored = needs.get(responsibility["slug"])
            need = None if stored is None else stored["need"]
            rows.append(
                {
                    "text": responsibility["text"],
                    "need_text": presentation.percent_text(need),
                    "focus": stored is not None and stored["focus"],
                    "answers": [
                        {"number": numbers[q], "answer": labels[q]}
                        for q in sorted(
                            linked.get(responsibility["slug"], []), key=numbers.__getitem__
                        )
                    ],
                }
            )
        table.append(
            {
                "slug": slug,
                "name": roles[slug]["name"],
                "need_text": presentation.percent_text(result["need"].get(slug)),
                "rows": rows,
            }
        )
    return table


def role_briefs(result: StoredResult, index: presentation.SnapshotIndex) -> list[dict[str, Any]]:
    """Next steps: a short brief per role to hire (the lead hire first), from the stored focus."""
    return [
        presentation.role_brief(result, slug, index)
        for slug in presentation.roles_to_hire(result["outcome"], result.get("lead"))
    ]


def when_to_hire_roles(
    result: StoredResult, index: presentation.SnapshotIndex
) -> list[RoleSnapshot]:
    """An undetermined result has no recommendation to explain: still say when each role is worth
    hiring (display order). Empty for every other outcome."""
    if result["outcome"] != scoring.UNDETERMINED:
        return []
    return [index.roles[slug] for slug in presentation.role_order(scoring.UNDETERMINED, None)]


# ---------------------------------------------------------------------------------------------
# The single report


def answers_appendix(assessment: models.Assessment) -> list[dict[str, Any]]:
    """The answers by section, each question numbered as the responsibility table cites it."""
    content = assessment.snapshot.content
    numbers = question_numbers(content)
    sections: dict[str, list[dict[str, Any]]] = {}
    for question in content["questions"]:
        key = assessment.answers.get(question["slug"])
        labels = {o["key"]: o["label"] for o in question["options"]}
        sections.setdefault(question["section"], []).append(
            {
                "number": numbers[question["slug"]],
                "question": question["text"],
                "answer": labels.get(key, key) if key else str(presentation.NOT_ANSWERED),
            }
        )
    return [
        {"section": title, "items": sorted(items, key=lambda item: item["number"])}
        for title, items in sections.items()
    ]


def report_context(
    assessment: models.Assessment, *, brand: Brand, pdf: bool = False
) -> dict[str, Any]:
    """Everything the report shows: the result's context plus the report-only parts, in the
    four parts of docs/product.md §7 (`templates/advisor/report/`), under `brand`. Never the
    private notes. Reads what `selectors.result_queryset()` fetches: no query."""
    context = presentation.result_context(assessment)
    snapshot, result = assessment.snapshot, assessment.result
    index = presentation.snapshot_index(snapshot.content_hash, snapshot.content)
    context.update(
        {
            "brand": brand,
            # The PDF fetches nothing: its logo is inline.
            "report_logo_src": brand.logo_data_url if pdf else brand.logo_url,
            "pdf": pdf,
            "company_context": presentation.company_context_text(assessment),
            "notes_html": presentation.notes_html(assessment.consultant_notes),
            "role_briefs": role_briefs(result, index),
            "policy": presentation.policy_texts(result),
            "responsibility_table": responsibility_table(
                snapshot.content, result, assessment.answers
            ),
            "answers_appendix": answers_appendix(assessment),
            "when_to_hire_roles": when_to_hire_roles(result, index),
            "pdf_filename": pdf_filename(assessment),
        }
    )
    return context


def pdf_filename(assessment: models.Assessment) -> str:
    company = slugify(assessment.company)[:60].strip("-") or "assessment"
    return f"rolefit-report-{company}-{assessment.created_at:%Y-%m-%d}.pdf"
