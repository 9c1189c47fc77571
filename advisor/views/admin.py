"""Admin pages beyond the model pages: criteria history, export, questionnaire preview, status box.

Each view but `view_on_site_closed` (a 404 for everyone) is wrapped by `AdminSite.admin_view` (staff
login, CSRF) and checks its own permission.
"""

import sys
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from advisor import forms, models, presentation, selectors, services

HISTORY_PAGE_SIZE = 50
CHANGE_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
CRITERIA_HISTORY_TITLE = _("Criteria history")


def _perms(action: str, model_names) -> list[str]:
    return [f"advisor.{action}_{name}" for name in model_names]


def can_view_criteria_history(user) -> bool:
    return user.has_perms(
        _perms("view", (m.history.model._meta.model_name for m in models.CRITERIA_MODELS))
    )


def can_export_criteria(user) -> bool:
    return user.has_perms(_perms("view", (m._meta.model_name for m in models.CRITERIA_MODELS)))


def can_preview(user) -> bool:
    return user.has_perm("advisor.change_question")


def criteria_status(user) -> dict[str, Any]:
    """The current criteria version and what this user may open about it (admin index, versions)."""
    bundle = services.criteria_current()
    row = selectors.criteria_version_row(bundle.version)
    return {
        "criteria_version": bundle.version,
        "criteria_version_first_used": row.first_used_at if row else None,
        "criteria_version_assessments": row.assessments.count() if row else 0,
        "criteria_problems": bundle.problems,
        "criteria_history_url": reverse("admin:advisor_criteria_history")
        if can_view_criteria_history(user)
        else None,
        "criteria_export_url": reverse("admin:advisor_criteria_export")
        if can_export_criteria(user)
        else None,
        "criteria_preview_url": reverse("admin:advisor_questionnaire_preview")
        if can_preview(user)
        else None,
    }


def view_on_site_closed(request):
    """The admin's "view on site" route (`/admin/r/<content type>/<id>/`), closed for every model.

    Django's version needs only staff status and redirects to `get_absolute_url()`: for an
    assessment (and any later model reached through a link token) that is the private link, so
    any HR admin could collect every client's link by walking ids. RoleFit's admin has no public
    page to link to; `view_on_site = False` on the admin classes hides the button as well.
    """
    raise Http404


# ---------------------------------------------------------------------------------------------
# How a change reads in a history

# The scoring policy's thresholds are stored 0..1 but users see needs and coverage as percentages.
PERCENT_FIELDS = frozenset({"min_coverage", "min_need", "focus_share"})
NO_VALUE = "—"


def history_value(field_name: str, value) -> str:
    """A field's value as a history shows it: percentages for thresholds, a dash for nothing."""
    if value is None or value == "":
        return NO_VALUE
    if field_name in PERCENT_FIELDS:
        return presentation.percent_text(float(value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class HistoryChangeHelper(HistoricalRecordContextHelper):
    """Old and new values in full (simple_history cuts long ones to “[28 chars]”), thresholds as
    percentages and a dash instead of “None”. The template wraps long values."""

    def __init__(self, model, historical_record):
        super().__init__(model, historical_record, max_displayed_delta_change_chars=sys.maxsize)

    def prepare_delta_change_value(self, change, value):
        if value is None or value == "" or change.field in PERCENT_FIELDS:
            return history_value(change.field, value)
        return super().prepare_delta_change_value(change, value)


# A question's page saves the question first, then its options and links: their records follow
# the question's within this time.
PART_SAVE_WINDOW = timedelta(seconds=10)


def _part_changes(model, question_id: int, name, summary) -> list[tuple[Any, dict[str, str]]]:
    """(date, change) for every recorded change of a question's options or links: `name` names
    the option or link, `summary` states it when it is added or removed."""
    records = selectors.question_part_records(model, question_id)
    fields = [f.name for f in model._meta.concrete_fields if not f.is_relation and f.name != "id"]
    previous: dict[int, Any] = {}
    changes = []
    for record in records:
        before = previous.get(record.id)
        if record.history_type == "-":
            change = {"field": name(record), "old": summary(record), "new": str(_("removed"))}
            changes.append((record.history_date, change))
        elif before is None:
            change = {"field": name(record), "old": str(_("added")), "new": summary(record)}
            changes.append((record.history_date, change))
        else:
            for field in fields:
                old, new = getattr(before, field), getattr(record, field)
                if old != new:
                    label = f"{name(record)}: {model._meta.get_field(field).verbose_name}"
                    old, new = history_value(field, old), history_value(field, new)
                    changes.append((record.history_date, {"field": label, "old": old, "new": new}))
        previous[record.id] = record
    return changes


def question_part_changes(question_id: int) -> list[tuple[Any, dict[str, str]]]:
    """Every change to a question's links and options as (date, {field, old, new}), newest
    first: what the question's own records leave out (a link's weight, an option's label)."""

    def link(record):
        responsibility = record.responsibility
        target = responsibility.text if responsibility else record.responsibility_id
        return str(_("Link to “%(target)s”") % {"target": target})

    def option(record):
        return str(_("Option “%(key)s”") % {"key": record.key})

    def weight(record):
        return "× " + history_value("weight", record.weight)

    def label(record):
        return f"{record.label} ({history_value('value', record.value)})"

    changes = [
        *_part_changes(models.QuestionLink, question_id, link, weight),
        *_part_changes(models.AnswerOption, question_id, option, label),
    ]
    return sorted(changes, key=lambda item: item[0], reverse=True)


def attach_part_changes(records, changes) -> None:
    """Add each option or link change to the question record saved just before it (the same
    save of the question's page), after that record's own changes."""
    records = list(records)  # newest first
    for date, change in reversed(changes):
        owner = next((r for r in records if r.history_date <= date), None)
        if owner is not None and date - owner.history_date <= PART_SAVE_WINDOW:
            owner.history_delta_changes = [*getattr(owner, "history_delta_changes", []), change]


# ---------------------------------------------------------------------------------------------
# One history of every criteria change


def _describe(record, model) -> str:
    """The changed object in the words of the admin, without a query per row."""
    if model is models.QuestionLink:
        question, responsibility = record.question, record.responsibility
        start = question.slug if question else record.question_id
        end = responsibility.slug if responsibility else record.responsibility_id
        return f"{start} → {end}"
    if model is models.AnswerOption:
        question = record.question
        return f"{question.slug if question else record.question_id}: {record.label}"
    return str(record.instance)


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:advisor_{name}", args=args)
    except NoReverseMatch:
        return None


def _history_rows(page_items) -> list[dict[str, Any]]:
    """The page's records with user, object and changes: two queries per model on the page."""
    ids_by_model = defaultdict(list)
    for item in page_items:
        ids_by_model[item["model_name"]].append(item["history_id"])
    by_key = {}
    for model in models.CRITERIA_MODELS:
        name = model._meta.model_name
        if name not in ids_by_model:
            continue
        records, previous = selectors.history_records_with_previous(model, ids_by_model[name])
        for record in records:
            before = previous.get(record.previous_id)
            changes = []
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before)
                changes = HistoryChangeHelper(model, record).context_for_delta_changes(delta)
            by_key[name, record.history_id] = {
                "date": record.history_date,
                "user": record.history_user,
                "change_type": CHANGE_TYPES.get(record.history_type, record.history_type),
                "model": model._meta.verbose_name,
                "object": _describe(record, model),
                "changes": changes,
                "unchanged": before is not None and record.history_type == "~" and not changes,
                "history_url": _admin_url(f"{name}_history", record.id),
                "version_url": _admin_url(f"{name}_simple_history", record.id, record.history_id),
            }
    return [by_key[item["model_name"], item["history_id"]] for item in page_items]


def criteria_history(request, *, site):
    if not can_view_criteria_history(request.user):
        raise PermissionDenied
    choices = [(m._meta.model_name, m._meta.verbose_name_plural) for m in models.CRITERIA_MODELS]
    selected = request.GET.get("model", "")
    names = [selected] if selected in dict(choices) else [name for name, _label in choices]
    paginator = Paginator(selectors.criteria_history(names), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("p"))
    context = {
        **site.each_context(request),
        "title": CRITERIA_HISTORY_TITLE,
        "model_choices": choices,
        "selected_model": selected if len(names) == 1 else "",
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number),
        "rows": _history_rows(page.object_list),
    }
    return TemplateResponse(request, "admin/advisor/criteria_history.html", context)


# ---------------------------------------------------------------------------------------------
# Export


def criteria_export_download(request, *, site):
    """The current criteria as a fixture file for `load_default_criteria --from FILE`."""
    if not can_export_criteria(request.user):
        raise PermissionDenied
    version = services.criteria_current().version
    filename = f"rolefit-criteria-{timezone.localdate():%Y-%m-%d}-{version[:12]}.json"
    response = HttpResponse(services.criteria_export(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------
# Preview


PREVIEW_TITLE = _("Preview — nothing is saved")
PREVIEW_COMPANY = _("Preview company")


def questionnaire_preview(request):
    """The questionnaire as it stands now; submitting shows the result it would give, unsaved."""
    if not can_preview(request.user):
        raise PermissionDenied
    bundle = services.criteria_current()
    context = {"title": PREVIEW_TITLE, "problems": bundle.problems}
    if bundle.ready and request.method == "POST":
        form = forms.AssessmentForm(bundle, data=request.POST)
        if form.is_valid():
            context["article"] = _preview_result(bundle, form.assessment_fields()["answers"])
            return TemplateResponse(request, "admin/advisor/questionnaire_preview.html", context)
    elif bundle.ready:
        form = forms.AssessmentForm(bundle, initial={"company": PREVIEW_COMPANY})
    else:
        form = None
    if form is not None:
        context.update(
            form_body=form.render_body(),
            error_summary=form.error_summary() if form.is_bound else [],
            question_count=len(form.spec.questions),
        )
    return TemplateResponse(request, "admin/advisor/questionnaire_preview.html", context)


def _preview_result(bundle: services.CriteriaBundle, answers: dict[str, str]):
    """The result's sections as the result page would show them, nothing written."""
    result = services.answers_score(answers=answers, bundle=bundle)
    used = selectors.criteria_version_row(bundle.version)
    sections = presentation.sections_context(
        content_hash=bundle.content_hash,
        content=bundle.content,
        result=result,
        answers=answers,
        criteria_version=bundle.version,
        # A version no assessment used yet would be first used now.
        first_used_at=used.first_used_at if used else timezone.now(),
    )
    return render_to_string("includes/result_article.html", sections)
