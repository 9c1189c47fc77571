"""How firm a verdict is: the fewest answer changes that change the outcome (docs/scoring.md).

A *step* moves one answered question one step to a neighbouring valued option; a change set
holds one to three steps, each on a different question. The nearest change set is the smallest
one that changes the outcome; among sets of that size, the one with the smallest Σ_R |ΔN_R|,
then the lowest question positions (compared in order), then the lower target positions.

Pure and stdlib only. `advisor.scoring` hands over a `Problem`: the steps with their effect on
the responsibilities' answered sums, the current sums, and an exact evaluator of the outcome.
This module decides *which* sets to evaluate; every verdict on a set comes from the evaluator.

Why the search is exact yet fast:
- Coverage never moves (a step goes between valued options), so the outcome changes only when a
  role's need crosses the line: some role R *flips*. In a smallest set that flips R every step
  touches R (a step that does not could be dropped). When R's responsibilities have equal
  weights, R's need is the mean of its top k needs, which never falls when a need rises; then
  every step of a smallest set pushes R towards the line, and only such steps are tried.
- Bounds in floats, used only to skip sets, with a margin far above rounding error: with
  T_m(x) the mean of the top mass m of the needs (fractional), the focus weight W_F lies in
  [m_up, m_lo], so N ≤ T_{m_up}(x) and N ≥ T_{m_lo}(x); moving need n_c by δ moves T_m by at
  most w_c·|δ|/m. Each step thus has a *push* on R (how far it can move N_R towards the line)
  and the pushes add up. With the steps sorted by push, a branch stops as soon as its best
  remaining pushes cannot reach the line.
- Steps with the same effect form a class; sets are searched as multisets of classes and the
  concrete questions picked last (`_pick`): the first three questions of a class suffice.
"""

from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import product
from typing import NamedTuple

MAX_CHANGES = 3
# Float bounds only prune; this margin keeps them conservative (needs lie in [0, 1]).
_MARGIN = 1e-9

Effect = tuple[tuple[int, int], ...]  # ((responsibility index, change of its answered sum), ...)
Move = tuple[int, int]  # (question index, target position in its scale)


class Step(NamedTuple):
    question: int
    target: int
    effect: Effect


class RoleBounds(NamedTuple):
    """How far steps can move one role's need: N' ≤ upper + Σ ups, N' ≥ lower − Σ downs."""

    upper: float  # T_{m_up} of the current needs
    lower: float  # T_{m_lo} of the current needs
    up: dict[int, float]  # responsibility -> push on N per unit rise of its answered sum
    down: dict[int, float]  # responsibility -> push on N per unit fall of its answered sum
    monotone: bool  # equal weights: the need never falls when a responsibility's need rises

    @classmethod
    def of(
        cls,
        *,
        responsibilities: Sequence[tuple[int, Fraction, int]],
        sums: Sequence[int],
        focus_share: Fraction,
    ) -> "RoleBounds":
        """`responsibilities`: (index, weight, denominator) of the role's responsibilities that
        have a need, n_c = sums[index] / denominator."""
        if not responsibilities:
            return cls(0.0, 0.0, {}, {}, True)
        weights = [w for _, w, _ in responsibilities]
        total = sum(weights, Fraction(0))
        monotone = len(set(weights)) == 1
        if monotone:
            # The focus is exactly the top k, k·w ≥ focus_share · total.
            w = weights[0]
            k = 1
            while k * w < focus_share * total:
                k += 1
            m_up = m_lo = k * w
        else:
            m_up = focus_share * total
            m_lo = min(total, focus_share * total + max(weights))
        # In floats from here: the bounds only prune, with _MARGIN, a million times the
        # rounding error of these few operations (in exact fractions they were a third of
        # scoring a submission under cProfile).
        needs = [(sums[c] / d, float(w)) for c, w, d in responsibilities]
        mass_up, mass_lo = float(m_up), float(m_lo)
        return cls(
            upper=_top_mass_mean(needs, mass_up),
            lower=_top_mass_mean(needs, mass_lo),
            up={c: float(w) / (d * mass_up) for c, w, d in responsibilities},
            down={c: float(w) / (d * mass_lo) for c, w, d in responsibilities},
            monotone=monotone,
        )


class Problem(NamedTuple):
    positions: dict[int, int]  # answered question index -> position of its answer in its scale
    steps: tuple[Step, ...]  # in question order
    sums: tuple[int, ...]  # every responsibility's answered sum
    outcome: str
    role_needs: tuple[Fraction | None, Fraction | None]
    min_need: Fraction
    roles: tuple[RoleBounds, RoleBounds]
    # new sums -> (outcome, role needs), exactly as the engine scores
    evaluate: Callable[[list[int]], tuple[str, tuple[Fraction | None, ...]]]


class Found(NamedTuple):
    moves: tuple[Move, ...]  # in question order
    outcome: str


class _Best(NamedTuple):
    cost: Fraction
    questions: tuple[int, ...]
    targets: tuple[int, ...]
    outcome: str


def _top_mass_mean(needs: list[tuple[float, float]], mass: float) -> float:
    """The mean of the highest `mass` of weight, taking part of a responsibility if needed."""
    taken, total = 0.0, 0.0
    for need, weight in sorted(needs, key=lambda nw: -nw[0]):
        part = min(weight, mass - taken)
        taken += part
        total += part * need
        if taken >= mass:
            break
    return total / mass


def nearest_change(problem: Problem) -> Found | None:
    """The nearest change set, or None when more than three changes are needed."""
    members: dict[Effect, list[Move]] = {}
    for step in problem.steps:
        moves = members.setdefault(step.effect, [])
        if len({q for q, _ in moves} | {step.question}) <= MAX_CHANGES:
            moves.append((step.question, step.target))
    searches = [_RoleSearch.build(problem, role, members) for role in range(2)]
    for size in range(1, MAX_CHANGES + 1):
        state = _State(problem, members)
        for role_search in searches:
            if role_search is not None:
                role_search.run(size, state)
        if state.best is not None:
            best = state.best
            return Found(
                moves=tuple(zip(best.questions, best.targets, strict=True)), outcome=best.outcome
            )
    return None


class _State:
    """The best set found so far, and the exact evaluation of candidate sets."""

    def __init__(self, problem: Problem, members: dict[Effect, list[Move]]):
        self.problem = problem
        self.members = members
        self.best: _Best | None = None
        self.seen: set[tuple[Effect, ...]] = set()

    def consider(self, effects: tuple[Effect, ...]) -> None:
        key = tuple(sorted(effects))
        if key in self.seen:  # found by the other role's search already
            return
        self.seen.add(key)
        problem = self.problem
        sums = list(problem.sums)
        for effect in effects:
            for c, delta in effect:
                sums[c] += delta
        outcome, needs = problem.evaluate(sums)
        if outcome == problem.outcome:
            return
        cost = sum(
            (
                abs(new - old)
                for new, old in zip(needs, problem.role_needs, strict=True)
                if new is not None and old is not None
            ),
            Fraction(0),
        )
        if self.best is not None and cost > self.best.cost:
            return
        picked = _pick([self.members[e] for e in effects])
        if picked is None:
            return
        candidate = _Best(cost, tuple(q for q, _ in picked), tuple(t for _, t in picked), outcome)
        if self.best is None or candidate[:3] < self.best[:3]:
            self.best = candidate


class _RoleSearch:
    """Sets that can flip one role across the line, tried as multisets of step classes."""

    def __init__(self, slots: list[tuple[float, Effect, int]], required: float):
        self.slots = slots  # (push, effect, copy number), largest push first
        self.required = required  # the total push needed to reach the line

    @classmethod
    def build(cls, problem: Problem, role: int, members: dict[Effect, list[Move]]):
        bounds = problem.roles[role]
        need = problem.role_needs[role]
        if need is None or not bounds.up:
            return None
        rising = need < problem.min_need
        per_unit = bounds.up if rising else bounds.down
        if rising:
            required = float(problem.min_need) - bounds.upper
        else:
            required = bounds.lower - float(problem.min_need)
        classes = []
        for effect in members:
            touched = [(c, d) for c, d in effect if c in per_unit]
            if not touched:
                continue
            push = sum(per_unit[c] * abs(d) for c, d in touched if (d > 0) == rising)
            if push <= 0 and bounds.monotone:
                continue
            classes.append((push, effect))
        classes.sort(key=lambda pe: -pe[0])
        slots = [
            (push, effect, copy)
            for push, effect in classes
            for copy in range(len({q for q, _ in members[effect]}))
        ]
        return cls(slots, required - _MARGIN)

    def run(self, size: int, state: _State) -> None:
        self._visit(0, size, 0.0, [], state)

    def _visit(self, start, remaining, pushed, chosen, state) -> None:
        slots = self.slots
        for p in range(start, len(slots) - remaining + 1):
            # Sorted by push: the best `remaining` from here on are the next ones.
            if pushed + sum(s[0] for s in slots[p : p + remaining]) < self.required:
                break
            push, effect, copy = slots[p]
            # Copies of a class are interchangeable: take them in order.
            if copy and (not chosen or chosen[-1] != p - 1):
                continue
            chosen.append(p)
            if remaining == 1:
                state.consider(tuple(slots[c][1] for c in chosen))
            else:
                self._visit(p + 1, remaining - 1, pushed + push, chosen, state)
            chosen.pop()


def _pick(classes: list[list[Move]]) -> tuple[Move, ...] | None:
    """The lowest concrete moves, one from each class, each on a different question: lowest
    question positions first, then lowest targets. The first three questions of a class are
    enough: a later one can always be swapped for an unused earlier one, which lowers both."""
    best = None
    for moves in product(*classes):
        if len({q for q, _ in moves}) == len(moves):
            ordered = tuple(sorted(moves))
            key = (tuple(q for q, _ in ordered), tuple(t for _, t in ordered))
            if best is None or key < best[0]:
                best = (key, ordered)
    return None if best is None else best[1]
