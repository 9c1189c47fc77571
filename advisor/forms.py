"""The hiring manager's questionnaire, built from the current criteria (docs/product.md §3).

Field names are the question slugs and values the option keys, so `/assess/?company=Acme` can
prefill. The layout is crispy-forms (bootstrap5) for the company fields, and hand-written radio
markup per section (`QuestionSection`): crispy's per-option sub-templates cost tens of
milliseconds for a full questionnaire. The blank questionnaire renders once per criteria content
and is then served from a cache keyed on the content hash (`questionnaire_parts`); the CSRF token
is put in per request, between the cached parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_crispy_form
from django import forms
from django.core.cache import caches
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from advisor import models, selectors, services
from advisor.services import CriteriaBundle
from advisor.services.team import NAME_REQUIRED

COMPANY_REQUIRED = _("Enter the name of your company.")
ANSWER_REQUIRED = _("Choose an answer, or “Not sure”.")
INVALID_ANSWER = _("Choose one of the answers shown.")
UNKNOWN_FIELDS = _("The form held fields it does not have. Reload the page and answer again.")
EMAIL_REQUIRED = _("Enter the email address to send the link to.")
EMAIL_INVALID = _("Enter an email address such as name@example.com.")
REPEATED_FIELDS = _("The form held an answer more than once. Reload the page and answer again.")
# Company context (docs/product.md §9): optional, never scored.
COMPANY_SIZE_INVALID = _("Choose one of the company sizes shown, or leave it empty.")
INDUSTRY_TOO_LONG = _(
    "Keep the industry to at most %(limit_value)d characters (it has %(show_value)d)."
)
INDUSTRY_NUL_CHARACTER = _("Remove the NUL character (\\0) from the industry.")
CONTEXT_HELP = _("Not used for the recommendation; printed on the report.")

# Error codes that a browser showing our form cannot produce: such a POST was made by hand.
TAMPERED_CODES = frozenset(
    {"invalid_choice", "null_characters_not_allowed", "unknown_fields", "repeated_fields"}
)
CSRF_FIELD = "csrfmiddlewaretoken"
CONTEXT_FIELDS = ("company-size", "industry")
FRAGMENT_CACHE_SECONDS = 24 * 60 * 60
CSRF_SLOT = "<!-- csrf token -->"


@dataclass
class ErrorSummary:
    """What `includes/error_summary.html` lists: other errors first, then the questions that
    need an answer (`href`, `text`, `slug`), counted."""

    items: list[dict] = field(default_factory=list)
    unanswered: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items or self.unanswered)


@dataclass(frozen=True)
class QuestionSpec:
    """What the form needs of one active question, read once per criteria bundle."""

    slug: str
    section: str
    text: str
    help_text: str
    options: tuple[tuple[str, str, bool], ...]  # (key, label, on the scale)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label, _on_scale in self.options]


@dataclass(frozen=True)
class QuestionnaireSpec:
    questions: tuple[QuestionSpec, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (section title, question slugs)


def questionnaire_spec(bundle: CriteriaBundle) -> QuestionnaireSpec:
    """The questions of `bundle` grouped by section, memoised on the bundle (no query)."""
    spec = bundle.extras.get("questionnaire_spec")
    if spec is None:
        questions = tuple(
            QuestionSpec(
                slug=q["slug"],
                section=q["section"],
                text=q["text"],
                help_text=q["help_text"],
                options=tuple((o["key"], o["label"], o["value"] is not None) for o in q["options"]),
            )
            for q in bundle.content["questions"]
        )
        sections: dict[str, list[str]] = {}
        for question in questions:
            sections.setdefault(question.section, []).append(question.slug)
        spec = QuestionnaireSpec(
            questions=questions,
            sections=tuple((title, tuple(slugs)) for title, slugs in sections.items()),
        )
        bundle.extras["questionnaire_spec"] = spec
    return spec


class NormalisedChoices(BaseChoiceIterator):
    """(key, label) pairs, already the shape Django normalises choices to.

    Django normalises plain choices again for every field and its widget of every form, a sixth
    of a submission's CPU time (profiled); it takes a choice iterator as it is.
    """

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


class QuestionSection(LayoutObject):
    """A crispy layout object: one section of questions, each a fieldset of radio buttons."""

    template = "includes/question_section.html"

    def __init__(self, title: str, slugs: tuple[str, ...], *, scale_help: bool = False):
        self.title = title
        self.fields = list(slugs)
        self.scale_help = scale_help  # explain "Neutral" vs "Not sure" (once, in the first)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        form.rendered_fields.update(self.fields)
        return render_to_string(
            self.template,
            {
                "title": self.title,
                "questions": [form.question_view(slug) for slug in self.fields],
                "scale_help": self.scale_help,
            },
        )


class StrictForm(forms.Form):
    """A form that refuses fields it does not have and fields sent twice; `tampered` tells such
    hand-made requests (answered with 400) from a person's mistakes."""

    def clean(self):
        cleaned = super().clean()
        allowed = {*self.fields, CSRF_FIELD}
        if any(name not in allowed for name in self.data):
            self.add_error(None, forms.ValidationError(UNKNOWN_FIELDS, code="unknown_fields"))
        getlist = getattr(self.data, "getlist", None)
        if getlist and any(len(getlist(name)) > 1 for name in self.fields):
            self.add_error(None, forms.ValidationError(REPEATED_FIELDS, code="repeated_fields"))
        return cleaned

    @property
    def tampered(self) -> bool:
        """Whether the errors are ones only a hand-made request can cause (answered with 400)."""
        return any(
            error.code in TAMPERED_CODES
            for errors in self.errors.as_data().values()
            for error in errors
        )


class AssessmentForm(StrictForm):
    """Company, respondent and one required radio question per active question."""

    def __init__(self, bundle: CriteriaBundle, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = questionnaire_spec(bundle)
        self.questions = {q.slug: q for q in self.spec.questions}
        self.fields["company"] = forms.CharField(
            label=_("Company"),
            max_length=models.COMPANY_MAX_LENGTH,
            error_messages={"required": COMPANY_REQUIRED},
        )
        self.fields["company-size"] = forms.ChoiceField(
            # Not "Company size": a label holding "Company" makes the company field ambiguous to
            # find by its label (voice control, browser tests); the legend says "Your company".
            label=_("Size (optional)"),
            required=False,
            choices=[("", _("Choose a size")), *models.CompanySize.choices],
            error_messages={"invalid_choice": COMPANY_SIZE_INVALID},
            help_text=CONTEXT_HELP,
        )
        self.fields["industry"] = forms.CharField(
            label=_("Industry (optional)"),
            max_length=models.INDUSTRY_MAX_LENGTH,
            required=False,
            error_messages={
                "max_length": INDUSTRY_TOO_LONG,
                "null_characters_not_allowed": INDUSTRY_NUL_CHARACTER,
            },
            help_text=CONTEXT_HELP,
        )
        self.fields["respondent-name"] = forms.CharField(
            label=_("Your name (optional)"),
            max_length=models.RESPONDENT_NAME_MAX_LENGTH,
            required=False,
        )
        self.fields["respondent-email"] = forms.EmailField(
            label=_("Your email (optional)"),
            max_length=models.RESPONDENT_EMAIL_MAX_LENGTH,
            required=False,
        )
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["respondent-name"].widget.attrs["autocomplete"] = "name"
        self.fields["respondent-email"].widget.attrs["autocomplete"] = "email"
        self.fields["industry"].widget.attrs["placeholder"] = _("e.g. Fintech, logistics, health")
        for question in self.spec.questions:
            self.fields[question.slug] = forms.ChoiceField(
                label=question.text,
                help_text=question.help_text,
                choices=NormalisedChoices(question.choices),
                widget=forms.RadioSelect,
                error_messages={"required": ANSWER_REQUIRED, "invalid_choice": INVALID_ANSWER},
            )

    def assessment_fields(self) -> dict:
        """Keyword arguments for `services.assessment_create` from a valid form."""
        data = self.cleaned_data
        return {
            "company": data["company"],
            "respondent_name": data["respondent-name"],
            "respondent_email": data["respondent-email"],
            "company_size": data["company-size"],
            "industry": data["industry"],
            "answers": {slug: data[slug] for slug in self.questions},
        }

    def error_summary(self) -> ErrorSummary:
        """The errors in page order, each with the `#id` of the field it belongs to; questions
        left unanswered are listed apart, once each, under how many there are."""
        summary = ErrorSummary()
        summary.items.extend({"href": None, "text": error} for error in self.non_field_errors())
        for name, errors in self.errors.as_data().items():
            if name == NON_FIELD_ERRORS:
                continue
            question = self.questions.get(name)
            for error in errors:
                text = next(iter(error))
                if question is None:
                    summary.items.append({"href": f"#id_{name}", "text": text})
                elif error.code == "required":
                    summary.unanswered.append(
                        {"href": f"#id_{name}_0", "text": question.text, "slug": name}
                    )
                else:
                    text = _("%(question)s — %(error)s") % {
                        "question": question.text,
                        "error": text,
                    }
                    summary.items.append({"href": f"#id_{name}_0", "text": text})
        return summary

    def question_view(self, slug: str) -> dict:
        """What `includes/question_section.html` shows of one question."""
        question = self.questions[slug]
        bound = self[slug]
        value = bound.value()
        return {
            "slug": slug,
            "text": question.text,
            "help_text": question.help_text,
            "errors": bound.errors,
            "options": [
                {
                    "id": f"id_{slug}_{index}",
                    "key": key,
                    "label": label,
                    "on_scale": on_scale,
                    "checked": value == key,
                }
                for index, (key, label, on_scale) in enumerate(question.options)
            ],
        }

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the page template puts the token outside the cached part
        # Errors are listed once, in the page's error summary; fields still show their own.
        helper.template = "includes/questionnaire_form.html"
        helper.layout = Layout(
            Fieldset(
                _("Your company"),
                Field("company"),
                Field("company-size"),
                Field("industry"),
                Field("respondent-name"),
                Field("respondent-email"),
            ),
            *(
                QuestionSection(title, slugs, scale_help=index == 0)
                for index, (title, slugs) in enumerate(self.spec.sections)
            ),
        )
        return helper

    def render_body(self) -> SafeString:
        return mark_safe(render_crispy_form(self, self.helper))


def initial_from_query(bundle: CriteriaBundle, query) -> dict[str, str]:
    """Prefill values from a query string such as `?company=Acme`; unusable values are dropped."""
    initial = {}
    limits = {
        "company": models.COMPANY_MAX_LENGTH,
        "industry": models.INDUSTRY_MAX_LENGTH,
        "respondent-name": models.RESPONDENT_NAME_MAX_LENGTH,
        "respondent-email": models.RESPONDENT_EMAIL_MAX_LENGTH,
    }
    for name, limit in limits.items():
        value = query.get(name, "").strip()
        if value and len(value) <= limit and "\x00" not in value:
            initial[name] = value
    size = query.get("company-size")
    if size in models.CompanySize.values:
        initial["company-size"] = size
    for question in questionnaire_spec(bundle).questions:
        key = query.get(question.slug)
        if key and any(key == option[0] for option in question.options):
            initial[question.slug] = key
    return initial


def initial_from_assessment(bundle: CriteriaBundle, assessment: models.Assessment) -> dict:
    """Prefill values from a saved assessment (to change its answers); answers to questions or
    options the current questionnaire no longer has are dropped, as in `initial_from_query`."""
    values = {
        "company": assessment.company,
        "company-size": assessment.company_size,
        "industry": assessment.industry,
        "respondent-name": assessment.respondent_name,
        "respondent-email": assessment.respondent_email,
        **{slug: key for slug, key in assessment.answers.items() if isinstance(key, str)},
    }
    return initial_from_query(bundle, values)


def _render_parts(
    form: AssessmentForm, change: dict | None = None
) -> tuple[SafeString, SafeString]:
    html = render_to_string(
        "includes/questionnaire.html",
        {
            "fields": form.render_body(),
            "error_summary": form.error_summary() if form.is_bound else [],
            "question_count": len(form.spec.questions),
            "csrf_slot": mark_safe(CSRF_SLOT),
            "change": change,
        },
    )
    before, after = html.split(CSRF_SLOT)
    return mark_safe(before), mark_safe(after)


def questionnaire_parts(
    bundle: CriteriaBundle, form: AssessmentForm | None = None, *, change: dict | None = None
) -> tuple[SafeString, SafeString]:
    """The questionnaire page's content as the HTML before and after the CSRF token.

    `change` (with `form`) makes it the "change your answers" page: a dict with the form's
    `action` and what `includes/change_intro.html` shows.

    With `form`, rendered for it (errors, given answers, prefill). Without, the blank form's,
    rendered once per criteria content: memoised on the bundle (no I/O at all) and kept in the
    process-local cache `local`, keyed on the content hash and language (docs/product.md §5): it
    holds no personal data, and reading it costs no query (the shared cache is for results).
    The per-request token goes between the parts, so the cached HTML holds no secret.
    """
    if form is not None:
        return _render_parts(form, change)
    key = f"rolefit:questionnaire:{bundle.content_hash}:{get_language()}"
    parts = bundle.extras.get(key)
    if parts is None:
        local = caches["local"]
        cached = local.get(key)
        if cached is None:
            cached = tuple(str(part) for part in _render_parts(AssessmentForm(bundle)))
            local.set(key, cached, FRAGMENT_CACHE_SECONDS)
        parts = tuple(mark_safe(part) for part in cached)
        bundle.extras[key] = parts
    return parts


class EmailLinkForm(forms.Form):
    """ "Email me this link": one address, not stored (docs/product.md §9)."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=models.RESPONDENT_EMAIL_MAX_LENGTH,
        error_messages={"required": EMAIL_REQUIRED, "invalid": EMAIL_INVALID},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


# ---------------------------------------------------------------------------------------------
# Team assessments (docs/product.md §8). Field names are a contract for other tools.

TEAM_START_FIELDS = (
    "company",
    "organiser-name",
    "organiser-email",
    "expected-respondents",
    "anonymous",
)
ORGANISER_NAME_REQUIRED = _("Enter your name: respondents see who invited them.")
ORGANISER_EMAIL_REQUIRED = _("Enter your email address.")
EXPECTED_RANGE = _("Enter a number from 2 to 50, or leave it empty.")


class TeamStartForm(StrictForm):
    """Start a team assessment: the team's company, its organiser and how names are shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"] = forms.CharField(
            label=_("Company"),
            max_length=models.COMPANY_MAX_LENGTH,
            error_messages={"required": COMPANY_REQUIRED},
        )
        self.fields["organiser-name"] = forms.CharField(
            label=_("Your name"),
            max_length=models.RESPONDENT_NAME_MAX_LENGTH,
            error_messages={"required": ORGANISER_NAME_REQUIRED},
        )
        self.fields["organiser-email"] = forms.EmailField(
            label=_("Your email"),
            max_length=models.ORGANISER_EMAIL_MAX_LENGTH,
            error_messages={"required": ORGANISER_EMAIL_REQUIRED},
            help_text=_("Only for the organiser link; respondents never see it."),
        )
        self.fields["expected-respondents"] = forms.IntegerField(
            label=_("How many people do you expect to answer? (optional)"),
            required=False,
            min_value=models.TEAM_MIN_EXPECTED,
            max_value=models.TEAM_MAX_RESPONDENTS,
            error_messages={
                "invalid": EXPECTED_RANGE,
                "min_value": EXPECTED_RANGE,
                "max_value": EXPECTED_RANGE,
            },
            help_text=_("Up to 50 people can answer."),
        )
        self.fields["anonymous"] = forms.BooleanField(
            label=_("Anonymous: respondents give no name and are shown as “Respondent 1, 2…”"),
            required=False,
            help_text=_(
                "Anonymous teams show each respondent's verdict and where people disagree only "
                "once you close the team with at least three answers."
            ),
        )
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["organiser-name"].widget.attrs["autocomplete"] = "name"
        self.fields["organiser-email"].widget.attrs["autocomplete"] = "email"

    def team_fields(self) -> dict:
        """Keyword arguments for `team_services.team_create` from a valid form."""
        data = self.cleaned_data
        return {
            "company": data["company"],
            "organiser_name": data["organiser-name"],
            "organiser_email": data["organiser-email"],
            "expected_respondents": data["expected-respondents"],
            "anonymous": data["anonymous"],
        }

    def error_summary(self) -> list[dict]:
        items = [{"href": None, "text": error} for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != NON_FIELD_ERRORS:
                items.extend({"href": f"#id_{name}", "text": error} for error in errors)
        return items


class TeamJoinForm(AssessmentForm):
    """The questionnaire of a team's pinned snapshot: no company and no email (the team has
    them); a name (required) and a job title in named teams, nothing about the person in
    anonymous ones."""

    def __init__(self, bundle: CriteriaBundle, *args, anonymous: bool, **kwargs):
        super().__init__(bundle, *args, **kwargs)
        self.anonymous = anonymous
        # The team has its company, and no company context: its respondents are asked neither
        # (docs/product.md §8, §9).
        for unasked in ("company", *CONTEXT_FIELDS, "respondent-email"):
            del self.fields[unasked]
        if anonymous:
            del self.fields["respondent-name"]
        else:
            name = self.fields["respondent-name"]
            name.label = _("Your name")
            name.required = True
            name.error_messages["required"] = NAME_REQUIRED
            self.fields["respondent-title"] = forms.CharField(
                label=_("Your job title (optional)"),
                max_length=models.RESPONDENT_TITLE_MAX_LENGTH,
                required=False,
            )
            self.fields["respondent-title"].widget.attrs["autocomplete"] = "organization-title"

    def join_fields(self) -> dict:
        """Keyword arguments for `team_services.team_join` from a valid form."""
        data = self.cleaned_data
        return {
            "answers": {slug: data[slug] for slug in self.questions},
            "respondent_name": data.get("respondent-name", ""),
            "respondent_title": data.get("respondent-title", ""),
        }

    @property
    def helper(self) -> FormHelper:
        helper = super().helper
        sections = [QuestionSection(title, slugs) for title, slugs in self.spec.sections]
        if self.anonymous:
            helper.layout = Layout(*sections)
        else:
            helper.layout = Layout(
                Fieldset(_("About you"), Field("respondent-name"), Field("respondent-title")),
                *sections,
            )
        return helper


# ---------------------------------------------------------------------------------------------
# The consultants' workspace: list filters and notes

DATE_RANGE_REVERSED = gettext_noop("The “to” date is before the “from” date.")
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


def company_search_field() -> forms.CharField:
    """The lists' search by company (assessments and teams alike)."""
    return forms.CharField(
        label=gettext_lazy("Company"),
        required=False,
        max_length=models.COMPANY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )


class WorkspaceFilterForm(forms.Form):
    """The list's search, filters and sort, read from the query string."""

    company = company_search_field()
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
            self.add_error("date_to", gettext(DATE_RANGE_REVERSED))
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

    company = company_search_field()
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
