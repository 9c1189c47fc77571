"""RoleFit's scoring engine (PRODUCT.md §4): pure, deterministic, explainable; stdlib only.

Criteria and answers go in as frozen dataclasses and a mapping; a frozen `Result` comes out. All
arithmetic uses `fractions.Fraction`, so every comparison below is exact (0.6 − 0.5 is not < 0.1).

For each role R, a question q weighs `w_qR = Σ w_qc · w_c` over its links to the responsibilities c
of R (link weight w_qc, responsibility weight w_c). With v_q the value of the chosen option:

    A_R   = Σ w_qR          over the answered questions        (answered weight)
    T_R   = Σ w_qR          over all active questions          (total weight)
    fit_R = Σ w_qR · v_q / A_R                                 (None when A_R = 0)
    cov_R = A_R / T_R

A question is answered when its chosen option has a value; "not sure" (value None) and an omitted
question are unanswered. The outcome, under the policy (min_coverage, min_fit, tie_margin):

1. undetermined     — some cov_R < min_coverage
2. neither          — both fits < min_fit
3. both             — both fits ≥ min_fit and (|fit_PO − fit_PM| < tie_margin or the fits are equal)
4. product-owner / product-manager — otherwise, the role with the higher fit

Driver: the contribution of q to R is `w_qR · v_q / A_R`; a role's contributions sum to its fit.

Sensitivity: the fewest changes (one to three, each on a different answered question, each moving
the answer one step to a neighbouring valued option) that change the outcome; see `score`.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

PRODUCT_OWNER = "product-owner"
PRODUCT_MANAGER = "product-manager"
ROLES = (PRODUCT_OWNER, PRODUCT_MANAGER)

UNDETERMINED = "undetermined"
NEITHER = "neither"
BOTH = "both"
OUTCOMES = (PRODUCT_OWNER, PRODUCT_MANAGER, BOTH, NEITHER, UNDETERMINED)

MAX_CHANGES = 3

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
    min_coverage: Fraction
    min_fit: Fraction
    tie_margin: Fraction


@dataclass(frozen=True)
class Criteria:
    responsibilities: tuple[Responsibility, ...]
    questions: tuple[Question, ...]  # the active questions only, in question order
    policy: Policy


@dataclass(frozen=True)
class RoleScore:
    role: str
    fit: Fraction | None
    coverage: Fraction
    answered_weight: Fraction
    total_weight: Fraction


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
    scores: tuple[RoleScore, RoleScore]  # (product-owner, product-manager)
    drivers: tuple[Driver, ...]  # largest first; ties: question order, then PO before PM
    sensitivity: Sensitivity | None  # None when undetermined

    def score_for(self, role: str) -> RoleScore:
        for role_score in self.scores:
            if role_score.role == role:
                return role_score
        raise ValueError(UNKNOWN_ROLE.format(role=role))

    def top_drivers(self, role: str, n: int = 3) -> tuple[Driver, ...]:
        if role not in ROLES:
            raise ValueError(UNKNOWN_ROLE.format(role=role))
        return tuple(d for d in self.drivers if d.role == role)[:n]


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


def decide(
    fit_po: Fraction | None,
    fit_pm: Fraction | None,
    coverage_po: Fraction,
    coverage_pm: Fraction,
    policy: Policy,
) -> str:
    """The outcome rule of PRODUCT.md §4 (a missing fit can only come with too little coverage)."""
    if (
        coverage_po < policy.min_coverage
        or coverage_pm < policy.min_coverage
        or fit_po is None
        or fit_pm is None
    ):
        return UNDETERMINED
    return _fit_outcome(fit_po, fit_pm, policy.min_fit, policy.tie_margin)


def _fit_outcome(fit_po, fit_pm, min_fit, tie_margin) -> str:
    """Rules 2–4 of the outcome, for any exactly comparable numbers (Fractions, scaled ints)."""
    if fit_po < min_fit and fit_pm < min_fit:
        return NEITHER
    if (
        fit_po >= min_fit
        and fit_pm >= min_fit
        and (abs(fit_po - fit_pm) < tie_margin or fit_po == fit_pm)
    ):
        return BOTH
    return PRODUCT_OWNER if fit_po > fit_pm else PRODUCT_MANAGER


def driver_order(result: Result) -> tuple[str, str]:
    """Roles in display order: the recommended role first, otherwise product manager first."""
    if result.outcome == PRODUCT_OWNER:
        return (PRODUCT_OWNER, PRODUCT_MANAGER)
    return (PRODUCT_MANAGER, PRODUCT_OWNER)


def to_float(x: Fraction | None, places: int = 4) -> float | None:
    """`x` rounded to `places` decimals, halves away from zero, as the nearest float."""
    if x is None:
        return None
    unit = 10**places
    scaled = abs(Fraction(x)) * unit
    rounded = math.floor(scaled + Fraction(1, 2))
    return float(Fraction(rounded if x >= 0 else -rounded, unit))


def score(criteria: Criteria, answers: Mapping[str, str]) -> Result:
    """Score `answers` (question slug -> option key; omitted = not sure) against `criteria`.

    Raises AnswerError for an unknown slug or option key and CriteriaError when the criteria
    cannot score, notably when a role has no active question linked to it (T_R = 0).

    The sensitivity (None when undetermined) is the smallest set of one to three changes that
    changes the outcome. A change moves one answered question one step to a neighbouring valued
    option (a question's *scale* is its valued options in the order given); each change is on a
    different question. Among sets of the same size the smallest |Δfit_PO| + |Δfit_PM| of the
    combined change wins; remaining ties go to the set whose changes, written as (question
    position, target option's position in the scale) and listed in question order, compare
    lowest as a tuple: the earliest question first, then the lower option. The changes are
    listed in question order; "more than three" is `Sensitivity(None, None, ())`.
    """
    validate_answers(criteria, answers)
    _check_policy(criteria.policy)
    # Integers throughout: w_qR = weights[q][R] / weight_unit and v = value / value_unit.
    weights, weight_unit = _question_weights(criteria)
    scales, value_unit = _scales(criteria)
    total = [sum(w[i] for w in weights) for i in range(2)]
    for role, total_weight in zip(ROLES, total, strict=True):
        if total_weight == 0:
            raise CriteriaError(ROLE_CANNOT_SCORE.format(role=role))

    answered = []  # (question index, position of the answer in the scale)
    answered_weight = [0, 0]
    weighted_value = [0, 0]
    for index, question in enumerate(criteria.questions):
        key = answers.get(question.slug)
        position = next((p for p, (o, _) in enumerate(scales[index]) if o.key == key), None)
        if position is None:
            continue
        answered.append((index, position))
        value = scales[index][position][1]
        for i in range(2):
            answered_weight[i] += weights[index][i]
            weighted_value[i] += weights[index][i] * value

    denominators = [value_unit * answered_weight[i] for i in range(2)]
    fits = [
        Fraction(weighted_value[i], denominators[i]) if denominators[i] else None for i in range(2)
    ]
    scores = tuple(
        RoleScore(
            role=ROLES[i],
            fit=fits[i],
            coverage=Fraction(answered_weight[i], total[i]),
            answered_weight=Fraction(answered_weight[i], weight_unit),
            total_weight=Fraction(total[i], weight_unit),
        )
        for i in range(2)
    )
    outcome = decide(fits[0], fits[1], scores[0].coverage, scores[1].coverage, criteria.policy)

    drivers = []
    for index, position in answered:
        value = scales[index][position][1]
        for i in range(2):
            if weights[index][i] * value > 0:
                contribution = Fraction(weights[index][i] * value, denominators[i])
                drivers.append((-contribution, index, i))
    drivers.sort()

    sensitivity = None
    if outcome != UNDETERMINED:
        search = _Search.build(
            criteria.policy, weights, scales, answered, denominators, weighted_value, outcome
        )
        found = search.nearest()
        if found is None:
            sensitivity = MORE_THAN_THREE
        else:
            moves, outcome_after = found
            answer = dict(answered)
            sensitivity = Sensitivity(
                changes_needed=len(moves),
                outcome_after=outcome_after,
                nearest=tuple(
                    Change(
                        question=criteria.questions[index].slug,
                        from_key=scales[index][answer[index]][0].key,
                        to_key=scales[index][target][0].key,
                    )
                    for index, target in moves
                ),
            )
    return Result(
        outcome=outcome,
        scores=scores,
        drivers=tuple(
            Driver(question=criteria.questions[index].slug, role=ROLES[i], contribution=-negative)
            for negative, index, i in drivers
        ),
        sensitivity=sensitivity,
    )


def _ratio(x) -> tuple[int, int]:
    """Numerator and denominator of an exact number (Fraction, int or Decimal)."""
    return Fraction(x).as_integer_ratio()


def _check_policy(policy: Policy) -> None:
    for name, value, lowest_allowed in (
        ("min_coverage", policy.min_coverage, False),
        ("min_fit", policy.min_fit, True),
        ("tie_margin", policy.tie_margin, True),
    ):
        if value > 1 or value < 0 or (value == 0 and not lowest_allowed):
            interval = "[0, 1]" if lowest_allowed else "(0, 1]"
            raise CriteriaError(BAD_POLICY.format(name=name, value=value, interval=interval))


def _question_weights(criteria: Criteria) -> tuple[list[tuple[int, int]], int]:
    """Integer (w_qPO, w_qPM) of every question and their unit, after checking the weights."""
    role_and_weight: dict[str, tuple[int, Fraction]] = {}
    for r in criteria.responsibilities:
        if r.role not in ROLES:
            raise CriteriaError(UNKNOWN_ROLE.format(role=r.role))
        if r.slug in role_and_weight:
            raise CriteriaError(DUPLICATE_RESPONSIBILITY.format(slug=r.slug))
        if not r.weight > 0:
            what = f"responsibility {r.slug!r}"
            raise CriteriaError(BAD_WEIGHT.format(what=what, weight=r.weight))
        role_and_weight[r.slug] = (ROLES.index(r.role), _ratio(r.weight))
    responsibility_unit = math.lcm(*(d for _, (_, d) in role_and_weight.values()))

    links = []
    slugs = set()
    for q in criteria.questions:
        if q.slug in slugs:
            raise CriteriaError(DUPLICATE_QUESTION.format(slug=q.slug))
        slugs.add(q.slug)
        for link in q.links:
            if link.responsibility not in role_and_weight:
                raise CriteriaError(
                    UNKNOWN_RESPONSIBILITY.format(slug=q.slug, responsibility=link.responsibility)
                )
            if not link.weight > 0:
                what = f"link {q.slug!r} -> {link.responsibility!r}"
                raise CriteriaError(BAD_WEIGHT.format(what=what, weight=link.weight))
        links.append([(link.responsibility, _ratio(link.weight)) for link in q.links])
    link_unit = math.lcm(*(d for question in links for _, (_, d) in question))

    weights = []
    for question in links:
        w = [0, 0]
        for slug, (numerator, denominator) in question:
            role, (r_numerator, r_denominator) = role_and_weight[slug]
            w[role] += (
                numerator
                * (link_unit // denominator)
                * r_numerator
                * (responsibility_unit // r_denominator)
            )
        weights.append((w[0], w[1]))
    return weights, link_unit * responsibility_unit


def _scales(criteria: Criteria) -> tuple[list[tuple[tuple[Option, int], ...]], int]:
    """Every question's scale as (option, integer value) pairs, and the unit of the values."""
    ratios = []
    for q in criteria.questions:
        keys = set()
        for o in q.options:
            if o.key in keys:
                raise CriteriaError(DUPLICATE_OPTION.format(key=o.key, slug=q.slug))
            keys.add(o.key)
            if o.value is not None and not 0 <= o.value <= 1:
                raise CriteriaError(BAD_VALUE.format(key=o.key, slug=q.slug, value=o.value))
        ratios.append([(o, _ratio(o.value)) for o in q.options if o.value is not None])
    unit = math.lcm(*(d for scale in ratios for _, (_, d) in scale))
    scales = [tuple((o, n * (unit // d)) for o, (n, d) in scale) for scale in ratios]
    return scales, unit


# ---------------------------------------------------------------------------------------------
# Sensitivity
#
# Coverage never moves (a step goes between valued options), so the outcome after a change set
# depends only on the point (fit_PO, fit_PM), and every possible step adds a fixed vector to it.
# The search therefore works on integers: the fits, the thresholds and all step vectors are
# scaled by the least common multiple of their denominators, which keeps every comparison exact
# and makes them fast. Steps with the same vector are merged into one *class*; a set of changes
# is first found as a multiset of classes, then the concrete questions are picked (`_pick`).
#
# Pruning: from a point, r more steps taken from a given list of classes can move x only within
# [sum of the r lowest dx, sum of the r highest dx], and likewise y and x − y. If the outcome is
# the same everywhere in that box (`_box_may_change`), nothing in the list can change it. With the
# classes in a fixed order and the bounds precomputed for every suffix of it, a loop over the
# next class can stop as soon as its suffix cannot help, and the same suffix bounds give a lower
# bound on |Δx| + |Δy| that stops a loop once it cannot match the best set found so far.


class _Search:
    """Branch and bound over multisets of step classes, for one current point and outcome."""

    @classmethod
    def build(cls, policy, weights, scales, answered, denominators, weighted_value, outcome):
        """The search for integer-scaled fits; see `score` for the meaning of the arguments."""
        min_fit, min_fit_unit = _ratio(policy.min_fit)
        margin, margin_unit = _ratio(policy.tie_margin)
        unit = math.lcm(*denominators, min_fit_unit, margin_unit)
        scale_x, scale_y = unit // denominators[0], unit // denominators[1]
        classes: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for index, position in answered:
            scale = scales[index]
            w_po, w_pm = weights[index]
            for target in (position - 1, position + 1):
                if 0 <= target < len(scale):
                    delta = scale[target][1] - scale[position][1]
                    vector = (w_po * delta * scale_x, w_pm * delta * scale_y)
                    if vector != (0, 0):
                        classes.setdefault(vector, []).append((index, target))
        return cls(
            classes,
            outcome,
            x0=weighted_value[0] * scale_x,
            y0=weighted_value[1] * scale_y,
            min_fit=min_fit * (unit // min_fit_unit),
            margin=margin * (unit // margin_unit),
        )

    def __init__(self, classes, outcome, x0, y0, min_fit, margin):
        self.outcome, self.x0, self.y0 = outcome, x0, y0
        self.min_fit, self.margin = min_fit, margin
        # Only the first questions of a class can be part of the best set (see `_pick`).
        self.members = []
        self.slots = []  # (dx, dy, class number, copy number), largest steps first
        for vector in sorted(classes, key=lambda v: (-abs(v[0]) - abs(v[1]), v)):
            members, questions = [], set()
            for index, target in classes[vector]:
                if len(questions) == MAX_CHANGES and index not in questions:
                    break
                questions.add(index)
                members.append((index, target))
            for copy in range(len(questions)):
                self.slots.append((vector[0], vector[1], len(self.members), copy))
            self.members.append(members)
        self.tables = None

    def nearest(self):
        """The best change set as (moves, outcome after), or None for "more than three".

        moves = ((question index, target position in its scale), ...) in question order.
        """
        if not self.slots or not self._may_change():
            return None
        for size in range(1, MAX_CHANGES + 1):
            found = self._run(size)
            if found is not None:
                moves, (dx, dy) = found
                after = _fit_outcome(self.x0 + dx, self.y0 + dy, self.min_fit, self.margin)
                return moves, after
        return None

    def _may_change(self) -> bool:
        """Whether up to three steps could change the outcome at all (a cheap, sound test)."""
        reach = [
            _extremes([s[0] for s in self.slots]),
            _extremes([s[1] for s in self.slots]),
            _extremes([s[0] - s[1] for s in self.slots]),
        ]
        (x_lo, x_hi), (y_lo, y_hi), (d_lo, d_hi) = ((min(low), max(high)) for low, high in reach)
        x0, y0 = self.x0, self.y0
        return self._box_may_change(
            x0 + x_lo, x0 + x_hi, y0 + y_lo, y0 + y_hi, x0 - y0 + d_lo, x0 - y0 + d_hi
        )

    def _run(self, size: int):
        """The best set of exactly `size` steps that changes the outcome as (moves, (Δx, Δy))."""
        if self.tables is None:
            self.tables = self._suffix_tables()
        self.best = None  # (cost, moves, vector)
        self._visit(0, size, 0, 0, [])
        return None if self.best is None else self.best[1:]

    def _suffix_tables(self):
        """For every suffix of the slots: sums of its 0..3 lowest and highest dx, dy and dx − dy."""
        tops = [[], [], []]
        bottoms = [[], [], []]
        rows = [None] * (len(self.slots) + 1)
        rows[-1] = ((0,), (0,), (0,), (0,), (0,), (0,))
        for p in range(len(self.slots) - 1, -1, -1):
            dx, dy = self.slots[p][:2]
            row = []
            for axis, value in enumerate((dx, dy, dx - dy)):
                tops[axis] = sorted((*tops[axis], value), reverse=True)[:MAX_CHANGES]
                bottoms[axis] = sorted((*bottoms[axis], value))[:MAX_CHANGES]
                row.append(_prefix_sums(bottoms[axis]))
                row.append(_prefix_sums(tops[axis]))
            rows[p] = tuple(row)
        return rows

    def _visit(self, start, remaining, dx, dy, chosen):
        if remaining == 0:
            self._consider(dx, dy, chosen)
            return
        x0, y0, slots, tables = self.x0, self.y0, self.slots, self.tables
        for p in range(start, len(slots) - remaining + 1):
            x_lows, x_highs, y_lows, y_highs, d_lows, d_highs = tables[p]
            x_lo, x_hi = dx + x_lows[remaining], dx + x_highs[remaining]
            y_lo, y_hi = dy + y_lows[remaining], dy + y_highs[remaining]
            if not self._box_may_change(
                x0 + x_lo,
                x0 + x_hi,
                y0 + y_lo,
                y0 + y_hi,
                x0 - y0 + dx - dy + d_lows[remaining],
                x0 - y0 + dx - dy + d_highs[remaining],
            ):
                break
            if self.best is not None and (max(0, x_lo, -x_hi) + max(0, y_lo, -y_hi) > self.best[0]):
                break
            step_x, step_y, _, copy = slots[p]
            # Copies of a class are interchangeable: take them in order.
            if copy and (not chosen or chosen[-1] != p - 1):
                continue
            chosen.append(p)
            self._visit(p + 1, remaining - 1, dx + step_x, dy + step_y, chosen)
            chosen.pop()

    def _consider(self, dx, dy, chosen):
        if _fit_outcome(self.x0 + dx, self.y0 + dy, self.min_fit, self.margin) == self.outcome:
            return
        cost = abs(dx) + abs(dy)
        if self.best is not None and cost > self.best[0]:
            return
        moves = self._pick(chosen)
        if moves is not None and (self.best is None or (cost, moves) < self.best[:2]):
            self.best = (cost, moves, (dx, dy))

    def _pick(self, chosen):
        """The lowest concrete moves for the chosen slots, each on a different question.

        Taking only the first questions of each class is enough: a move on a later question
        can always be swapped for an unused earlier one of its class, which lowers the tuple.
        """
        best = None
        for moves in product(*(self.members[self.slots[p][2]] for p in chosen)):
            if len({index for index, _ in moves}) == len(moves):
                ordered = tuple(sorted(moves))
                if best is None or ordered < best:
                    best = ordered
        return best

    def _box_may_change(self, x_lo, x_hi, y_lo, y_hi, d_lo, d_hi) -> bool:
        """Whether some point with x, y and x − y in these ranges could have another outcome.

        Conservative (it may say True for a box whose other outcomes are out of reach), so a
        False is proof that nothing in the box changes the outcome.
        """
        outcome, min_fit = self.outcome, self.min_fit
        xs = (False,) if x_hi < min_fit else (True,) if x_lo >= min_fit else (False, True)
        ys = (False,) if y_hi < min_fit else (True,) if y_lo >= min_fit else (False, True)
        tie = max(self.margin - 1, 0)  # on integers, "|d| < margin or d = 0" is |d| <= tie
        for x_ok in xs:
            for y_ok in ys:
                if x_ok and y_ok:
                    lo = max(d_lo, min_fit - y_hi)
                    hi = min(d_hi, x_hi - min_fit)
                    if lo > hi:
                        continue
                    if (
                        (outcome != BOTH and lo <= tie and hi >= -tie)
                        or (outcome != PRODUCT_OWNER and hi > tie)
                        or (outcome != PRODUCT_MANAGER and lo < -tie)
                    ):
                        return True
                elif outcome != (PRODUCT_OWNER if x_ok else PRODUCT_MANAGER if y_ok else NEITHER):
                    return True
        return False


def _extremes(values):
    """Prefix sums of the up-to-three lowest and of the up-to-three highest values."""
    ordered = sorted(values)
    return _prefix_sums(ordered[:MAX_CHANGES]), _prefix_sums(ordered[::-1][:MAX_CHANGES])


def _prefix_sums(values):
    sums = [0]
    for value in values:
        sums.append(sums[-1] + value)
    return tuple(sums)
