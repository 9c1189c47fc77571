"""The client's report (docs/product.md §7): a print view, and a PDF rendered by WeasyPrint.

Both show, in the four parts of §7 (summary page, why, the role(s) to hire, appendix),
`report_parts.report_context`: the result's context from the assessment's frozen snapshot plus
the report-only parts (brand, client-visible notes, role briefs, responsibility table, numbered
answers). Reachable by whoever holds the link (the token is the secret): the client-visible notes
and “prepared for / by” are part of the client's deliverable; the private notes never are.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import rendercache, report_parts
from advisor.ratelimit import rate_limit
from advisor.views import or_404


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def report(request, token):
    assessment, brand, body = or_404(rendercache.report_page(token))
    context = {
        "assessment": assessment,
        "brand": brand,
        "pdf_filename": report_parts.pdf_filename(assessment),
        "body": body,
    }
    return _private(render(request, "advisor/report.html", context))


@require_GET
@never_cache
@rate_limit("pdf", methods=("GET",))
def report_pdf(request, token):
    assessment, data = or_404(rendercache.report_pdf(token))
    response = HttpResponse(data, content_type="application/pdf")
    filename = report_parts.pdf_filename(assessment)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)
