"""The criteria in the Django admin, for HR admins (PRODUCT.md §1–§5).

Field rules come from the models (validators and constraints, which model forms check). Rules that
span a question's options and links are checked on the proposed inline rows by
`services.question_problems`, the same rules loading and import apply. Every criteria model keeps
its history (django-simple-history): each change page has a history with revert, and the criteria
versions page links to one history of every change.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from advisor import admin_views, models, services

NOT_READY_WARNING = _("The questionnaire cannot score until this is fixed: {problem}")


def warn_if_not_ready(request) -> None:
    """After a save or delete: say so when the active criteria can no longer score."""
    for problem in services.readiness_problems(services.criteria_snapshot_build()):
        messages.warning(request, NOT_READY_WARNING.format(problem=problem))


class CriteriaAdmin(SimpleHistoryAdmin):
    """History and revert, and a warning whenever an edit leaves the questionnaire unable to score.

    `response_add`/`response_change` run once everything is saved (inlines included, and after a
    revert from the history page), so the warning sees the final state.
    """

    def response_add(self, request, obj, post_url_continue=None):
        warn_if_not_ready(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        warn_if_not_ready(request)
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        warn_if_not_ready(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        warn_if_not_ready(request)


class ChildAdmin(CriteriaAdmin):
    """A row edited inline on its parent's page; listed on its own for filtering and history.

    Added and deleted only on the parent's page, where the rules spanning its siblings are checked.
    """

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def proposed_rows(formset) -> list[dict]:
    """The cleaned rows a valid inline formset would save (deleted and blank rows left out)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get(DELETION_FIELD_NAME)
    ]


# ---------------------------------------------------------------------------------------------
# Roles and responsibilities


class ResponsibilityFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        deleted = {form.instance.pk for form in self.deleted_forms if form.instance.pk}
        if deleted:
            problems = services.responsibilities_delete_problems(responsibility_ids=deleted)
            if problems:
                raise ValidationError(problems)


class ResponsibilityInline(admin.TabularInline):
    model = models.Responsibility
    formset = ResponsibilityFormSet
    fields = ("slug", "text", "weight", "order")
    extra = 0
    show_change_link = True


@admin.register(models.Role)
class RoleAdmin(CriteriaAdmin):
    list_display = ("name", "slug", "responsibility_count", "order")
    readonly_fields = ("slug",)
    fields = ("name", "slug", "summary", "when_to_hire", "order")
    inlines = [ResponsibilityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(Count("responsibilities"))

    @admin.display(description=_("responsibilities"), ordering="responsibilities__count")
    def responsibility_count(self, role):
        return role.responsibilities__count

    # Exactly the two roles of PRODUCT.md exist, with fixed slugs.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Responsibility)
class ResponsibilityAdmin(ChildAdmin):
    list_display = ("text", "slug", "role", "weight", "order")
    list_filter = ("role",)
    list_select_related = ("role",)
    search_fields = ("slug", "text")
    ordering = ("role__order", "order", "slug")
    fields = ("role", "slug", "text", "weight", "order")


# ---------------------------------------------------------------------------------------------
# Questions, their options and links


class QuestionPartFormSet(BaseInlineFormSet):
    """The options or the links of one question.

    `parts` maps each part's model to its formset on the same page, so the links' formset can
    check the question as both formsets together would leave it.
    """

    def __init__(self, *args, parts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts if parts is not None else {}
        self.parts[self.model] = self


class QuestionLinkFormSet(QuestionPartFormSet):
    def clean(self):
        super().clean()
        options = self.parts.get(models.AnswerOption)
        if any(self.errors) or (options is not None and not options.is_valid()):
            return  # the rows' own errors are shown; the cross-check needs valid rows
        problems = services.question_edit_problems(
            question=self.instance,
            options=None
            if options is None
            else [{"key": row["key"], "value": row["value"]} for row in proposed_rows(options)],
            links=[
                {"responsibility": row["responsibility"].slug, "weight": row["weight"]}
                for row in proposed_rows(self)
            ],
            # The question form already rejects a reserved slug with the model's own message.
            check_slug=False,
        )
        if problems:
            raise ValidationError(problems)


def responsibility_choice_label(responsibility) -> str:
    return f"{responsibility.role} — {responsibility}"


class ResponsibilityChoiceMixin:
    """Responsibility choices name their role (“Product owner — Managing the backlog”)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responsibility":
            kwargs["queryset"] = models.Responsibility.objects.select_related("role")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "responsibility":
            field.label_from_instance = responsibility_choice_label
        return field


class AnswerOptionInline(admin.TabularInline):
    model = models.AnswerOption
    formset = QuestionPartFormSet
    fields = ("key", "label", "value", "order")
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 6


class QuestionLinkInline(ResponsibilityChoiceMixin, admin.TabularInline):
    model = models.QuestionLink
    formset = QuestionLinkFormSet
    fields = ("responsibility", "weight")
    verbose_name = _("link to a responsibility")
    verbose_name_plural = _("links to responsibilities")
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 2


@admin.register(models.Question)
class QuestionAdmin(CriteriaAdmin):
    list_display = ("slug", "text", "section", "active", "links_summary", "order")
    list_display_links = ("slug", "text")
    list_filter = ("active", "section", "links__responsibility__role")
    search_fields = ("slug", "text", "help_text")
    ordering = ("order", "id")
    fieldsets = (
        (None, {"fields": ("text", "help_text", "section", "order", "active")}),
        (_("Identifier"), {"fields": ("slug",)}),
    )
    inlines = [AnswerOptionInline, QuestionLinkInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "links", models.QuestionLink.objects.select_related("responsibility__role")
                )
            )
        )

    @admin.display(description=_("links (responsibility × weight)"))
    def links_summary(self, question):
        return ", ".join(
            f"{link.responsibility.slug} × {link.weight.normalize():f}"
            for link in question.links.all()
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(admin_views.questionnaire_preview)
        return [
            path("preview/", preview, name="advisor_questionnaire_preview"),
            *super().get_urls(),
        ]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AnswerOptionInline | QuestionLinkInline):
            # One dict per request, shared by the options' and the links' formsets.
            if not hasattr(request, "rolefit_question_parts"):
                request.rolefit_question_parts = {}
            kwargs["parts"] = request.rolefit_question_parts
        return kwargs


class AnswerOptionForm(forms.ModelForm):
    """A single option edited (or reverted) on its own page, checked with its siblings."""

    class Meta:
        model = models.AnswerOption
        fields = ("key", "label", "value", "order")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            question = self.instance.question
            options = [
                {"key": cleaned["key"], "value": cleaned["value"]}
                if option.pk == self.instance.pk
                else {"key": option.key, "value": option.value}
                for option in question.options.all()
            ]
            problems = services.question_edit_problems(question=question, options=options)
            if problems:
                raise ValidationError(problems)
        return cleaned


@admin.register(models.AnswerOption)
class AnswerOptionAdmin(ChildAdmin):
    form = AnswerOptionForm
    list_display = ("label", "key", "value", "question", "order")
    list_filter = ("key",)
    list_select_related = ("question",)
    search_fields = ("key", "label", "question__slug")
    ordering = ("question__order", "question__id", "order", "id")
    fields = ("question", "key", "label", "value", "order")
    readonly_fields = ("question",)


@admin.register(models.QuestionLink)
class QuestionLinkAdmin(ResponsibilityChoiceMixin, ChildAdmin):
    list_display = ("question", "responsibility", "role", "weight")
    list_filter = ("responsibility__role", "responsibility")
    list_select_related = ("question", "responsibility__role")
    search_fields = ("question__slug", "question__text", "responsibility__slug")
    ordering = ("question__order", "question__id", "responsibility__slug")
    fields = ("question", "responsibility", "weight")
    readonly_fields = ("question",)

    @admin.display(description=_("role"), ordering="responsibility__role__order")
    def role(self, link):
        return link.responsibility.role


# ---------------------------------------------------------------------------------------------
# Competencies, case study, policy


@admin.register(models.Competency)
class CompetencyAdmin(CriteriaAdmin):
    list_display = ("title", "description", "order")
    search_fields = ("title", "description")
    ordering = ("order", "id")


class CaseStudyResultInline(admin.TabularInline):
    model = models.CaseStudyResult
    fields = ("text", "order")
    extra = 1
    show_change_link = True


class SingleRecordAdmin(CriteriaAdmin):
    """The pages show the first record only: adding is offered while there is none."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()


@admin.register(models.CaseStudy)
class CaseStudyAdmin(SingleRecordAdmin):
    list_display = ("title",)
    inlines = [CaseStudyResultInline]


@admin.register(models.CaseStudyResult)
class CaseStudyResultAdmin(ChildAdmin):
    list_display = ("text", "case_study", "order")
    list_select_related = ("case_study",)
    fields = ("case_study", "text", "order")
    readonly_fields = ("case_study",)


@admin.register(models.ScoringPolicy)
class ScoringPolicyAdmin(SingleRecordAdmin):
    list_display = ("__str__", "min_coverage", "min_need", "focus_share")
    fieldsets = (
        (
            _("Thresholds"),
            {
                "fields": ("min_coverage", "min_need", "focus_share"),
                "description": _(
                    "Outcome rules: undetermined when too few of a role's questions are "
                    "answered (minimum coverage); otherwise each role whose need reaches the "
                    "minimum need is needed — both, one of them, or neither. For both, the role "
                    "with the higher need is the one to hire first."
                ),
            },
        ),
        (
            _("Outcome advice"),
            {
                "fields": (
                    "advice_product_owner",
                    "advice_product_manager",
                    "advice_both_pm_first",
                    "advice_both_po_first",
                    "advice_neither",
                    "advice_undetermined",
                )
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------------------------
# Versions and assessments (read-only)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.CriteriaVersion)
class CriteriaVersionAdmin(ReadOnlyAdmin):
    list_display = ("short_version", "first_used_at", "assessment_count", "is_current")
    fields = ("version", "first_used_at", "assessment_count")
    readonly_fields = fields
    date_hierarchy = "first_used_at"
    change_list_template = "admin/advisor/criteriaversion/change_list.html"

    def get_queryset(self, request):
        current = services.criteria_current().version
        return (
            super()
            .get_queryset(request)
            .annotate(
                Count("assessments"),
                current=ExpressionWrapper(Q(version=current), output_field=BooleanField()),
            )
        )

    @admin.display(description=_("version"), ordering="version")
    def short_version(self, version):
        return str(version)

    @admin.display(description=_("assessments scored with it"), ordering="assessments__count")
    def assessment_count(self, version):
        return version.assessments__count

    @admin.display(description=_("current"), boolean=True, ordering="current")
    def is_current(self, version):
        return version.current

    def changelist_view(self, request, extra_context=None):
        context = {**admin_views.criteria_status(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, site=self.admin_site))

        return [
            path(
                "criteria-history/",
                view(admin_views.criteria_history),
                name="advisor_criteria_history",
            ),
            path(
                "export/",
                view(admin_views.criteria_export_download),
                name="advisor_criteria_export",
            ),
            *super().get_urls(),
        ]


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Superusers only: HR admins see no assessments, consultants have their own workspace."""

    list_display = ("company", "outcome", "created_at", "criteria_version")
    list_filter = ("outcome", "created_at")
    list_select_related = ("criteria_version",)
    search_fields = ("company",)
    date_hierarchy = "created_at"
    exclude = ("snapshot",)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
