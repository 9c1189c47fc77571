"""The consultants' workspace: assessment list, consultant detail with notes, CSV and XLSX export.

Every view here needs the permission `advisor.use_workspace` (docs/product.md §1): anonymous
visitors
go to the login page, logged-in users without it get 403.
"""

from __future__ import annotations

import copy
import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from advisor import exports, models, presentation, reports, scoring, selectors, services
from advisor.exports import csv_safe

WORKSPACE_PERMISSION = "advisor.use_workspace"
PAGE_SIZE = 25
EXPORT_ROWS_PER_CHUNK = 500

DATE_RANGE_REVERSED = gettext_noop("The “to” date is before the “from” date.")
FILTERS_NOT_APPLIED = gettext_noop(
    "A filter with an error is not applied: the list and the counts follow the other filters."
)
NOTES_SAVED = gettext_noop("Notes saved.")
COMPANY_SIZE_UNKNOWN = gettext_noop(
    "“%(value)s” is not a company size: choose one from the list, or “Any size”."
)
INDUSTRY_SEARCH_TOO_LONG = gettext_noop(
    "An industry has at most %(limit_value)d characters: shorten the search (it has "
    "%(show_value)d)."
)

SORT_CHOICES = [
    ("-created", gettext_lazy("Newest first")),
    ("created", gettext_lazy("Oldest first")),
    ("company", gettext_lazy("Company A–Z")),
    ("-company", gettext_lazy("Company Z–A")),
]


def workspace_view(view):
    """Login (redirect) then permission (403), and no caching of these personal pages."""
    return wraps(view)(
        never_cache(
            login_required(permission_required(WORKSPACE_PERMISSION, raise_exception=True)(view))
        )
    )


# ---------------------------------------------------------------------------------------------
# Forms


class WorkspaceFilterForm(forms.Form):
    """The list's search, filters and sort, read from the query string."""

    company = forms.CharField(
        label=gettext_lazy("Company"),
        required=False,
        max_length=models.COMPANY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    industry = forms.CharField(
        label=gettext_lazy("Industry"),
        required=False,
        max_length=models.INDUSTRY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
        error_messages={
            "max_length": gettext_lazy(INDUSTRY_SEARCH_TOO_LONG),
            "null_characters_not_allowed": gettext_lazy(services.TEXT_NUL_CHARACTER),
        },
    )
    company_size = forms.ChoiceField(
        # "Size", not "Company size": a label that holds the company search's label makes
        # finding that field by its label ambiguous.
        label=gettext_lazy("Size"),
        required=False,
        choices=[("", gettext_lazy("Any size")), *models.CompanySize.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy(COMPANY_SIZE_UNKNOWN)},
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[("", gettext_lazy("Any outcome")), *models.Outcome.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort"),
        required=False,
        choices=SORT_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            # The range is wrong as a whole: neither end filters (half a range would empty
            # the list and every count, hiding the error behind "No assessment matches").
            self.add_error("date_to", _(DATE_RANGE_REVERSED))
            cleaned.pop("date_from", None)
        return cleaned

    def filters(self) -> selectors.AssessmentFilters:
        """The filters from the fields that are valid; an invalid field filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.AssessmentFilters(
            company=data.get("company") or "",
            outcome=data.get("outcome") or "",
            company_size=data.get("company_size") or "",
            industry=data.get("industry") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )


class TeamFilterForm(forms.Form):
    """The team list's search by company and filter by team outcome, from the query string."""

    company = forms.CharField(
        label=gettext_lazy("Company"),
        required=False,
        max_length=models.COMPANY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Team outcome"),
        required=False,
        choices=[("", gettext_lazy("Any outcome")), *models.Outcome.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def filters(self) -> dict:
        """The valid fields' values; an invalid field filters nothing."""
        self.is_valid()
        return {
            "company": self.cleaned_data.get("company") or "",
            "outcome": self.cleaned_data.get("outcome") or "",
        }


class NotesField(forms.CharField):
    def to_python(self, value):
        # Browsers send a textarea's line breaks as CRLF but count them as one character.
        value = super().to_python(value)
        return value.replace("\r\n", "\n")


# The service's own wording (services.assessment_notes_update checks the same limits again).
TEXT_ERRORS = {
    "null_characters_not_allowed": gettext_lazy(services.TEXT_NUL_CHARACTER),
    "max_length": gettext_lazy(services.TEXT_TOO_LONG),
}


class NotesForm(forms.ModelForm):
    """What a consultant adds to an assessment for the client's report.

    Validation only: the view saves through services.assessment_notes_update.
    """

    consultant_notes = NotesField(
        label=gettext_lazy("Client-visible notes"),
        required=False,
        max_length=models.NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "class": "form-control"}),
        help_text=gettext_lazy(
            "Printed on the report's first page, for whoever holds the link. Blank lines "
            "separate paragraphs; lines starting with “- ” make a list."
        ),
        error_messages=TEXT_ERRORS,
    )
    private_notes = NotesField(
        label=gettext_lazy("Private notes"),
        required=False,
        max_length=models.NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text=gettext_lazy(
            "For consultants only: never shown on the result, the report or the PDF."
        ),
        error_messages=TEXT_ERRORS,
    )

    class Meta:
        model = models.Assessment
        fields = ["prepared_for", "prepared_by", "consultant_notes", "private_notes"]
        error_messages = {"prepared_for": TEXT_ERRORS, "prepared_by": TEXT_ERRORS}
        widgets = {
            "prepared_for": forms.TextInput(attrs={"class": "form-control"}),
            "prepared_by": forms.TextInput(attrs={"class": "form-control"}),
        }


# ---------------------------------------------------------------------------------------------
# Views


LEAD_TEXTS = {
    scoring.PRODUCT_OWNER: gettext_lazy("product owner first"),
    scoring.PRODUCT_MANAGER: gettext_lazy("product manager first"),
}


def _json_number(value) -> float | None:
    """A number picked out of JSON by the database (text; SQLite may give "null")."""
    return None if value is None or value == "null" else float(value)


def _list_row(assessment: Any) -> dict:
    """A list row: the assessment (`selectors.assessment_list`), its needs and lead hire.

    `assessment` carries the list's annotations (need_po, need_pm, lead), hence Any.
    """
    return {
        "assessment": assessment,
        "needs": [
            presentation.percent_text(_json_number(need))
            for need in (assessment.need_po, assessment.need_pm)
        ],
        "lead": LEAD_TEXTS.get(assessment.lead, ""),
    }


@require_GET
@workspace_view
def workspace_list(request):
    form = WorkspaceFilterForm(request.GET)
    filters = form.filters()
    counts = selectors.assessment_outcome_counts(filters=filters)
    total = counts[filters.outcome] if filters.outcome else sum(counts.values())
    # The total is known from the counts: no COUNT query per page.
    paginator = Paginator(selectors.AssessmentPages(filters=filters, count=total), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [_list_row(a) for a in page.object_list],
        "total": total,
        "outcome_total": sum(counts.values()),
        "outcome_counts": [(key, label, counts[key]) for key, label in models.Outcome.choices],
        "filters_not_applied": _(FILTERS_NOT_APPLIED) if form.errors else "",
        "filtered": any(
            request.GET.get(name) for name in WorkspaceFilterForm.base_fields if name != "sort"
        ),
    }
    return render(request, "advisor/workspace_list.html", context)


OUTCOME_TEXTS = dict(models.Outcome.choices)


@require_GET
@workspace_view
def workspace_teams(request):
    """Team assessments (docs/product.md §8): search by company, filter by team outcome, links to
    each team's result, organiser page and deletion."""
    form = TeamFilterForm(request.GET)
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
    from advisor import team_services  # it imports services, which this module uses too

    team = models.Team.objects.filter(pk=pk).first()
    if team is None:
        raise Http404
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
    assessment = reports.assessment_for_report(token)
    # The form works on a copy, so the page shows what is saved, not a rejected edit.
    form = NotesForm(request.POST or None, instance=copy.copy(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_notes_update(assessment=assessment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(NOTES_SAVED))
            return redirect("advisor:workspace_detail", token=assessment.token)
    context = {**reports.report_context(assessment), "form": form}
    return render(request, "advisor/workspace_detail.html", context)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _number(value) -> str:
    number = _json_number(value)
    return "" if number is None else repr(number)


def csv_lines(question_slugs: Sequence[str], rows: Iterable[tuple]) -> Iterator[str]:
    """The export, a few hundred CSV lines per chunk, starting with a BOM so Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([*selectors.EXPORT_FIXED_COLUMNS, *question_slugs])
    chunk = []
    for (
        created_at,
        company,
        name,
        email,
        outcome,
        *numbers,
        version,
        private,
        team_id,
        company_size,
        industry,
        answers,
    ) in rows:
        cells = [
            timezone.localtime(created_at).isoformat(timespec="seconds"),
            csv_safe(company),
            csv_safe(name),
            csv_safe(email),
            outcome,
            *(_number(n) for n in numbers),
            version,
            csv_safe(private),
            models.team_reference(team_id),
            company_size,  # a key (models.CompanySize), never formula-like
            csv_safe(industry),
            *(csv_safe(answers.get(slug) or "") for slug in question_slugs),
        ]
        chunk.append(writer.writerow(cells))
        if len(chunk) >= EXPORT_ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


@require_GET
@workspace_view
def workspace_export(request):
    filters = WorkspaceFilterForm(request.GET).filters()
    # Today's questions, in order; the bundle costs one query when nothing changed.
    question_slugs = [q["slug"] for q in services.criteria_current().content["questions"]]
    rows = selectors.assessment_export_rows(filters=filters)
    response = StreamingHttpResponse(
        csv_lines(question_slugs, rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"rolefit-assessments-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@workspace_view
def workspace_export_xlsx(request):
    """The CSV's rows, filters and permission, as a spreadsheet made for people (exports.py)."""
    filters = WorkspaceFilterForm(request.GET).filters()
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
