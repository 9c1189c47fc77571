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

from advisor import branding, models, pdf_fetcher, presentation, report_parts
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


def answers_appendix(assessment: models.Assessment) -> list[dict[str, Any]]:
    """The answers by section, each question numbered as the responsibility table cites it."""
    content = assessment.snapshot.content
    numbers = report_parts.question_numbers(content)
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
    """The appendix's needs by responsibility, with the assessment's answers linked."""
    return report_parts.responsibility_table(
        assessment.snapshot.content, assessment.result, assessment.answers
    )


def role_briefs(assessment: models.Assessment) -> list[dict[str, Any]]:
    """Next steps: a short brief per role to hire (the lead hire first), from the stored focus."""
    snapshot = assessment.snapshot
    index = presentation.snapshot_index(snapshot.content_hash, snapshot.content)
    return report_parts.role_briefs(assessment.result, index)


def report_context(assessment: models.Assessment, *, pdf: bool = False) -> dict[str, Any]:
    """Everything the report shows: the result's context plus the report-only parts, in the
    four parts of docs/product.md §7 (`templates/advisor/report/`). Never the private notes."""
    context = presentation.result_context(assessment)
    snapshot = assessment.snapshot
    index = presentation.snapshot_index(snapshot.content_hash, snapshot.content)
    brand = branding.brand_current()
    context.update(
        {
            "brand": brand,
            # The PDF fetches nothing: its logo is inline.
            "report_logo_src": brand.logo_data_url if pdf else brand.logo_url,
            "pdf": pdf,
            "notes_html": presentation.notes_html(assessment.consultant_notes),
            "role_briefs": role_briefs(assessment),
            "policy": presentation.policy_texts(assessment.result),
            "responsibility_table": responsibility_table(assessment),
            "answers_appendix": answers_appendix(assessment),
            "when_to_hire_roles": report_parts.when_to_hire_roles(assessment.result, index),
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
    return pdf_of_report(render_to_string(PDF_TEMPLATE, report_context(assessment, pdf=True)))


def pdf_of_report(html: str) -> bytes:
    """A report's PDF (the single or the team report): `html` with the report's stylesheet and
    the brand's, laid out again tighter when its last page would hold under a quarter page."""
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
