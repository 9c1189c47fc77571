"""The criteria in the Django admin, for HR admins (docs/product.md §1–§5).

Field rules come from the models (validators and constraints, which model forms check). Rules that
span a question's options and links are checked on the proposed inline rows by
`services.question_problems`, the same rules loading and import apply. Every criteria model keeps
its history (django-simple-history): each change page has a history with revert, and the criteria
versions page links to one history of every change.
"""

from decimal import Decimal
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, CharField, Count, ExpressionWrapper, Prefetch, Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from advisor import branding, models, services
from advisor.middleware import accepts_files
from advisor.views import admin as admin_views

NOT_READY_WARNING = _("The questionnaire cannot score until this is fixed: {problem}")

admin.site.site_header = _("RoleFit administration")
admin.site.site_title = _("RoleFit administration")

# Statements, help texts and advice read as prose: edited in boxes, not one-line inputs.
STATEMENT_WIDGET = forms.Textarea(attrs={"rows": 2, "cols": 60})


def warn_if_not_ready(request) -> None:
    """After a save or delete: say so when the active criteria can no longer score."""
    for problem in services.readiness_problems(services.criteria_snapshot_build()):
        messages.warning(request, NOT_READY_WARNING.format(problem=problem))


class CriteriaAdmin(SimpleHistoryAdmin):
    """History and revert, and a warning whenever an edit leaves the questionnaire unable to score.

    `response_add`/`response_change` run once everything is saved (inlines included, and after a
    revert from the history page), so the warning sees the final state. Histories show full old
    and new values (`admin_views.HistoryChangeHelper`) without simple_history's change-reason
    column, which RoleFit never fills.
    """

    object_history_list_template = "admin/advisor/object_history_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_historical_record_context_helper(self, request, historical_record):
        return admin_views.HistoryChangeHelper(self.model, historical_record)

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

    # Exactly the two roles of docs/product.md exist, with fixed slugs.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Responsibility)
class ResponsibilityAdmin(ChildAdmin):
    list_display = ("text", "slug", "role", "weight", "order")
    formfield_overrides = {CharField: {"widget": STATEMENT_WIDGET}}
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
    list_display = ("text", "slug", "section", "active", "links_summary", "order")
    list_display_links = ("text",)
    list_filter = ("active", "section", "links__responsibility__role")
    search_fields = ("slug", "text", "help_text")
    ordering = ("order", "id")
    fieldsets = (
        (None, {"fields": ("text", "help_text", "section", "order", "active")}),
        (_("Identifier"), {"fields": ("slug",)}),
    )
    inlines = [AnswerOptionInline, QuestionLinkInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("text", "help_text"):
            kwargs["widget"] = STATEMENT_WIDGET
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if records:
            changes = admin_views.question_part_changes(records[0].id)
            admin_views.attach_part_changes(records, changes)

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
    """A single option edited (or reverted) on its own page, checked with its siblings.

    The siblings are the question's other options as they are now: a deleted option being
    restored from its history is not among them, and its key may have been reused meanwhile.
    """

    class Meta:
        model = models.AnswerOption
        fields = ("key", "label", "value", "order")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            question = self.instance.question
            options = [
                {"key": option.key, "value": option.value}
                for option in question.options.exclude(pk=self.instance.pk)
            ] + [{"key": cleaned["key"], "value": cleaned["value"]}]
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


ADVICE_FIELDS = (
    "advice_product_owner",
    "advice_product_manager",
    "advice_both_pm_first",
    "advice_both_po_first",
    "advice_neither",
    "advice_undetermined",
)
PERCENT_ABOVE_ZERO = _("Enter a percentage greater than 0 and at most 100.")
PERCENT_RANGE = _("Enter a percentage from 0 to 100.")


class PercentField(forms.DecimalField):
    """A 0..1 threshold entered and shown as a percentage, as users see needs and coverage."""

    def __init__(self, *, above_zero: bool, **kwargs):
        self.above_zero = above_zero
        widget = forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"})
        super().__init__(decimal_places=1, widget=widget, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{(value * 100).normalize():f}"
        return value

    def clean(self, value):
        percent = super().clean(value)
        if percent is None:
            return None
        low_ok = percent > 0 if self.above_zero else percent >= 0
        if not (low_ok and percent <= 100):
            raise ValidationError(PERCENT_ABOVE_ZERO if self.above_zero else PERCENT_RANGE)
        return percent / 100


class ScoringPolicyForm(forms.ModelForm):
    min_coverage = PercentField(
        above_zero=True,
        label=_("Minimum coverage (%)"),
        help_text=_(
            "Below this share of a role's question weight answered, the outcome is undetermined."
        ),
    )
    min_need = PercentField(
        above_zero=False,
        label=_("Minimum need (%)"),
        help_text=_("A role is needed when the company's need for it reaches this percentage."),
    )
    focus_share = PercentField(
        above_zero=True,
        label=_("Focus share (%)"),
        help_text=_(
            "A role's need is the average of its most-needed responsibilities that together "
            "make up at least this share of its weight (60 %: three of five)."
        ),
    )

    class Meta:
        model = models.ScoringPolicy
        fields = [
            "min_coverage",
            "min_need",
            "focus_share",
            *ADVICE_FIELDS,
        ]


@admin.register(models.ScoringPolicy)
class ScoringPolicyAdmin(SingleRecordAdmin):
    form = ScoringPolicyForm
    list_display = ("__str__", "min_coverage_percent", "min_need_percent", "focus_share_percent")
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
            {"fields": ADVICE_FIELDS},
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("minimum coverage"))
    def min_coverage_percent(self, policy):
        return admin_views.history_value("min_coverage", policy.min_coverage)

    @admin.display(description=_("minimum need"))
    def min_need_percent(self, policy):
        return admin_views.history_value("min_need", policy.min_need)

    @admin.display(description=_("focus share"))
    def focus_share_percent(self, policy):
        return admin_views.history_value("focus_share", policy.focus_share)


# ---------------------------------------------------------------------------------------------
# Versions and assessments (read-only)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted in the admin."""

    # An assessment's page on the site is its private link: never linked from the admin.
    view_on_site = False

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


# ---------------------------------------------------------------------------------------------
# Branding (docs/product.md §9)


class BrandingForm(forms.ModelForm):
    """The brand's texts and colour, and a logo upload checked with Pillow before anything is
    stored (`branding.logo_check`)."""

    logo_upload = forms.FileField(
        label=_("logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 500 kB and 2,000 × 2,000 pixels."),
    )
    logo_remove = forms.BooleanField(label=_("remove the logo"), required=False)

    class Meta:
        model = models.Branding
        fields = ("organisation_name", "accent_colour", "contact_line")

    def clean_accent_colour(self):
        return self.cleaned_data["accent_colour"].strip().lower()

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > models.LOGO_MAX_BYTES:
            # Refused before reading the whole file into memory.
            raise ValidationError(branding.LOGO_TOO_LARGE, params={"size": -(-upload.size // 1024)})
        data = upload.read()
        branding.logo_check(data)
        return data

    def save(self, commit=True):
        obj = super().save(commit=False)
        data = self.cleaned_data.get("logo_upload")
        if data is not None:
            branding.branding_logo_set(branding=obj, data=data)
        elif self.cleaned_data.get("logo_remove"):
            branding.branding_logo_set(branding=obj, data=None)
        if commit:
            obj.save()
        return obj


@admin.register(models.Branding)
class BrandingAdmin(SimpleHistoryAdmin):
    """One record; superusers and HR admins edit it (with history)."""

    form = BrandingForm
    list_display = ("organisation_name", "accent_colour", "has_logo")
    fields = (
        "organisation_name",
        "accent_colour",
        "contact_line",
        "logo_preview",
        "logo_upload",
        "logo_remove",
    )
    readonly_fields = ("logo_preview",)

    def get_urls(self):
        # The edge guard refuses file parts on every view that does not take them
        # (advisor/middleware.py). The add and change pages take the logo; up to twice its limit
        # the form itself says how large the file is, beyond that the upload is cut off.
        urls = super().get_urls()
        for pattern in urls:
            if pattern.name and pattern.name.endswith(("_add", "_change")):
                accepts_files(max_bytes=2 * models.LOGO_MAX_BYTES)(pattern.callback)
        return urls

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not models.Branding.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("logo"), boolean=True)
    def has_logo(self, obj):
        return bool(obj.logo_digest)

    @admin.display(description=_("current logo"))
    def logo_preview(self, obj):
        if not obj or not obj.logo_digest:
            return _("No logo")
        url = branding.Brand(
            logo_content_type=obj.logo_content_type, logo_digest=obj.logo_digest
        ).logo_url
        return format_html('<img src="{}" alt="" height="48">', url)
