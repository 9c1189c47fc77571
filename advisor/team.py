"""Team arithmetic beside the engine (docs/product.md §8, docs/teams.md). Pure: no Django import.

Several respondents answer the same pinned criteria; this module turns their answers into what
the team result shows. Every verdict comes from the engine (`scoring.score_values`), never from
a second calculation here.

For a question q and the respondents who gave it a value (v_1 … v_n, "not sure" and omitted
answers left out):

    pooled value   p_q = Σ v_i / n                       (none when n = 0: unanswered)
    agreement      A_q = 1 − 2 · Σ |v_i − p_q| / n       (only when n ≥ 2)

A_q is 1 when all gave the same answer and 0 when they split between the ends of a 0..1 scale.
The team's overall agreement weights each question by its total weight W_q = Σ w_qc · w_c over
its links (link weight × responsibility weight): Σ W_q · A_q / Σ W_q over the questions that
have an agreement (none when no question has one).

The team verdict scores the pooled values with the needs model, its coverage rule included. A
question is **pivotal** when setting its pooled value to the value of an answer some respondent
gave changes the verdict's outcome; each distinct answer is tried alone, the others stay pooled.
The **agenda** for the team's meeting lists the pivotal questions, then those of low agreement
(below 0.5), each once, in question order within each group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from advisor import scoring

VERY_HIGH = "very high"
HIGH = "high"
MODERATE = "moderate"
LOW = "low"
# Lower bounds of the words, highest first; below the last one the agreement is low.
AGREEMENT_BANDS = ((Fraction(7, 8), VERY_HIGH), (Fraction(3, 4), HIGH), (Fraction(1, 2), MODERATE))

NOT_A_SEQUENCE = "respondents must be a sequence of answer mappings"


@dataclass(frozen=True)
class QuestionSummary:
    question: str  # slug
    answered: int  # respondents who gave the question a value
    pooled: Fraction | None  # None: nobody gave a value
    agreement: Fraction | None  # None below two valued answers
    distribution: tuple[tuple[str, int], ...]  # (option key, respondents) for every option
    nearest: str | None  # the scale option nearest the pooled value (its key)


@dataclass(frozen=True)
class Pivotal:
    question: str  # slug
    answer: str  # option key
    respondents: tuple[int, ...]  # indices (into the respondents given) of those who gave it
    outcome: str  # the outcome with this answer's value as the pooled value


@dataclass(frozen=True)
class TeamResult:
    respondents: int
    verdict: scoring.Result  # the pooled values scored; no sensitivity
    questions: tuple[QuestionSummary, ...]  # in question order
    agreement: Fraction | None  # overall, weighted; None when no question has one
    pivotal: tuple[Pivotal, ...]  # question order, then scale order
    agenda: tuple[str, ...]  # question slugs: pivotal first, then low agreement

    def pooled_values(self) -> dict[str, Fraction | None]:
        return {q.question: q.pooled for q in self.questions}


def agreement_label(agreement: Fraction | None) -> str | None:
    """The agreement in words, from its exact value: very high, high, moderate or low."""
    if agreement is None:
        return None
    for bound, label in AGREEMENT_BANDS:
        if agreement >= bound:
            return label
    return LOW


def agreement_of(values: Sequence[Fraction]) -> Fraction | None:
    """1 − 2·MAD of the values (MAD: their mean absolute deviation from their mean); None below
    two values."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values, Fraction(0)) / n
    mad = sum((abs(v - mean) for v in values), Fraction(0)) / n
    return 1 - 2 * mad


def question_weight(criteria: scoring.Criteria, question: scoring.Question) -> Fraction:
    """W_q = Σ w_qc · w_c over the question's links."""
    weight = {r.slug: Fraction(r.weight) for r in criteria.responsibilities}
    return sum(
        (Fraction(link.weight) * weight[link.responsibility] for link in question.links),
        Fraction(0),
    )


def nearest_option(question: scoring.Question, value: Fraction | None) -> str | None:
    """The key of the scale option nearest `value`. Exactly between two: the one nearer the
    middle of the scale (the midpoint of its lowest and highest values); still equal: the
    earlier in scale order."""
    if value is None:
        return None
    scale = [(o.key, Fraction(o.value)) for o in question.options if o.value is not None]
    middle = (min(v for _, v in scale) + max(v for _, v in scale)) / 2
    best = min(
        range(len(scale)),
        key=lambda i: (abs(scale[i][1] - value), abs(scale[i][1] - middle), i),
    )
    return scale[best][0]


def team_score(criteria: scoring.Criteria, respondents: Sequence[Mapping[str, str]]) -> TeamResult:
    """The team result for the respondents' answers (question slug → option key each), given in
    the order the result lists them.

    Raises scoring.AnswerError for an unknown slug or option key, like `scoring.score`.
    """
    if isinstance(respondents, Mapping | str) or not isinstance(respondents, Sequence):
        raise scoring.AnswerError(NOT_A_SEQUENCE)
    for answers in respondents:
        scoring.validate_answers(criteria, answers)

    questions = []
    weights = []
    agreed = []
    # Per question: option key → the indices of the respondents who chose it.
    chosen_by: list[dict[str, list[int]]] = []
    for question in criteria.questions:
        value_of = {o.key: o.value for o in question.options}
        by_key: dict[str, list[int]] = {}
        values = []
        for index, answers in enumerate(respondents):
            key = answers.get(question.slug)
            if key is None:
                continue
            by_key.setdefault(key, []).append(index)
            value = value_of[key]
            if value is not None:
                values.append(Fraction(value))
        pooled = sum(values, Fraction(0)) / len(values) if values else None
        agreement = agreement_of(values)
        if agreement is not None:
            weights.append(question_weight(criteria, question))
            agreed.append(agreement)
        questions.append(
            QuestionSummary(
                question=question.slug,
                answered=len(values),
                pooled=pooled,
                agreement=agreement,
                distribution=tuple((o.key, len(by_key.get(o.key, ()))) for o in question.options),
                nearest=nearest_option(question, pooled),
            )
        )
        chosen_by.append(by_key)

    overall = None
    if agreed:
        overall = sum((w * a for w, a in zip(weights, agreed, strict=True)), Fraction(0)) / sum(
            weights, Fraction(0)
        )

    pooled_values = {q.question: q.pooled for q in questions}
    verdict = scoring.score_values(criteria, pooled_values)
    pivotal = _pivotal(criteria, pooled_values, verdict.outcome, chosen_by)
    # `pivotal` is in question order already.
    pivotal_questions = list(dict.fromkeys(p.question for p in pivotal))
    low = [q.question for q in questions if agreement_label(q.agreement) == LOW]
    return TeamResult(
        respondents=len(respondents),
        verdict=verdict,
        questions=tuple(questions),
        agreement=overall,
        pivotal=pivotal,
        agenda=(*pivotal_questions, *(slug for slug in low if slug not in pivotal_questions)),
    )


def _pivotal(
    criteria: scoring.Criteria,
    pooled: dict[str, Fraction | None],
    outcome: str,
    chosen_by: list[dict[str, list[int]]],
) -> tuple[Pivotal, ...]:
    """Each distinct valued answer whose value, as its question's pooled value, changes the
    outcome; question order, then scale order. An answer equal to the pooled value changes
    nothing and is not scored."""
    tried = []  # (question slug, option key, respondents)
    candidates = []
    for question, by_key in zip(criteria.questions, chosen_by, strict=True):
        current = pooled[question.slug]
        if current is None:
            continue
        for option in question.options:
            if option.value is None or option.key not in by_key:
                continue
            value = Fraction(option.value)
            if value == current:
                continue
            tried.append((question.slug, option.key, tuple(by_key[option.key])))
            candidates.append({**pooled, question.slug: value})
    return tuple(
        Pivotal(question=slug, answer=key, respondents=indices, outcome=after)
        for (slug, key, indices), after in zip(
            tried, scoring.outcomes_of_values(criteria, candidates), strict=True
        )
        if after != outcome
    )
