"""The consultants' workspace: assessment list, consultant detail with notes, CSV and XLSX export.

Every view here needs the permission `advisor.use_workspace` (docs/product.md §1): anonymous
visitors
go to the login page, logged-in users without it get 403.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from advisor import (
    branding,
    exports,
    forms,
    models,
    presentation,
    report_parts,
    scoring,
    selectors,
    services,
)
from advisor.services import team as team_services
from advisor.views import or_404

WORKSPACE_PERMISSION = "advisor.use_workspace"
PAGE_SIZE = 25

FILTERS_NOT_APPLIED = gettext_noop(
    "A filter with an error is not applied: the list and the counts follow the other filters."
)
NOTES_SAVED = gettext_noop("Notes saved.")


def workspace_view(view):
    """Login (redirect) then permission (403), and no caching of these personal pages."""
    return wraps(view)(
        never_cache(
            login_required(permission_required(WORKSPACE_PERMISSION, raise_exception=True)(view))
        )
    )


# ---------------------------------------------------------------------------------------------
# Views


LEAD_TEXTS = {
    scoring.PRODUCT_OWNER: gettext_lazy("product owner first"),
    scoring.PRODUCT_MANAGER: gettext_lazy("product manager first"),
}


def _token_url(name: str) -> Callable[[str], str]:
    """`reverse(name, args=[token])` for a page of tokens at the cost of one reverse (30 µs each):
    a token holds only URL-safe characters (urls.TokenConverter), so it goes in as it is."""
    head, tail = reverse(name, args=["TOKEN"]).split("TOKEN")
    return lambda token: f"{head}{token}{tail}"


def _list_rows(assessments: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The list's rows as the text the template prints, ready: a lookup, filter, `{% url %}` or
    `{% translate %}` per cell cost 0.4 ms per row in the template (docs/benchmarks.md).

    `assessments`: a page of `selectors.AssessmentPages`, dicts of `selectors.LIST_VALUES`.
    """
    outcomes = {key: str(label) for key, label in models.Outcome.choices}
    leads = {key: str(text) for key, text in LEAD_TEXTS.items()}
    detail_url = _token_url("advisor:workspace_detail")
    report_url = _token_url("advisor:report")
    datetime_format = get_format("DATETIME_FORMAT")
    rows = []
    for assessment in assessments:
        created = timezone.localtime(assessment["created_at"])
        token = assessment["token"]
        rows.append(
            {
                # As the `date` filter writes them: "c" is isoformat().
                "created_iso": created.isoformat(),
                "created": dateformat.format(created, datetime_format),
                "company": assessment["company"],
                "respondent": assessment["respondent_name"] or "—",
                "outcome": outcomes.get(assessment["outcome"], assessment["outcome"]),
                "lead": leads.get(assessment["lead"], ""),
                "need_po": presentation.percent_text(exports.json_number(assessment["need_po"])),
                "need_pm": presentation.percent_text(exports.json_number(assessment["need_pm"])),
                "detail_url": detail_url(token),
                "report_url": report_url(token),
            }
        )
    return rows


@require_GET
@workspace_view
def workspace_list(request):
    form = forms.WorkspaceFilterForm(request.GET)
    filters = form.filters()
    counts = selectors.assessment_outcome_counts(filters=filters)
    total = counts[filters.outcome] if filters.outcome else sum(counts.values())
    # The total is known from the counts: no COUNT query per page.
    paginator = Paginator(selectors.AssessmentPages(filters=filters, count=total), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    filtered = any(
        request.GET.get(name) for name in forms.WorkspaceFilterForm.base_fields if name != "sort"
    )
    filters_not_applied = _(FILTERS_NOT_APPLIED) if form.errors else ""
    context = {
        "form": form,
        "filters": _filters_html(request, form, filtered, filters_not_applied),
        "page": page,
        "rows": _list_rows(page.object_list),
        "total": total,
        "outcome_total": sum(counts.values()),
        "outcome_counts": [(key, label, counts[key]) for key, label in models.Outcome.choices],
        "filtered": filtered,
    }
    return render(request, "advisor/workspace_list.html", context)


# language -> the filter form's HTML with no filter in the URL (the list's usual view).
_blank_filters: dict[str, SafeString] = {}


def _filters_html(request, form, filtered: bool, filters_not_applied: str) -> SafeString:
    """The filter form (`includes/workspace_filters.html`). Its dozen widgets cost 2.7 ms to
    render, most of a list request's rendering (docs/benchmarks.md): with no filter in the URL
    it shows nothing of the request, so it is rendered once per language and process."""
    blank = not any(name in request.GET for name in form.fields)
    language = get_language()
    if blank and language in _blank_filters:
        return _blank_filters[language]
    context = {"form": form, "filtered": filtered, "filters_not_applied": filters_not_applied}
    html = mark_safe(render_to_string("includes/workspace_filters.html", context, request))
    if blank:
        _blank_filters[language] = html
    return html


OUTCOME_TEXTS = dict(models.Outcome.choices)


@require_GET
@workspace_view
def workspace_teams(request):
    """Team assessments (docs/product.md §8): search by company, filter by team outcome, links to
    each team's result, organiser page and deletion."""
    form = forms.TeamFilterForm(request.GET)
    paginator = Paginator(selectors.team_list(**form.filters()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "teams": [
            {"team": t, "outcome": OUTCOME_TEXTS.get(t.outcome, "")} for t in page.object_list
        ],
        "filtered": any(request.GET.get(name) for name in ("company", "outcome")),
    }
    return render(request, "advisor/workspace_teams.html", context)


TEAM_DELETED = gettext_noop(
    "The team assessment for “%(company)s” was deleted with its %(count)d respondents' answers."
)


@require_http_methods(["GET", "POST"])
@workspace_view
def workspace_team_delete(request, pk):
    """A consultant deletes a team assessment: confirmation first (GET), then the POST."""

    team = or_404(selectors.team_by_id(pk))
    if request.method == "POST":
        company = team.company
        count = team_services.team_delete(team_obj=team)
        messages.success(request, _(TEAM_DELETED) % {"company": company, "count": count})
        return redirect("advisor:workspace_teams")
    context = {
        "team": team,
        "count": team.respondents.count(),
        "action": reverse("advisor:workspace_team_delete", kwargs={"pk": team.pk}),
        "back": reverse("advisor:workspace_teams"),
    }
    return render(request, "advisor/team_confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view
def workspace_detail(request, token):
    assessment = or_404(selectors.assessment_for_report(token))
    # The form works on a copy, so the page shows what is saved, not a rejected edit.
    form = forms.NotesForm(request.POST or None, instance=copy.copy(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_notes_update(assessment=assessment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(NOTES_SAVED))
            return redirect("advisor:workspace_detail", token=assessment.token)
    report = report_parts.report_context(assessment, brand=branding.brand_current())
    context = {**report, "form": form}
    return render(request, "advisor/workspace_detail.html", context)


@require_GET
@workspace_view
def workspace_export(request):
    filters = forms.WorkspaceFilterForm(request.GET).filters()
    # Today's questions, in order; the bundle costs one query when nothing changed.
    question_slugs = [q["slug"] for q in services.criteria_current().content["questions"]]
    rows = selectors.assessment_export_rows(filters=filters)
    response = StreamingHttpResponse(
        exports.csv_lines(question_slugs, rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"rolefit-assessments-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@workspace_view
def workspace_export_xlsx(request):
    """The CSV's rows, filters and permission, as a spreadsheet made for people (exports.py)."""
    filters = forms.WorkspaceFilterForm(request.GET).filters()
    questions = services.criteria_current().content["questions"]
    rows = selectors.assessment_export_rows(filters=filters, extra=selectors.XLSX_EXTRA_VALUES)
    # Built in a temporary file (flat memory), then streamed from it; closed when sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    exports.xlsx_write(file, questions=questions, rows=rows)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=exports.xlsx_filename(timezone.localdate()),
        content_type=exports.XLSX_CONTENT_TYPE,
    )
