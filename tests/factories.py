"""factory-boy factories for RoleFit's models."""

from decimal import Decimal

import factory

from advisor import models, scoring

AGREEMENT = (
    ("strongly-disagree", "Strongly disagree", Decimal("0")),
    ("disagree", "Disagree", Decimal("0.25")),
    ("neutral", "Neutral", Decimal("0.5")),
    ("agree", "Agree", Decimal("0.75")),
    ("strongly-agree", "Strongly agree", Decimal("1")),
    ("not-sure", "Not sure", None),
)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Role
        django_get_or_create = ("slug",)

    slug = scoring.PRODUCT_OWNER
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    summary = factory.LazyAttribute(lambda o: f"What a {o.name.lower()} does.")
    when_to_hire = factory.LazyAttribute(lambda o: f"When to hire a {o.name.lower()}.")
    order = factory.LazyAttribute(
        lambda o: scoring.ROLES.index(o.slug) if o.slug in scoring.ROLES else 9
    )


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Responsibility

    role = factory.SubFactory(RoleFactory)
    slug = factory.Sequence(lambda n: f"responsibility-{n}")
    text = factory.Sequence(lambda n: f"Responsibility {n}")
    weight = Decimal("1")
    order = factory.Sequence(int)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question with the agreement scale; pass `links=[(responsibility, weight), ...]`."""

    class Meta:
        model = models.Question
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"question-{n}")
    section = "Team & delivery"
    text = factory.Sequence(lambda n: f"Statement number {n}.")
    help_text = ""
    order = factory.Sequence(int)
    active = True

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create:
            return
        for order, (key, label, value) in enumerate(extracted or AGREEMENT):
            models.AnswerOption.objects.create(
                question=self, key=key, label=label, value=value, order=order
            )

    @factory.post_generation
    def links(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for responsibility, weight in extracted:
            models.QuestionLink.objects.create(
                question=self, responsibility=responsibility, weight=Decimal(str(weight))
            )


class AnswerOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AnswerOption

    question = factory.SubFactory(QuestionFactory, options=[])
    key = factory.Sequence(lambda n: f"option-{n}")
    label = factory.Sequence(lambda n: f"Option {n}")
    value = Decimal("0.5")
    order = factory.Sequence(int)


class QuestionLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionLink

    question = factory.SubFactory(QuestionFactory)
    responsibility = factory.SubFactory(ResponsibilityFactory)
    weight = Decimal("1")


class ScoringPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScoringPolicy
        django_get_or_create = ("singleton",)

    singleton = True
    min_coverage = Decimal("0.5")
    min_need = Decimal("0.65")
    focus_share = Decimal("0.6")
    advice_product_owner = "Advice: hire a product owner."
    advice_product_manager = "Advice: hire a product manager."
    advice_both_pm_first = "Advice: hire both, a product manager first."
    advice_both_po_first = "Advice: hire both, a product owner first."
    advice_neither = "Advice: neither yet."
    advice_undetermined = "Advice: answer more."


def small_criteria(questions_per_role: int = 2) -> list[models.Question]:
    """Two roles, one responsibility each, `questions_per_role` questions linked to each."""
    ScoringPolicyFactory()
    questions = []
    for role_slug in scoring.ROLES:
        role = RoleFactory(slug=role_slug)
        responsibility = ResponsibilityFactory(role=role)
        for _ in range(questions_per_role):
            questions.append(QuestionFactory(links=[(responsibility, 1)]))
    return questions


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment scored through the real service against the current criteria."""

    class Meta:
        model = models.Assessment

    company = factory.Sequence(lambda n: f"Company {n}")
    respondent_name = ""
    respondent_email = ""
    answers = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from advisor import services

        return services.assessment_create(**kwargs)
