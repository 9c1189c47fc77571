"""RoleFit's scoring engine: the needs model of docs/scoring.md. Pure, deterministic, stdlib only.

Criteria and answers go in as frozen dataclasses and a mapping; a frozen `Result` comes out, with
everything a page shows about a score, so no other module recomputes any part of it. Arithmetic
is exact (`fractions.Fraction`, or integers over a common unit inside).

For a responsibility c (weight w_c, of one role) and the active questions q linked to it (link
weight w_qc, answer value v_q; "not sure" and omitted questions are unanswered):

    a_c = Σ w_qc over the answered links        t_c = Σ w_qc over all links
    n_c = Σ w_qc · v_q / a_c                    (the responsibility's need; none when a_c = 0)

For a role R:

    coverage  cov_R = Σ w_c · a_c / Σ w_c · t_c
    focus     the shortest head of R's needed responsibilities ranked by need (ties: criteria
              order) whose weight reaches focus_share × the weight of all that have a need
    need      N_R = Σ_focus w_c · n_c / Σ_focus w_c       (none when nothing of R has a need)

Outcome under the policy (min_coverage, min_need, focus_share): `undetermined` when some cov_R <
min_coverage; otherwise R is needed when N_R ≥ min_need, giving `both`, one role, or `neither`.
For `both` the lead hire is the role with the higher need (equal: product manager).

A question's contribution to R is Σ_{c in focus} w_c · w_qc · v_q / (a_c · W_R), W_R the focus
weight: a role's contributions sum to its need. The sensitivity (see `advisor.sensitivity`) is
the fewest one-step answer changes that change the outcome.
"""

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational

from advisor import sensitivity as search

MODEL = "needs"

PRODUCT_OWNER = "product-owner"
PRODUCT_MANAGER = "product-manager"
ROLES = (PRODUCT_OWNER, PRODUCT_MANAGER)

UNDETERMINED = "undetermined"
NEITHER = "neither"
BOTH = "both"
OUTCOMES = (PRODUCT_OWNER, PRODUCT_MANAGER, BOTH, NEITHER, UNDETERMINED)

MAX_CHANGES = search.MAX_CHANGES

ANSWERS_NOT_MAPPING = "answers must map question slugs to option keys"
UNKNOWN_QUESTION = "unknown question slug {slug!r}"
UNKNOWN_OPTION = "unknown option key {key!r} for question {slug!r}"
UNKNOWN_ROLE = "unknown role {role!r}"
ROLE_CANNOT_SCORE = "no active question is linked to a responsibility of role {role!r}"
DUPLICATE_RESPONSIBILITY = "responsibility {slug!r} is defined twice"
DUPLICATE_QUESTION = "question {slug!r} is defined twice"
DUPLICATE_OPTION = "option key {key!r} appears twice in question {slug!r}"
UNKNOWN_RESPONSIBILITY = "question {slug!r} links to unknown responsibility {responsibility!r}"
BAD_WEIGHT = "weight of {what} must be > 0, not {weight}"
BAD_VALUE = "option {key!r} of question {slug!r} has value {value}; values lie in [0, 1]"
BAD_POLICY = "policy {name} is {value}; it must lie in {interval}"


class ScoringError(Exception):
    """Base of the errors the scoring engine raises."""


class CriteriaError(ScoringError):
    """The criteria cannot score (for example a role with nothing linked to it)."""


class AnswerError(ScoringError):
    """The answers name a question or option the criteria do not have."""


# ---------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    value: Fraction | None  # None: "not sure", off the scale


@dataclass(frozen=True)
class Link:
    responsibility: str  # responsibility slug
    weight: Fraction


@dataclass(frozen=True)
class Responsibility:
    slug: str
    role: str
    weight: Fraction


@dataclass(frozen=True)
class Question:
    """An active question. Its *scale* is its valued options, in the order given."""

    slug: str
    text: str
    options: tuple[Option, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Policy:
    min_coverage: Fraction  # in (0, 1]
    min_need: Fraction  # in [0, 1]
    focus_share: Fraction  # in (0, 1]


@dataclass(frozen=True)
class Criteria:
    responsibilities: tuple[Responsibility, ...]  # in criteria order (roles, then their order)
    questions: tuple[Question, ...]  # the active questions only, in question order
    policy: Policy


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class ResponsibilityNeed:
    slug: str
    role: str
    need: Fraction | None  # None: no linked question answered
    focus: bool


@dataclass(frozen=True)
class RoleNeed:
    role: str
    need: Fraction | None  # None: nothing of the role answered
    coverage: Fraction
    needed: bool  # need ≥ min_need
    focus: tuple[str, ...]  # responsibility slugs, most needed first
    unanswered: tuple[str, ...]  # slugs of the role's unanswered questions, in question order


@dataclass(frozen=True)
class Driver:
    question: str
    role: str
    contribution: Fraction


@dataclass(frozen=True)
class Change:
    question: str
    from_key: str
    to_key: str


@dataclass(frozen=True)
class Sensitivity:
    """`Sensitivity(None, None, ())` means "more than three" changes are needed."""

    changes_needed: int | None
    outcome_after: str | None
    nearest: tuple[Change, ...]


MORE_THAN_THREE = Sensitivity(changes_needed=None, outcome_after=None, nearest=())


@dataclass(frozen=True)
class Result:
    outcome: str
    lead: str | None  # the role to hire first, for `both` only
    roles: tuple[RoleNeed, RoleNeed]  # (product-owner, product-manager)
    responsibilities: tuple[ResponsibilityNeed, ...]  # the needs profile, in criteria order
    drivers: tuple[Driver, ...]  # largest first; ties: question order, then PO before PM
    sensitivity: Sensitivity | None  # None when undetermined or scored from pooled values

    def role(self, role: str) -> RoleNeed:
        for role_need in self.roles:
            if role_need.role == role:
                return role_need
        raise ValueError(UNKNOWN_ROLE.format(role=role))

    def role_order(self) -> tuple[str, str]:
        return role_order(self.outcome, self.lead)

    def top_drivers(self, role: str, n: int = 3) -> tuple[Driver, ...]:
        if role not in ROLES:
            raise ValueError(UNKNOWN_ROLE.format(role=role))
        return tuple(d for d in self.drivers if d.role == role)[:n]


# ---------------------------------------------------------------------------------------------
# Scoring


def validate_answers(criteria: Criteria, answers: Mapping[str, str]) -> None:
    """Raise AnswerError naming the first answer whose slug or option key the criteria lack."""
    if not isinstance(answers, Mapping):
        raise AnswerError(ANSWERS_NOT_MAPPING)
    keys_by_slug = {q.slug: {o.key for o in q.options} for q in criteria.questions}
    for slug, key in answers.items():
        if not isinstance(slug, str) or slug not in keys_by_slug:
            raise AnswerError(UNKNOWN_QUESTION.format(slug=slug))
        if not isinstance(key, str) or key not in keys_by_slug[slug]:
            raise AnswerError(UNKNOWN_OPTION.format(key=key, slug=slug))


def outcome_of(needed_po: bool, needed_pm: bool) -> str:
    """The outcome once coverage suffices: which roles reach the line."""
    if needed_po and needed_pm:
        return BOTH
    if needed_po:
        return PRODUCT_OWNER
    if needed_pm:
        return PRODUCT_MANAGER
    return NEITHER


def role_order(outcome: str, lead: str | None = None) -> tuple[str, str]:
    """Roles in display order: the recommended role (the lead hire for `both`) first, else the
    product manager first."""
    first = lead if outcome == BOTH else outcome
    if first == PRODUCT_OWNER:
        return (PRODUCT_OWNER, PRODUCT_MANAGER)
    return (PRODUCT_MANAGER, PRODUCT_OWNER)


def lead_of(outcome: str, need_po: Fraction | None, need_pm: Fraction | None) -> str | None:
    """The lead hire for `both`: the higher need, product manager on equal needs."""
    if outcome != BOTH or need_po is None or need_pm is None:
        return None
    return PRODUCT_OWNER if need_po > need_pm else PRODUCT_MANAGER


def to_float(x: Rational | None, places: int = 4) -> float | None:
    """`x` rounded to `places` decimals, halves away from zero, as the nearest float."""
    if x is None:
        return None
    unit = 10**places
    value = x if isinstance(x, Fraction) else Fraction(x)
    numerator, denominator = value.numerator, value.denominator
    # floor(|x| · unit + 1/2) in integers; int / int is correctly rounded, as float(Fraction) is.
    rounded = (2 * abs(numerator) * unit + denominator) // (2 * denominator)
    return (rounded if numerator >= 0 else -rounded) / unit


def score(criteria: Criteria, answers: Mapping[str, str]) -> Result:
    """Score `answers` (question slug -> option key; omitted = not sure) against `criteria`.

    Raises AnswerError for an unknown slug or option key, CriteriaError when the criteria cannot
    score (notably a role with no active question linked to it).
    """
    result, problem = scored_without_sensitivity(criteria, answers)
    if problem is None:
        return result
    model = _model(criteria)
    positions = problem.positions
    found = search.nearest_change(problem)
    if found is None:
        sensitivity = MORE_THAN_THREE
    else:
        sensitivity = Sensitivity(
            changes_needed=len(found.moves),
            outcome_after=found.outcome,
            nearest=tuple(
                Change(
                    question=criteria.questions[q].slug,
                    from_key=model.scales[q][positions[q]][0].key,
                    to_key=model.scales[q][target][0].key,
                )
                for q, target in found.moves
            ),
        )
    return _replace_sensitivity(result, sensitivity)


def scored_without_sensitivity(
    criteria: Criteria, answers: Mapping[str, str]
) -> tuple[Result, search.Problem | None]:
    """The result without its sensitivity, and the search problem that finds it (None when
    undetermined). `score` is both together; benchmarks time the search alone."""
    validate_answers(criteria, answers)
    model = _model(criteria)
    positions = {}  # question index -> position of the answer in its scale
    for index, scale in enumerate(model.scales):
        key = answers.get(criteria.questions[index].slug)
        for position, (option, _) in enumerate(scale):
            if option.key == key:
                positions[index] = position
    values = {q: model.scales[q][p][1] for q, p in positions.items()}
    result = model.result(values)
    if result.outcome == UNDETERMINED:
        return result, None
    return result, model.search_problem(values, positions, result)


def score_values(criteria: Criteria, values: Mapping[str, Rational | None]) -> Result:
    """Score values in [0, 1] per question slug (None or omitted: unanswered), e.g. a team's
    pooled answers. No sensitivity: a value between scale options has no one-step neighbour."""
    if not isinstance(values, Mapping):
        raise AnswerError(ANSWERS_NOT_MAPPING)
    model = _model(criteria)
    index_of = {q.slug: i for i, q in enumerate(criteria.questions)}
    scaled = {}
    for slug, value in values.items():
        if slug not in index_of:
            raise AnswerError(UNKNOWN_QUESTION.format(slug=slug))
        if value is not None:
            value = Fraction(value)
            if not 0 <= value <= 1:
                raise AnswerError(BAD_VALUE.format(key="-", slug=slug, value=value))
            scaled[index_of[slug]] = value
    return model.result(scaled, exact_values=True)


def outcomes_of_values(
    criteria: Criteria, candidates: Sequence[Mapping[str, Rational | None]]
) -> list[str]:
    """The outcome of `score_values(criteria, values)` for each of `candidates`, computed
    without the rest of the result (profile, drivers): a team's pivotal questions compare
    dozens of outcomes per team result."""
    model = _model(criteria)
    index_of = {q.slug: i for i, q in enumerate(criteria.questions)}
    outcomes = []
    for values in candidates:
        scaled = {index_of[slug]: Fraction(v) for slug, v in values.items() if v is not None}
        needs, coverage = model.needs_and_coverage(scaled, value_unit=1)
        role_needs = [model.role_need(role, needs)[0] for role in range(2)]
        outcomes.append(model.outcome(role_needs, coverage))
    return outcomes


def _model(criteria: Criteria) -> "_Model":
    """The model of `criteria`, built once. Criteria change rarely and a page scores against the
    same object again and again: found by identity first, since hashing a frozen dataclass
    hashes every field of every question and option (exact fractions included) on each call,
    about a fifth of scoring a submission (`score` 0.87 → 0.68 ms of CPU without it)."""
    model = _models_by_identity.get(id(criteria))
    if model is None or model.criteria is not criteria:
        model = _model_of_equal(criteria)
        if len(_models_by_identity) >= _MODELS_KEPT:
            _models_by_identity.clear()
        _models_by_identity[id(criteria)] = model
    return model


_MODELS_KEPT = 16
# id(criteria) -> its model, which holds the criteria (so the id stays theirs while kept).
_models_by_identity: dict[int, "_Model"] = {}


@functools.lru_cache(maxsize=_MODELS_KEPT)
def _model_of_equal(criteria: Criteria) -> "_Model":
    return _Model(criteria)


def _replace_sensitivity(result: Result, sensitivity: Sensitivity) -> Result:
    return Result(
        outcome=result.outcome,
        lead=result.lead,
        roles=result.roles,
        responsibilities=result.responsibilities,
        drivers=result.drivers,
        sensitivity=sensitivity,
    )


def _ratio(x) -> tuple[int, int]:
    """Numerator and (positive) denominator of an exact number (Fraction, int or Decimal)."""
    if not isinstance(x, Fraction | int):
        x = Fraction(x)
    return x.numerator, x.denominator


class _Model:
    """The criteria checked and turned into integers over common units.

    Responsibility c's answered sum is S_c = Σ w_qc · v_q in units of 1/(link_unit · value_unit)
    and its answered weight a_c = Σ w_qc in units of 1/link_unit, so n_c = S_c / (a_c · value_unit).
    """

    def __init__(self, criteria: Criteria):
        self.criteria = criteria
        self._check_policy(criteria.policy)
        # Exact fractions whatever came in (Decimal from the database, int, Fraction).
        self.policy = Policy(
            min_coverage=Fraction(criteria.policy.min_coverage),
            min_need=Fraction(criteria.policy.min_need),
            focus_share=Fraction(criteria.policy.focus_share),
        )
        self.role_of: list[int] = []  # responsibility index -> role index
        self.weights: list[Fraction] = []  # w_c
        index_of: dict[str, int] = {}
        for r in criteria.responsibilities:
            if r.role not in ROLES:
                raise CriteriaError(UNKNOWN_ROLE.format(role=r.role))
            if r.slug in index_of:
                raise CriteriaError(DUPLICATE_RESPONSIBILITY.format(slug=r.slug))
            if not r.weight > 0:
                what = f"responsibility {r.slug!r}"
                raise CriteriaError(BAD_WEIGHT.format(what=what, weight=r.weight))
            index_of[r.slug] = len(self.role_of)
            self.role_of.append(ROLES.index(r.role))
            self.weights.append(Fraction(r.weight))
        weight_unit = math.lcm(*(w.denominator for w in self.weights))
        self.unit_weights = [w.numerator * (weight_unit // w.denominator) for w in self.weights]
        self.members = [[c for c, r in enumerate(self.role_of) if r == role] for role in range(2)]

        slugs = set()
        links: list[list[tuple[int, Fraction]]] = []
        for q in criteria.questions:
            if q.slug in slugs:
                raise CriteriaError(DUPLICATE_QUESTION.format(slug=q.slug))
            slugs.add(q.slug)
            question_links = []
            for link in q.links:
                if link.responsibility not in index_of:
                    raise CriteriaError(
                        UNKNOWN_RESPONSIBILITY.format(
                            slug=q.slug, responsibility=link.responsibility
                        )
                    )
                if not link.weight > 0:
                    what = f"link {q.slug!r} -> {link.responsibility!r}"
                    raise CriteriaError(BAD_WEIGHT.format(what=what, weight=link.weight))
                question_links.append((index_of[link.responsibility], Fraction(link.weight)))
            links.append(question_links)
        self.link_unit = math.lcm(*(w.denominator for ql in links for _, w in ql))
        # links[q] = ((responsibility, integer link weight), ...)
        self.links = [
            tuple((c, w.numerator * (self.link_unit // w.denominator)) for c, w in question_links)
            for question_links in links
        ]

        ratios = []
        for q in criteria.questions:
            keys = set()
            for o in q.options:
                if o.key in keys:
                    raise CriteriaError(DUPLICATE_OPTION.format(key=o.key, slug=q.slug))
                keys.add(o.key)
            scale = [(o, Fraction(o.value)) for o in q.options if o.value is not None]
            for o, value in scale:
                if not 0 <= value <= 1:
                    raise CriteriaError(BAD_VALUE.format(key=o.key, slug=q.slug, value=o.value))
            ratios.append(scale)
        self.value_unit = math.lcm(*(v.denominator for scale in ratios for _, v in scale))
        # scales[q] = ((option, integer value), ...): the valued options in scale order
        self.scales = [
            tuple((o, v.numerator * (self.value_unit // v.denominator)) for o, v in scale)
            for scale in ratios
        ]

        self.total = [0] * len(self.role_of)  # t_c
        for linked in self.links:
            for c, w in linked:
                self.total[c] += w
        for role_index, role in enumerate(ROLES):
            if not any(t for c, t in enumerate(self.total) if self.role_of[c] == role_index):
                raise CriteriaError(ROLE_CANNOT_SCORE.format(role=role))

    @staticmethod
    def _check_policy(policy: Policy) -> None:
        for name, value, lowest_allowed in (
            ("min_coverage", policy.min_coverage, False),
            ("min_need", policy.min_need, True),
            ("focus_share", policy.focus_share, False),
        ):
            if value > 1 or value < 0 or (value == 0 and not lowest_allowed):
                interval = "[0, 1]" if lowest_allowed else "(0, 1]"
                raise CriteriaError(BAD_POLICY.format(name=name, value=value, interval=interval))

    # -- needs ---------------------------------------------------------------------------------

    def answered_weights(self, answered) -> list[int]:
        """a_c for the answered question indices."""
        answered_weight = [0] * len(self.role_of)
        for q in answered:
            for c, w in self.links[q]:
                answered_weight[c] += w
        return answered_weight

    def needs(self, sums, answered_weight, value_unit) -> list[Fraction | None]:
        return [
            Fraction(s, a * value_unit) if a else None
            for s, a in zip(sums, answered_weight, strict=True)
        ]

    def role_need(self, role: int, keys, scale=1) -> tuple[Fraction | None, tuple[int, ...]]:
        """N_R and the focus (responsibility indices, most needed first).

        keys[c] is n_c × scale (None: no need), for one `scale` across the role: the needs
        themselves, or integers in the sensitivity search, which compares many candidates.
        """
        ranked = sorted(
            (c for c in self.members[role] if keys[c] is not None),
            key=lambda c: -keys[c],  # sorted() is stable: equal needs stay in criteria order
        )
        if not ranked:
            return None, ()
        share = self.policy.focus_share
        enough = share.numerator * sum(self.unit_weights[c] for c in ranked)
        focus_weight = weighted = 0
        for count, c in enumerate(ranked, start=1):
            focus_weight += self.unit_weights[c]
            weighted += self.unit_weights[c] * keys[c]
            if focus_weight * share.denominator >= enough:
                return Fraction(weighted, scale * focus_weight), tuple(ranked[:count])
        raise AssertionError("focus_share ≤ 1 always ends the focus")  # pragma: no cover

    def needs_and_coverage(
        self, values, value_unit, answered_weight=None
    ) -> tuple[list[Fraction | None], list[Fraction]]:
        """n_c for every responsibility and cov_R for both roles."""
        if answered_weight is None:
            answered_weight = self.answered_weights(values)
        sums: list = [0] * len(self.role_of)
        for q, v in values.items():
            for c, w in self.links[q]:
                sums[c] += w * v
        needs = self.needs(sums, answered_weight, value_unit)
        coverage = []
        for role in range(2):
            own = self.members[role]
            coverage.append(
                Fraction(
                    sum(self.weights[c] * answered_weight[c] for c in own),
                    sum(self.weights[c] * self.total[c] for c in own),
                )
            )
        return needs, coverage

    def outcome(self, role_needs, coverage) -> str:
        policy = self.policy
        if any(cov < policy.min_coverage for cov in coverage):
            return UNDETERMINED
        needed = [n is not None and n >= policy.min_need for n in role_needs]
        return outcome_of(*needed)

    def result(self, values: Mapping[int, int | Fraction], exact_values: bool = False) -> Result:
        """The result for values per answered question index (integers in value units, or
        exact fractions with `exact_values`), without the sensitivity."""
        value_unit = 1 if exact_values else self.value_unit
        answered_weight = self.answered_weights(values)
        needs, coverage = self.needs_and_coverage(values, value_unit, answered_weight)
        role_needs, focuses = zip(*(self.role_need(role, needs) for role in range(2)), strict=True)
        outcome = self.outcome(role_needs, coverage)
        policy = self.policy
        in_focus = {c for focus in focuses for c in focus}
        slugs = [q.slug for q in self.criteria.questions]
        roles = tuple(
            RoleNeed(
                role=ROLES[role],
                need=role_needs[role],
                coverage=coverage[role],
                needed=role_needs[role] is not None and role_needs[role] >= policy.min_need,
                focus=tuple(self.criteria.responsibilities[c].slug for c in focuses[role]),
                unanswered=tuple(
                    slugs[q]
                    for q, question_links in enumerate(self.links)
                    if q not in values and any(self.role_of[c] == role for c, _ in question_links)
                ),
            )
            for role in range(2)
        )
        return Result(
            outcome=outcome,
            lead=lead_of(outcome, role_needs[0], role_needs[1]),
            roles=roles,  # type: ignore[arg-type]
            responsibilities=tuple(
                ResponsibilityNeed(slug=r.slug, role=r.role, need=needs[c], focus=c in in_focus)
                for c, r in enumerate(self.criteria.responsibilities)
            ),
            drivers=self._drivers(values, answered_weight, focuses, value_unit),
            sensitivity=None,
        )

    def _drivers(self, values, answered_weight, focuses, value_unit) -> tuple[Driver, ...]:
        """Each answered question's contribution to each role's need, through the role's focus:
        Σ_c (w_c / W_F) · l_qc · v_q / (a_c · value unit). In integers over one denominator per
        role (L = lcm of the focus's a_c), one exact fraction per contribution at the end."""
        contributions = []
        for role, focus in enumerate(focuses):
            if not focus:
                continue
            common = math.lcm(*(answered_weight[c] for c in focus))
            factor = {c: self.unit_weights[c] * (common // answered_weight[c]) for c in focus}
            denominator = common * value_unit * sum(self.unit_weights[c] for c in focus)
            for q, v in values.items():
                coefficient = sum(factor[c] * w for c, w in self.links[q] if c in factor)
                if coefficient and v > 0:
                    contribution = Fraction(coefficient * v, denominator)
                    contributions.append((-contribution, q, role))
        contributions.sort()
        slugs = [q.slug for q in self.criteria.questions]
        return tuple(
            Driver(question=slugs[q], role=ROLES[role], contribution=-negative)
            for negative, q, role in contributions
        )

    # -- sensitivity ---------------------------------------------------------------------------

    def search_problem(self, values, positions, result: Result) -> search.Problem:
        """What `advisor.sensitivity` needs: the steps, the sums and an exact evaluator."""
        answered_weight = self.answered_weights(values)
        sums = [0] * len(self.role_of)
        for q, v in values.items():
            for c, w in self.links[q]:
                sums[c] += w * v
        steps = []
        for q, position in sorted(positions.items()):
            scale = self.scales[q]
            for target in (position - 1, position + 1):
                if 0 <= target < len(scale):
                    delta = scale[target][1] - scale[position][1]
                    if delta:
                        effect = tuple(sorted((c, w * delta) for c, w in self.links[q]))
                        steps.append(search.Step(question=q, target=target, effect=effect))
        role_needs = tuple(r.need for r in result.roles)
        min_need = self.policy.min_need
        value_unit = self.value_unit

        # Integer keys for the search: n_c = S_c · (D_R / a_c) / (D_R · value unit), D_R the
        # lcm of the role's answered weights, which no step changes.
        common = [
            math.lcm(*(answered_weight[c] for c in self.members[role] if answered_weight[c]))
            for role in range(2)
        ]
        multiplier = [
            common[self.role_of[c]] // a if a else None for c, a in enumerate(answered_weight)
        ]
        scales = [d * value_unit for d in common]

        def evaluate(new_sums) -> tuple[str, tuple[Fraction | None, ...]]:
            keys = [None if m is None else s * m for s, m in zip(new_sums, multiplier, strict=True)]
            new_role_needs = tuple(self.role_need(role, keys, scales[role])[0] for role in range(2))
            needed = [n is not None and n >= min_need for n in new_role_needs]
            return outcome_of(*needed), new_role_needs

        def bounds(role: int) -> search.RoleBounds:
            return search.RoleBounds.of(
                responsibilities=tuple(
                    (c, self.weights[c], answered_weight[c] * value_unit)
                    for c in range(len(self.role_of))
                    if self.role_of[c] == role and answered_weight[c]
                ),
                sums=sums,
                focus_share=self.policy.focus_share,
            )

        return search.Problem(
            positions=dict(positions),
            steps=tuple(steps),
            sums=tuple(sums),
            outcome=result.outcome,
            role_needs=role_needs,  # type: ignore[arg-type]
            min_need=min_need,
            roles=(bounds(0), bounds(1)),
            evaluate=evaluate,
        )
