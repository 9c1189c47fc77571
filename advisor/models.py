"""RoleFit's data: the criteria HR admins edit, and the assessments hiring managers create.

Field-level rules live here as validators *and* database constraints; rules that span several
objects (a question needs options and links, each role needs something to score) live in
`advisor.services.criteria_validate`, which loading, import and the admin all call.
"""

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from advisor import scoring, snapshots

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
slug_validator = RegexValidator(
    SLUG_PATTERN, _("Use lowercase letters, digits and single hyphens only (e.g. “team-count”).")
)

# Names a question slug may not take: every other field the questionnaire forms post
# (docs/product.md §3). CSV columns are written with `_`, which no slug holds, so they never
# collide.
# Adding a name comes with a migration that fails, naming the questions, if one already uses it.
RESERVED_SLUGS = frozenset(
    {
        "company",
        "respondent-name",
        "respondent-email",
        "respondent-title",
        "company-size",
        "industry",
        "csrfmiddlewaretoken",
    }
)

COMPANY_MAX_LENGTH = 200
RESPONDENT_NAME_MAX_LENGTH = 200
RESPONDENT_EMAIL_MAX_LENGTH = 254
NOTES_MAX_LENGTH = 10_000
PREPARED_MAX_LENGTH = 200  # each of the report's “prepared for” and “prepared by”
# Company context (docs/product.md §9): optional, not scored.
INDUSTRY_MAX_LENGTH = 100
COMPANY_SIZE_MAX_LENGTH = 9  # the longest size key, "1001-5000"

MAX_WEIGHT = Decimal("10")
weight_validators = [
    MinValueValidator(Decimal("0.001"), _("A weight must be greater than 0.")),
    MaxValueValidator(MAX_WEIGHT, _("A weight must be at most 10.")),
]
# The needs model's policy defaults (docs/scoring.md); migration 0004 re-scores with these.
DEFAULT_MIN_NEED = Decimal("0.65")
DEFAULT_FOCUS_SHARE = Decimal("0.6")
unit_validators = [
    MinValueValidator(Decimal("0"), _("Must be between 0 and 1.")),
    MaxValueValidator(Decimal("1"), _("Must be between 0 and 1.")),
]


def weight_field(**kwargs):
    return models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        validators=weight_validators,
        help_text=_("Greater than 0 and at most 10."),
        **kwargs,
    )


def weight_in_range(field: str) -> Q:
    return Q(**{f"{field}__gt": 0, f"{field}__lte": MAX_WEIGHT})


class Role(models.Model):
    """One of the two roles RoleFit advises on; exactly two exist, with fixed slugs."""

    SLUG_CHOICES = [
        (scoring.PRODUCT_OWNER, _("Product owner")),
        (scoring.PRODUCT_MANAGER, _("Product manager")),
    ]

    slug = models.SlugField(_("slug"), unique=True, choices=SLUG_CHOICES, editable=False)
    name = models.CharField(_("name"), max_length=100)
    summary = models.TextField(_("summary"), help_text=_("What the role is, in a sentence or two."))
    when_to_hire = models.TextField(_("when to hire"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__in=[scoring.PRODUCT_OWNER, scoring.PRODUCT_MANAGER]),
                name="role_slug_fixed",
                violation_error_message=_("The two roles have fixed slugs."),
            )
        ]

    def __str__(self):
        return self.name


class Responsibility(models.Model):
    """A criterion of a role, e.g. “Managing the product backlog”."""

    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("role")
    )
    slug = models.CharField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    text = models.CharField(_("responsibility"), max_length=200)
    weight = weight_field()
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role__order", "order", "slug"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.CheckConstraint(
                condition=weight_in_range("weight"),
                name="responsibility_weight_range",
                violation_error_message=_("A weight must be greater than 0 and at most 10."),
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_PATTERN),
                name="responsibility_slug_format",
                violation_error_message=_("Use lowercase letters, digits and single hyphens."),
            ),
        ]

    def __str__(self):
        return self.text


class Competency(models.Model):
    """What great product managers excel at (shown as “what to look for”)."""

    title = models.CharField(_("title"), max_length=100)
    description = models.CharField(_("description"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self):
        return self.title


class CaseStudy(models.Model):
    """Evidence shown when a product manager is recommended."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def __str__(self):
        return self.title


class CaseStudyResult(models.Model):
    case_study = models.ForeignKey(
        CaseStudy, on_delete=models.CASCADE, related_name="results", verbose_name=_("case study")
    )
    text = models.CharField(_("result"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("case study result")
        verbose_name_plural = _("case study results")

    def __str__(self):
        return self.text


class Question(models.Model):
    """A statement of the questionnaire; its slug is the form field name and CSV column."""

    slug = models.CharField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text=_("Stable identifier: form field name, recommend input key and CSV column."),
    )
    section = models.CharField(_("section"), max_length=100)
    text = models.CharField(_("statement"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active questions are asked and scored.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_PATTERN),
                name="question_slug_format",
                violation_error_message=_("Use lowercase letters, digits and single hyphens."),
            ),
            models.CheckConstraint(
                condition=~Q(slug__in=sorted(RESERVED_SLUGS)),
                name="question_slug_not_reserved",
                violation_error_message=_("This slug is reserved by the questionnaire form."),
            ),
        ]

    def __str__(self):
        # HR admins know a question by its statement; the slug is an identifier beside it.
        return self.text


class AnswerOption(models.Model):
    """One answer to a question; `value` is empty for “not sure” (off the scale)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    key = models.CharField(_("key"), max_length=50, validators=[slug_validator])
    label = models.CharField(_("label"), max_length=100)
    value = models.DecimalField(
        _("value"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=unit_validators,
        help_text=_("Between 0 and 1; leave empty for “not sure” (counts as unanswered)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "order", "id"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"],
                name="option_key_unique_per_question",
                violation_error_message=_("Each option of a question needs its own key."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=1),
                name="option_value_range",
                violation_error_message=_("An option value must be between 0 and 1, or empty."),
            ),
            models.CheckConstraint(
                condition=Q(key__regex=SLUG_PATTERN),
                name="option_key_format",
                violation_error_message=_("Use lowercase letters, digits and single hyphens."),
            ),
        ]

    def __str__(self):
        return self.label


class QuestionLink(models.Model):
    """How strongly a question speaks to a responsibility."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="links", verbose_name=_("question")
    )
    responsibility = models.ForeignKey(
        Responsibility,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("responsibility"),
    )
    weight = weight_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "responsibility"]
        verbose_name = _("question link")
        verbose_name_plural = _("question links")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "responsibility"],
                name="link_unique_per_question",
                violation_error_message=_("A question links to a responsibility only once."),
            ),
            models.CheckConstraint(
                condition=weight_in_range("weight"),
                name="link_weight_range",
                violation_error_message=_("A weight must be greater than 0 and at most 10."),
            ),
        ]

    def __str__(self):
        return f"{self.question.slug} → {self.responsibility} × {self.weight}"


class ScoringPolicy(models.Model):
    """The single record of the needs model's thresholds and the outcome advice texts."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    min_coverage = models.DecimalField(
        _("minimum coverage"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[
            MinValueValidator(Decimal("0.001"), _("Minimum coverage must be greater than 0.")),
            MaxValueValidator(Decimal("1"), _("Minimum coverage must be at most 1.")),
        ],
        help_text=_("Below this share of answered weight for a role, the outcome is undetermined."),
    )
    min_need = models.DecimalField(
        _("minimum need"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_MIN_NEED,
        validators=unit_validators,
        help_text=_(
            "A role is needed when the company's need for it is at least this value (0 to 1)."
        ),
    )
    focus_share = models.DecimalField(
        _("focus share"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_FOCUS_SHARE,
        validators=[
            MinValueValidator(Decimal("0.001"), _("The focus share must be greater than 0.")),
            MaxValueValidator(Decimal("1"), _("The focus share must be at most 1.")),
        ],
        help_text=_(
            "A role's need is the average of its most-needed responsibilities that together "
            "make up at least this share of its weight (0.6: three of five)."
        ),
    )
    advice_product_owner = models.TextField(_("advice: product owner"))
    advice_product_manager = models.TextField(_("advice: product manager"))
    advice_both_pm_first = models.TextField(_("advice: both, product manager first"))
    advice_both_po_first = models.TextField(_("advice: both, product owner first"))
    advice_neither = models.TextField(_("advice: neither"))
    advice_undetermined = models.TextField(_("advice: undetermined"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policy")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="policy_single_record"),
            models.CheckConstraint(
                condition=Q(min_coverage__gt=0, min_coverage__lte=1),
                name="policy_min_coverage_range",
                violation_error_message=_("Minimum coverage must be greater than 0 and at most 1."),
            ),
            models.CheckConstraint(
                condition=Q(min_need__gte=0, min_need__lte=1),
                name="policy_min_need_range",
                violation_error_message=_("Minimum need must be between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(focus_share__gt=0, focus_share__lte=1),
                name="policy_focus_share_range",
                violation_error_message=_("The focus share must be greater than 0 and at most 1."),
            ),
        ]

    def __str__(self):
        return str(_("Scoring policy"))

    def advice(self) -> dict[str, str]:
        """The advice texts by snapshot key (`advisor.snapshots.ADVICE_KEYS`)."""
        return {
            snapshots.ADVICE_PRODUCT_OWNER: self.advice_product_owner,
            snapshots.ADVICE_PRODUCT_MANAGER: self.advice_product_manager,
            snapshots.ADVICE_BOTH_PM_FIRST: self.advice_both_pm_first,
            snapshots.ADVICE_BOTH_PO_FIRST: self.advice_both_po_first,
            snapshots.ADVICE_NEITHER: self.advice_neither,
            snapshots.ADVICE_UNDETERMINED: self.advice_undetermined,
        }


# The models holding criteria, in the order a fixture must load them (parents first): what the
# criteria export, import and history cover and what the HR admins' group may edit.
CRITERIA_MODELS = (
    Role,
    Responsibility,
    Competency,
    CaseStudy,
    CaseStudyResult,
    Question,
    AnswerOption,
    QuestionLink,
    ScoringPolicy,
)


class CriteriaVersion(models.Model):
    """A hash of the scoring inputs; a new one appears whenever a score could change."""

    version = models.CharField(_("version"), max_length=64, unique=True)
    first_used_at = models.DateTimeField(_("first used"), auto_now_add=True)

    class Meta:
        ordering = ["-first_used_at"]
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")

    def __str__(self):
        return self.version[:12]


class CriteriaSnapshot(models.Model):
    """Everything a result page shows of the criteria, shared by identical content.

    Holds no personal data, so it may outlive the assessments that point at it.
    """

    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("criteria snapshot")
        verbose_name_plural = _("criteria snapshots")

    def __str__(self):
        return self.content_hash[:12]


class Outcome(models.TextChoices):
    """The five outcomes of the engine (`advisor.scoring`) with the one label each shows as.

    A result page's headline is a sentence of its own (`presentation.OUTCOME_HEADLINES`).
    """

    PRODUCT_OWNER = scoring.PRODUCT_OWNER, _("Product owner")
    PRODUCT_MANAGER = scoring.PRODUCT_MANAGER, _("Product manager")
    BOTH = scoring.BOTH, _("Both")
    NEITHER = scoring.NEITHER, _("Neither")
    UNDETERMINED = scoring.UNDETERMINED, _("Undetermined")


class CompanySize(models.TextChoices):
    """A company's size band (docs/product.md §9): optional context on an assessment, never scored.

    The keys are a contract (the `company-size` form field's values, the CSV's `company_size`
    column); the labels are what people read.
    """

    PEOPLE_1_10 = "1-10", _("1–10 people")
    PEOPLE_11_50 = "11-50", _("11–50 people")
    PEOPLE_51_250 = "51-250", _("51–250 people")
    PEOPLE_251_1000 = "251-1000", _("251–1,000 people")
    PEOPLE_1001_5000 = "1001-5000", _("1,001–5,000 people")
    PEOPLE_5001_PLUS = "5001+", _("5,001 people or more")


def new_token() -> str:
    # 32 random bytes = 256 bits, URL-safe base64 (43 characters).
    return secrets.token_urlsafe(32)


TEAM_MAX_RESPONDENTS = 50
TEAM_MIN_EXPECTED = 2
RESPONDENT_TITLE_MAX_LENGTH = 200
ORGANISER_EMAIL_MAX_LENGTH = 254


class Team(models.Model):
    """A team assessment: several people answer the same pinned criteria independently
    (docs/product.md §8). Its respondents are ordinary assessments linked to it.

    Two independent tokens: the organiser's (progress, close/reopen, the team result) and the
    invitation (the join page only). `changed_at` moves with every change of the team — a
    respondent joining or changing answers, closing, reopening — and keys the cached team
    result (`advisor.services.team.team_result`).
    """

    company = models.CharField(_("company"), max_length=COMPANY_MAX_LENGTH)
    organiser_name = models.CharField(_("organiser name"), max_length=RESPONDENT_NAME_MAX_LENGTH)
    organiser_email = models.EmailField(_("organiser email"), max_length=ORGANISER_EMAIL_MAX_LENGTH)
    expected_respondents = models.PositiveSmallIntegerField(
        _("expected respondents"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(TEAM_MIN_EXPECTED),
            MaxValueValidator(TEAM_MAX_RESPONDENTS),
        ],
        help_text=_("Optional: how many people you expect to answer (2 to 50)."),
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Respondents give no name; the team result numbers them instead."),
    )
    closed = models.BooleanField(_("closed"), default=False)
    organiser_token = models.CharField(
        _("organiser token"), max_length=64, unique=True, default=new_token, editable=False
    )
    invitation_token = models.CharField(
        _("invitation token"), max_length=64, unique=True, default=new_token, editable=False
    )
    snapshot = models.ForeignKey(
        CriteriaSnapshot,
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("pinned snapshot"),
    )
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("criteria version"),
    )
    # Assessment ids in the random order drawn when the team was last closed: anonymous teams
    # number their respondents in this order ("Respondent 1…n").
    respondent_order = models.JSONField(_("respondent order"), default=list, blank=True)
    # The team verdict's outcome, stored at every change of the team's respondents so the
    # consultants' list filters teams without scoring them; blank while nobody has answered.
    outcome = models.CharField(_("team outcome"), max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    changed_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("team assessment")
        verbose_name_plural = _("team assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_respondents__isnull=True)
                | Q(
                    expected_respondents__gte=TEAM_MIN_EXPECTED,
                    expected_respondents__lte=TEAM_MAX_RESPONDENTS,
                ),
                name="team_expected_respondents_range",
            ),
            models.CheckConstraint(
                condition=~Q(organiser_token=F("invitation_token")),
                name="team_tokens_differ",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("company"), COMPANY_MAX_LENGTH),
                name="team_company_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("organiser_name"), RESPONDENT_NAME_MAX_LENGTH),
                name="team_organiser_name_length",
            ),
        ]

    def __str__(self):
        return self.company

    def get_absolute_url(self):
        return reverse("advisor:team", kwargs={"token": self.organiser_token})

    @property
    def reference(self) -> str:
        """A non-secret reference for exports and the workspace ("T-42"): never a token."""
        return team_reference(self.pk)


def team_reference(team_id: int | None) -> str:
    return f"T-{team_id}" if team_id is not None else ""


class Assessment(models.Model):
    """One company's answers, scored and frozen with the criteria they were scored against.

    A team respondent's assessment links to its team, with the respondent's place in it
    (`position`, submission order) and, in named teams, the name and job title.
    """

    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_token, editable=False
    )
    company = models.CharField(_("company"), max_length=COMPANY_MAX_LENGTH)
    respondent_name = models.CharField(
        _("respondent name"), max_length=RESPONDENT_NAME_MAX_LENGTH, blank=True
    )
    respondent_email = models.EmailField(
        _("respondent email"), max_length=RESPONDENT_EMAIL_MAX_LENGTH, blank=True
    )
    answers = models.JSONField(_("answers"), default=dict)
    result = models.JSONField(_("result"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("criteria version"),
    )
    snapshot = models.ForeignKey(
        CriteriaSnapshot,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("snapshot"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    consultant_notes = models.TextField(
        _("consultant notes"),
        max_length=NOTES_MAX_LENGTH,
        blank=True,
        help_text=_("Client-visible: printed in the report for whoever holds the link."),
    )
    private_notes = models.TextField(
        _("private notes"),
        max_length=NOTES_MAX_LENGTH,
        blank=True,
        help_text=_("For consultants only: never on the result, the report or the PDF."),
    )
    prepared_for = models.CharField(_("prepared for"), max_length=PREPARED_MAX_LENGTH, blank=True)
    prepared_by = models.CharField(_("prepared by"), max_length=PREPARED_MAX_LENGTH, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="respondents",
        verbose_name=_("team"),
    )
    position = models.PositiveSmallIntegerField(_("position in the team"), null=True, blank=True)
    respondent_title = models.CharField(
        _("respondent job title"), max_length=RESPONDENT_TITLE_MAX_LENGTH, blank=True
    )
    # Company context (docs/product.md §9): optional, not scored; blank when not given.
    company_size = models.CharField(
        _("company size"),
        max_length=COMPANY_SIZE_MAX_LENGTH,
        choices=CompanySize.choices,
        blank=True,
    )
    industry = models.CharField(_("industry"), max_length=INDUSTRY_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        permissions = [("use_workspace", _("Can use the consultants' assessment workspace"))]
        indexes = [
            models.Index(fields=["company", "id"], name="assessment_company_idx"),
            models.Index(fields=["outcome", "created_at"], name="assessment_outcome_idx"),
            # The workspace's size band filter (docs/product.md §9): its counts per outcome
            # are an index-only scan, and its pages by date too.
            models.Index(
                fields=["company_size", "outcome", "created_at", "id"],
                name="assessment_size_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=scoring.OUTCOMES), name="assessment_outcome_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("company"), COMPANY_MAX_LENGTH),
                name="assessment_company_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("respondent_name"), RESPONDENT_NAME_MAX_LENGTH),
                name="assessment_respondent_name_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("respondent_email"), RESPONDENT_EMAIL_MAX_LENGTH),
                name="assessment_respondent_email_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("consultant_notes"), NOTES_MAX_LENGTH),
                name="assessment_notes_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("private_notes"), NOTES_MAX_LENGTH),
                name="assessment_private_notes_length",
            ),
            models.CheckConstraint(
                condition=Q(company_size__in=["", *CompanySize.values]),
                name="assessment_company_size_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("industry"), INDUSTRY_MAX_LENGTH),
                name="assessment_industry_length",
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True, position__isnull=True)
                | Q(team__isnull=False, position__isnull=False),
                name="assessment_team_position_together",
            ),
            models.UniqueConstraint(
                fields=["team", "position"],
                condition=Q(team__isnull=False),
                name="assessment_team_position_unique",
            ),
        ]

    def __str__(self):
        return f"{self.company} ({self.created_at:%Y-%m-%d})" if self.created_at else self.company

    def get_absolute_url(self):
        return reverse("advisor:result", kwargs={"token": self.token})


LOGO_MAX_BYTES = 500 * 1024
LOGO_MAX_SIDE = 2000
# The image formats a logo may have (Pillow's names) and the content type each is served with.
LOGO_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
DEFAULT_ORGANISATION_NAME = "RoleFit"
DEFAULT_ACCENT_COLOUR = "#0b5ed7"
COLOUR_PATTERN = r"^#[0-9a-f]{6}$"
colour_validator = RegexValidator(
    COLOUR_PATTERN, _("Give the colour as # and six hexadecimal digits, e.g. #0b5ed7.")
)


class Branding(models.Model):
    """The one site-wide brand (docs/product.md §9): site header, report and PDF.

    The logo lives in the database, so every app instance serves the same one; it is served from
    a URL naming its digest (`advisor.branding`), which changes whenever the logo does.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    organisation_name = models.CharField(
        _("organisation name"), max_length=100, default=DEFAULT_ORGANISATION_NAME
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default=DEFAULT_ACCENT_COLOUR,
        validators=[colour_validator],
        help_text=_("# and six hexadecimal digits (lowercase), e.g. #0b5ed7."),
    )
    contact_line = models.CharField(
        _("contact line"),
        max_length=200,
        blank=True,
        help_text=_("Printed under “prepared by”, e.g. “Example Consulting · +44 20 … · hello@…”."),
    )
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_content_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(_("logo digest"), max_length=64, blank=True, editable=False)
    # The logo's bytes stay out of the history (up to 500 kB a change); its digest is kept.
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="branding_single_record"),
            models.CheckConstraint(
                condition=Q(accent_colour__regex=COLOUR_PATTERN),
                name="branding_accent_colour_format",
                violation_error_message=_("Give the colour as # and six hexadecimal digits."),
            ),
            models.CheckConstraint(
                condition=Q(logo_content_type__in=["", *LOGO_CONTENT_TYPES.values()]),
                name="branding_logo_type",
            ),
        ]

    def __str__(self):
        return self.organisation_name


class CriteriaState(models.Model):
    """A stamp that changes with every criteria edit.

    Reading this one row tells a worker whether its in-process copy of the criteria is current;
    random stamps (not counters) stay unique across rolled-back transactions.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    stamp = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("criteria state")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="state_single_record")
        ]

    def __str__(self):
        return self.stamp


class RateCounter(models.Model):
    """How many requests one client made in one rate-limit scope in the current window.

    Written only by `advisor.ratelimit.DatabaseCounter`, in one atomic statement: a row whose
    window has ended counts from 1 again, and rows of ended windows are deleted as new ones start.
    """

    key = models.CharField(primary_key=True, max_length=150)
    count = models.PositiveIntegerField()
    expires_at = models.BigIntegerField(help_text="End of the window, in Unix seconds.")

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="ratecounter_expires_idx")]

    def __str__(self):
        return f"{self.key}: {self.count}"
