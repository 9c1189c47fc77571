"""The client's report (docs/product.md §7): a print view, and a PDF rendered by WeasyPrint.

Both show, in the four parts of §7 (summary page, why, the role(s) to hire, appendix), what the
result page shows (`presentation.result_context`, from the assessment's frozen snapshot) plus the
report-only parts built here: the brand, the client-visible notes, the role briefs, the table per
responsibility and the numbered answers appendix it refers to. Reachable by whoever holds the link
(the token is the secret): the client-visible notes and “prepared for / by” are part of the
client's deliverable; the private notes never are.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import branding, models, pdf_fetcher, presentation, scoring
from advisor.ratelimit import rate_limit

PDF_TEMPLATE = "advisor/report_pdf.html"
PDF_STYLESHEET = "css/report_pdf.css"
# docs/product.md §7: the last page holds at least a quarter page. A report whose last page would
# hold
# less is laid out again a little tighter (PDF_COMPACT_CSS) and kept so when that saves the page.
MIN_LAST_PAGE_SHARE = 0.25
PDF_COMPACT_CSS = """
html { font-size: 8.2pt; line-height: 1.3; }
.result-section { margin-top: 3.2mm; }
p, ul, ol { margin-bottom: 1.2mm; }
"""


def assessment_for_report(token: str) -> models.Assessment:
    """The assessment behind a report link, with what the report reads, in one query; or 404."""
    assessment = presentation.result_queryset().filter(token=token).first()
    if assessment is None:
        raise Http404
    return assessment


# ---------------------------------------------------------------------------------------------
# Report-only parts


def question_numbers(content: dict[str, Any]) -> dict[str, int]:
    """Question slug → its number in the answers appendix (sections together, as shown)."""
    sections: dict[str, list[str]] = {}
    for question in content["questions"]:
        sections.setdefault(question["section"], []).append(question["slug"])
    ordered = [slug for slugs in sections.values() for slug in slugs]
    return {slug: number for number, slug in enumerate(ordered, start=1)}


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


def responsibility_table(assessment: models.Assessment) -> list[dict[str, Any]]:
    """Per role (display order), per responsibility: its need and focus, from the stored result
    (the engine's figures, not recomputed), and the answers linked to it, numbered as in the
    answers appendix."""
    content = assessment.snapshot.content
    result = assessment.result
    numbers = question_numbers(content)
    labels = {}
    for question in content["questions"]:
        options = {o["key"]: o["label"] for o in question["options"]}
        key = assessment.answers.get(question["slug"])
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
            stored = needs.get(responsibility["slug"], {})
            rows.append(
                {
                    "text": responsibility["text"],
                    "need_text": presentation.percent_text(stored.get("need")),
                    "focus": stored.get("focus", False),
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


def role_briefs(assessment: models.Assessment) -> list[dict[str, Any]]:
    """Next steps: a short brief per role to hire (the lead hire first), from the stored focus."""
    snapshot, result = assessment.snapshot, assessment.result
    index = presentation.snapshot_index(snapshot.content_hash, snapshot.content)
    order = presentation.role_order(result["outcome"], result.get("lead"))
    to_hire = {
        scoring.PRODUCT_OWNER: order[:1],
        scoring.PRODUCT_MANAGER: order[:1],
        scoring.BOTH: order,
    }.get(result["outcome"], ())
    return [presentation.role_brief(result, slug, index) for slug in to_hire]


def report_context(assessment: models.Assessment, *, pdf: bool = False) -> dict[str, Any]:
    """Everything the report shows: the result's context plus the report-only parts, in the
    four parts of docs/product.md §7 (`templates/advisor/report/`). Never the private notes."""
    context = presentation.result_context(assessment)
    when_to_hire_roles = []
    if assessment.outcome == scoring.UNDETERMINED:
        # No recommendation to explain: still say when each role is worth hiring.
        content_roles = {role["slug"]: role for role in assessment.snapshot.content["roles"]}
        when_to_hire_roles = [
            content_roles[slug] for slug in presentation.role_order(assessment.outcome, None)
        ]
    brand = branding.brand_current()
    context.update(
        {
            "brand": brand,
            # The PDF fetches nothing: its logo is inline.
            "report_logo_src": brand.logo_data_url if pdf else brand.logo_url,
            "pdf": pdf,
            "company_context": presentation.company_context_text(assessment),
            "notes_html": presentation.notes_html(assessment.consultant_notes),
            "role_briefs": role_briefs(assessment),
            "policy": presentation.policy_texts(assessment.result),
            "responsibility_table": responsibility_table(assessment),
            "answers_appendix": answers_appendix(assessment),
            "when_to_hire_roles": when_to_hire_roles,
            "pdf_filename": pdf_filename(assessment),
        }
    )
    return context


def pdf_filename(assessment: models.Assessment) -> str:
    company = slugify(assessment.company)[:60].strip("-") or "assessment"
    return f"rolefit-report-{company}-{assessment.created_at:%Y-%m-%d}.pdf"


# ---------------------------------------------------------------------------------------------
# PDF


@dataclass(frozen=True)
class _PdfEngine:
    html_class: Any
    css_class: Any
    stylesheet: Any
    compact: Any
    font_config: Any


_engine: _PdfEngine | None = None
_engine_lock = threading.Lock()
# WeasyPrint's objects are not documented as thread-safe; renders share the parsed stylesheet
# and font configuration, so one render at a time per process.
_render_lock = threading.Lock()


def _pdf_engine() -> _PdfEngine:
    """WeasyPrint, imported (~0.5 s) and its stylesheet parsed once per process, on first use.

    One FontConfiguration for the process on purpose: a new one per render kept ~250 kB of
    resident memory per PDF (measured over 300 renders).
    """
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                import weasyprint
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                stylesheet = weasyprint.CSS(
                    filename=finders.find(PDF_STYLESHEET),
                    font_config=font_config,
                    url_fetcher=pdf_fetcher.data_only_fetcher(),
                )
                compact = weasyprint.CSS(string=PDF_COMPACT_CSS, font_config=font_config)
                _engine = _PdfEngine(
                    weasyprint.HTML, weasyprint.CSS, stylesheet, compact, font_config
                )
    return _engine


def last_page_share(document) -> float:
    """How much of the last page's content area a laid-out WeasyPrint document fills (0..1).

    The root box's height on a page is the content laid out there. `_page_box` is WeasyPrint's
    (not a documented API): without it, report the page as full and lay nothing out again.
    """
    page = document.pages[-1]
    page_box = getattr(page, "_page_box", None)
    if page_box is None:
        return 1.0
    root = next(
        (box for box in page_box.children if getattr(box, "element_tag", "") == "html"), None
    )
    if root is None or not page_box.height:
        return 1.0
    return root.margin_height() / page_box.height


def render_pdf(assessment: models.Assessment) -> bytes:
    html = render_to_string(PDF_TEMPLATE, report_context(assessment, pdf=True))
    engine = _pdf_engine()
    with _render_lock:
        brand_css = engine.css_class(
            string=branding.brand_current().stylesheet, font_config=engine.font_config
        )
        stylesheets = [engine.stylesheet, brand_css]
        source = engine.html_class(string=html, url_fetcher=pdf_fetcher.data_only_fetcher())
        document = source.render(stylesheets=stylesheets, font_config=engine.font_config)
        if len(document.pages) > 1 and last_page_share(document) < MIN_LAST_PAGE_SHARE:
            tighter = source.render(
                stylesheets=[*stylesheets, engine.compact], font_config=engine.font_config
            )
            if len(tighter.pages) < len(document.pages):
                document = tighter
        return document.write_pdf()


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html` with the report's stylesheet; it fetches nothing but `data:` URLs."""
    engine = _pdf_engine()
    with _render_lock:
        document = engine.html_class(string=html, url_fetcher=pdf_fetcher.data_only_fetcher())
        return document.write_pdf(stylesheets=[engine.stylesheet], font_config=engine.font_config)


# ---------------------------------------------------------------------------------------------
# Views


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def report(request, token):
    assessment = assessment_for_report(token)
    return _private(render(request, "advisor/report.html", report_context(assessment)))


@require_GET
@never_cache
@rate_limit("pdf", methods=("GET",))
def report_pdf(request, token):
    assessment = assessment_for_report(token)
    response = HttpResponse(render_pdf(assessment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(assessment)}"'
    return _private(response)
