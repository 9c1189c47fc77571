"""The client's report (docs/product.md §7): a print view, and a PDF rendered by WeasyPrint.

Both show, in the four parts of §7 (summary page, why, the role(s) to hire, appendix),
`report_parts.report_context`: the result's context from the assessment's frozen snapshot plus
the report-only parts (brand, client-visible notes, role briefs, responsibility table, numbered
answers). Reachable by whoever holds the link (the token is the secret): the client-visible notes
and “prepared for / by” are part of the client's deliverable; the private notes never are.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import branding, models, pdf, report_parts, selectors
from advisor.ratelimit import rate_limit

PDF_TEMPLATE = "advisor/report_pdf.html"


def assessment_or_404(token: str) -> models.Assessment:
    assessment = selectors.assessment_for_report(token)
    if assessment is None:
        raise Http404
    return assessment


def report_context(assessment: models.Assessment, *, pdf: bool = False) -> dict[str, Any]:
    return report_parts.report_context(assessment, brand=branding.brand_current(), pdf=pdf)


def report_pdf_render(assessment: models.Assessment) -> bytes:
    html = render_to_string(PDF_TEMPLATE, report_context(assessment, pdf=True))
    return pdf.document_pdf(html, brand_stylesheet=branding.brand_current().stylesheet)


# ---------------------------------------------------------------------------------------------
# Views


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def report(request, token):
    assessment = assessment_or_404(token)
    return _private(render(request, "advisor/report.html", report_context(assessment)))


@require_GET
@never_cache
@rate_limit("pdf", methods=("GET",))
def report_pdf(request, token):
    assessment = assessment_or_404(token)
    response = HttpResponse(report_pdf_render(assessment), content_type="application/pdf")
    filename = report_parts.pdf_filename(assessment)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)
