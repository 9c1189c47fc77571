"""The client's report (docs/product.md §7): a print view, and a PDF rendered by WeasyPrint.

Both show, in the four parts of §7 (summary page, why, the role(s) to hire, appendix),
`report_parts.report_context`: the result's context from the assessment's frozen snapshot plus
the report-only parts (brand, client-visible notes, role briefs, responsibility table, numbered
answers). Reachable by whoever holds the link (the token is the secret): the client-visible notes
and “prepared for / by” are part of the client's deliverable; the private notes never are.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import branding, rendercache, report_parts, selectors
from advisor.ratelimit import rate_limit
from advisor.views import or_404


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def report(request, token):
    """The print view. A visitor with nothing of their own on it (no session, so no consultant's
    "Edit notes" link; no messages) gets the whole page from the shared cache."""
    assessment = or_404(selectors.result_lookup(token))

    def page() -> str:
        brand = branding.brand_current()
        context = {
            "assessment": assessment,
            "brand": brand,
            "pdf_filename": report_parts.pdf_filename(assessment),
            "body": or_404(rendercache.report_body(assessment, brand)),
        }
        return render_to_string("advisor/report.html", context, request)

    if rendercache.page_is_shared(request):
        html = rendercache.whole_page(rendercache.REPORT_PAGE, assessment, request, page)
    else:
        html = page()
    return _private(HttpResponse(html))


@require_GET
@never_cache
@rate_limit("pdf", methods=("GET",))
def report_pdf(request, token):
    assessment, data = or_404(rendercache.report_pdf(token))
    response = HttpResponse(data, content_type="application/pdf")
    filename = report_parts.pdf_filename(assessment)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)
