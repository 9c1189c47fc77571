"""The client's report (PRODUCT.md §7): a print view and a PDF rendered with WeasyPrint."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import models, selectors


def _assessment_or_404(token: str) -> models.Assessment:
    assessment = selectors.assessment_by_token(token=token).first()
    if assessment is None:
        raise Http404
    return assessment


def report_context(assessment: models.Assessment) -> dict:
    return {"assessment": assessment}


@require_GET
@never_cache
def report(request, token):
    assessment = _assessment_or_404(token)
    return render(request, "advisor/report.html", report_context(assessment))


@require_GET
@never_cache
def report_pdf(request, token):
    _assessment_or_404(token)
    return HttpResponse(b"%PDF-", content_type="application/pdf")  # placeholder: PDF comes next
