"""RoleFit's scoring engine (PRODUCT.md §4): pure, deterministic, explainable; stdlib only.

Criteria and answers go in as frozen dataclasses and a mapping; a frozen `Result` comes out. All
arithmetic is exact — `fractions.Fraction`, or integers over a common denominator inside — so
every comparison below is exact too (0.6 − 0.5 is not < 0.1).

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

import heapq
import math
import operator
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import NamedTuple

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
    total = [sum(w[r] for w in weights) for r in range(2)]
    for role, total_weight in zip(ROLES, total, strict=True):
        if total_weight == 0:
            raise CriteriaError(ROLE_CANNOT_SCORE.format(role=role))

    answered = []  # (question index, position of the answer in its scale)
    for index, question in enumerate(criteria.questions):
        key = answers.get(question.slug)
        for position, (option, _) in enumerate(scales[index]):
            if option.key == key:
                answered.append((index, position))
    answered_weight = [sum(weights[q][r] for q, _ in answered) for r in range(2)]
    weighted_value = [sum(weights[q][r] * scales[q][p][1] for q, p in answered) for r in range(2)]
    # fit_R = weighted_value[R] / denominators[R]
    denominators = [value_unit * answered_weight[r] for r in range(2)]
    fits = [
        Fraction(weighted_value[r], denominators[r]) if answered_weight[r] else None
        for r in range(2)
    ]
    scores = tuple(
        RoleScore(
            role=ROLES[r],
            fit=fits[r],
            coverage=Fraction(answered_weight[r], total[r]),
            answered_weight=Fraction(answered_weight[r], weight_unit),
            total_weight=Fraction(total[r], weight_unit),
        )
        for r in range(2)
    )
    outcome = decide(fits[0], fits[1], scores[0].coverage, scores[1].coverage, criteria.policy)

    # Contributions w_qR · v_q / denominators[R], compared on a common denominator.
    common = math.lcm(*(d for d in denominators if d))
    drivers = sorted(
        (-weights[q][r] * scales[q][p][1] * (common // denominators[r]), q, r)
        for q, p in answered
        for r in range(2)
        if weights[q][r] * scales[q][p][1] > 0
    )
    sensitivity = None
    if outcome != UNDETERMINED:
        search = _Search.build(
            criteria.policy, weights, scales, answered, denominators, weighted_value, outcome
        )
        sensitivity = _sensitivity(criteria, scales, dict(answered), search.nearest())
    return Result(
        outcome=outcome,
        scores=scores,
        drivers=tuple(
            Driver(
                question=criteria.questions[q].slug,
                role=ROLES[r],
                contribution=Fraction(-negative, common),
            )
            for negative, q, r in drivers
        ),
        sensitivity=sensitivity,
    )


def _sensitivity(criteria, scales, positions, found) -> Sensitivity:
    """The sensitivity in words, from what `_Search.nearest` found."""
    if found is None:
        return MORE_THAN_THREE
    moves, outcome_after = found
    return Sensitivity(
        changes_needed=len(moves),
        outcome_after=outcome_after,
        nearest=tuple(
            Change(
                question=criteria.questions[q].slug,
                from_key=scales[q][positions[q]][0].key,
                to_key=scales[q][target][0].key,
            )
            for q, target in moves
        ),
    )


def _ratio(x) -> tuple[int, int]:
    """Numerator and (positive) denominator of an exact number (Fraction, int or Decimal)."""
    if not isinstance(x, Fraction | int):
        x = Fraction(x)
    return x.numerator, x.denominator


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
        ratios.append([(o, _ratio(o.value)) for o in q.options if o.value is not None])
        for o, (numerator, denominator) in ratios[-1]:
            if not 0 <= numerator <= denominator:
                raise CriteriaError(BAD_VALUE.format(key=o.key, slug=q.slug, value=o.value))
    unit = math.lcm(*(d for scale in ratios for _, (_, d) in scale))
    scales = [tuple((o, n * (unit // d)) for o, (n, d) in scale) for scale in ratios]
    return scales, unit


# ---------------------------------------------------------------------------------------------
# Sensitivity
#
# Coverage never moves (a step goes between valued options), so the outcome after a change set
# depends only on the point (x, y) = (fit_PO, fit_PM), and each possible step adds a fixed vector
# to it. The search works on integers: the fits, the thresholds and the step vectors are scaled
# by a common denominator, which keeps every comparison exact and fast. Steps with the same
# vector form one *class*; a change set is first found as a multiset of classes, and then the
# concrete questions are picked (`_Search._pick`).
#
# The points with another outcome are a union of *pieces*, each cut out by one or two of the
# lines x = min_fit, y = min_fit and x − y = ±tie_margin (`_pieces`). A smallest change set that
# lands in a piece consists of steps that each push towards it — a step that moves away from
# (or along) every line of the piece could be dropped and the rest would still land there — so
# each piece is searched with only those steps, sorted by their push on its farther line.
#
# Pruning: r more steps from a list can move x only between the sums of the r lowest and of the
# r highest dx in the list, and likewise y, x − y and x + y. With these sums precomputed for
# every suffix of the sorted list, a loop over the next step stops as soon as its suffix cannot
# reach the piece, or cannot bring |Δx| + |Δy| down to the best cost found so far. The last
# step bisects the list for the steps that push far enough and tries them smallest push first.
# A piece that three steps cannot reach is never searched, so "more than three" far from every
# line costs one pass over the steps.

_X, _Y, _D = 0, 1, 2  # the axes x, y and x − y


def _pieces(outcome, min_fit, tie):
    """The points with another outcome than `outcome`, as pieces: tuples of constraints.

    A constraint (axis, 1, bound) reads "the point's coordinate on `axis` ≥ bound", and
    (axis, −1, bound) reads "≤ bound". On integers, "|x − y| < tie_margin or x = y" is
    |x − y| ≤ tie, where tie = max(tie_margin − 1, 0).
    """
    x_reached, x_below = (_X, 1, min_fit), (_X, -1, min_fit - 1)
    y_reached, y_below = (_Y, 1, min_fit), (_Y, -1, min_fit - 1)
    if outcome == NEITHER:
        return ((x_reached,), (y_reached,))
    if outcome == BOTH:
        return ((x_below,), (y_below,), ((_D, 1, tie + 1),), ((_D, -1, -tie - 1),))
    if outcome == PRODUCT_OWNER:
        return ((x_below,), (y_reached, (_D, -1, tie)))
    return ((y_below,), (x_reached, (_D, 1, -tie)))


class _Piece(NamedTuple):
    """A piece of the other outcomes, and the steps that push towards it, largest push first."""

    constraints: tuple[tuple[int, int, int], ...]  # on the displacement from the current point
    slots: list[tuple[int, int, tuple[int, int], int]]  # (dx, dy, class vector, copy number)
    pushes: tuple[list[int], ...]  # per constraint, each slot's push towards it
    sums: list  # `_suffix_sums(slots)`, filled in when a search needs more than one step


class _Search:
    """Branch and bound over multisets of step classes, for one current point and outcome."""

    @classmethod
    def build(cls, policy, weights, scales, answered, denominators, weighted_value, outcome):
        """The search from `score`'s integers: weights[q] = (w_qPO, w_qPM) and scales[q] =
        ((option, value), ...) in their units, answered = ((question, position), ...), and
        fit_R = weighted_value[R] / denominators[R]."""
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
        self.outcome, self.x0, self.y0, self.min_fit, self.margin = outcome, x0, y0, min_fit, margin
        # Only the first three questions of a class can be in the best set (see `_pick`).
        self.members = {}
        for vector, moves in classes.items():
            questions = []
            for index, target in moves:
                if index not in questions:
                    if len(questions) == MAX_CHANGES:
                        break
                    questions.append(index)
                self.members.setdefault(vector, []).append((index, target))
        start = (x0, y0, x0 - y0)
        self.pieces = []
        for constraints in _pieces(outcome, min_fit, max(margin - 1, 0)):
            relative = tuple(
                sorted(
                    ((axis, sign, bound - start[axis]) for axis, sign, bound in constraints),
                    # The constraint farthest away is likely the binding one: it goes first.
                    key=lambda c: -c[1] * c[2],
                )
            )
            pushing = [v for v in self.members if any(s * _along(v, a) > 0 for a, s, _ in relative)]
            axis, sign, _ = relative[0]
            pushing.sort(key=lambda v: (-sign * _along(v, axis), v))
            slots = [
                (vector[0], vector[1], vector, copy)
                for vector in pushing
                for copy in range(len({index for index, _ in self.members[vector]}))
            ]
            # How far each slot moves the point towards each constraint; up to three steps
            # must be able to meet every constraint.
            pushes = tuple([s * _along(slot, a) for slot in slots] for a, s, _ in relative)
            if all(
                sum(p for p in heapq.nlargest(MAX_CHANGES, column) if p > 0) >= s * need
                for column, (_, s, need) in zip(pushes, relative, strict=True)
            ):
                self.pieces.append(_Piece(relative, slots, pushes, []))

    def nearest(self):
        """The best change set as (moves, outcome after), or None for "more than three".

        moves = ((question index, target position in its scale), ...) in question order.
        """
        for size in range(1, MAX_CHANGES + 1):
            self.best = None  # (cost, moves, (Δx, Δy))
            for piece in self.pieces:
                if size > 1 and not piece.sums:
                    piece.sums.extend(_suffix_sums(piece.slots))
                self._visit(piece, 0, size, 0, 0, [])
            if self.best is not None:
                _, moves, (dx, dy) = self.best
                return moves, _fit_outcome(self.x0 + dx, self.y0 + dy, self.min_fit, self.margin)
        return None

    def _visit(self, piece, start, remaining, dx, dy, chosen):
        """Extend `chosen` (slot numbers, ascending) by `remaining` slots from `start` on."""
        if remaining == 1:
            self._finish(piece, start, dx, dy, chosen)
            return
        slots = piece.slots
        for p in range(start, len(slots) - remaining + 1):
            row = piece.sums[p]
            if not _reaches(piece.constraints, row, remaining, dx, dy):
                break
            if self.best is not None and _least_cost(row, remaining, dx, dy) > self.best[0]:
                break
            step_x, step_y, _, copy = slots[p]
            # Copies of a class are interchangeable: take them in order.
            if copy and (not chosen or chosen[-1] != p - 1):
                continue
            chosen.append(p)
            self._visit(piece, p + 1, remaining - 1, dx + step_x, dy + step_y, chosen)
            chosen.pop()

    def _finish(self, piece, start, dx, dy, chosen):
        """The last step: try every slot from `start` on that lands in the piece.

        The slots that meet the first constraint come first, so bisection finds where they end.
        They are tried smallest push first: |Δx| + |Δy| is at least the push of the whole set
        on that constraint, so once that exceeds the best cost, no larger push can do better.
        This is the innermost loop of the search, hence written out.
        """
        slots, pushes = piece.slots, piece.pushes
        moved = (dx, dy, dx - dy)
        (axis, sign, need), *second = piece.constraints
        pushed = sign * moved[axis]
        end = bisect_right(pushes[0], pushed - sign * need, key=operator.neg)
        if second:
            (second_axis, second_sign, second_need) = second[0]
            second_least = second_sign * (second_need - moved[second_axis])
        last = chosen[-1] if chosen else None
        for p in range(end - 1, start - 1, -1):
            if self.best is not None and pushed + pushes[0][p] > self.best[0]:
                break
            if second and pushes[1][p] < second_least:
                continue
            step_x, step_y, vector, copy = slots[p]
            if copy and last != p - 1:
                continue
            x, y = dx + step_x, dy + step_y
            cost = abs(x) + abs(y)
            if self.best is not None and cost > self.best[0]:
                continue
            moves = self._pick([slots[c][2] for c in chosen] + [vector])
            if moves is not None and (self.best is None or (cost, moves) < self.best[:2]):
                self.best = (cost, moves, (x, y))

    def _pick(self, vectors):
        """The lowest concrete moves for these classes, each on a different question.

        The first three questions of each class are enough: a move on a later question can
        always be swapped for one on an unused earlier question of its class, which lowers the
        tuple.
        """
        best = None
        for moves in product(*(self.members[v] for v in vectors)):
            if len({index for index, _ in moves}) == len(moves):
                ordered = tuple(sorted(moves))
                if best is None or ordered < best:
                    best = ordered
        return best


def _along(vector, axis) -> int:
    return vector[0] - vector[1] if axis == _D else vector[axis]


def _suffix_sums(slots):
    """For every suffix of `slots`, per axis: sums of its 0..3 lowest and of its 0..3 highest.

    The axes are x, y, x − y and, for `_least_cost` only, x + y.
    """
    rows = [None] * (len(slots) + 1)
    lowest: list[list[int]] = [[], [], [], []]
    highest: list[list[int]] = [[], [], [], []]
    rows[-1] = (((0,), (0,)),) * 4
    for p in range(len(slots) - 1, -1, -1):
        dx, dy = slots[p][:2]
        row = []
        for axis, value in enumerate((dx, dy, dx - dy, dx + dy)):
            lowest[axis] = sorted((*lowest[axis], value))[:MAX_CHANGES]
            highest[axis] = sorted((*highest[axis], value), reverse=True)[:MAX_CHANGES]
            row.append((_prefix_sums(lowest[axis]), _prefix_sums(highest[axis])))
        rows[p] = tuple(row)
    return rows


def _prefix_sums(values):
    sums = [0]
    for value in values:
        sums.append(sums[-1] + value)
    return tuple(sums)


def _reaches(constraints, row, remaining, dx, dy) -> bool:
    """Whether `remaining` more steps from a suffix, after the displacement (dx, dy), could meet
    every constraint of a piece: a necessary condition only."""
    moved = (dx, dy, dx - dy)
    for axis, sign, need in constraints:
        lows, highs = row[axis]
        if sign > 0 and moved[axis] + highs[remaining] < need:
            return False
        if sign < 0 and moved[axis] + lows[remaining] > need:
            return False
    return True


def _least_cost(row, remaining, dx, dy) -> int:
    """A lower bound of |Δx| + |Δy| after `remaining` more steps from a suffix, from (dx, dy).

    |Δx| + |Δy| is at least |Δx| + |Δy| taken apart and each of ±Δx ± Δy; the sums bound each.
    """
    (x_lows, x_highs), (y_lows, y_highs), (d_lows, d_highs), (s_lows, s_highs) = row
    x_low, x_high = dx + x_lows[remaining], dx + x_highs[remaining]
    y_low, y_high = dy + y_lows[remaining], dy + y_highs[remaining]
    d_low, d_high = dx - dy + d_lows[remaining], dx - dy + d_highs[remaining]
    s_low, s_high = dx + dy + s_lows[remaining], dx + dy + s_highs[remaining]
    return max(max(0, x_low, -x_high) + max(0, y_low, -y_high), d_low, -d_high, s_low, -s_high)
