"""The sensitivity (docs/scoring.md, "Sensitivity") against an exhaustive oracle.

The oracle is written from the specification alone and shares no code with the engine — not the
needs, not the focus, not the outcome rule: it reads criteria from a plain description (the
engine gets the same description as `scoring.Criteria`) and works in integers over common units.
It tries every set of one, two, then three changes and keeps the best by the tie rules.

These tests need no database; they are marked `slow`, and CI runs them once.
"""

import math
import random
from fractions import Fraction
from itertools import combinations, product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import scoring

F = Fraction
pytestmark = pytest.mark.slow

ROLES = ("product-owner", "product-manager")

# ---------------------------------------------------------------------------------------------
# Plain criteria: {"responsibilities": [(slug, role, weight)], "questions": [(slug, [(key,
# value or None)], [(responsibility, weight)])], "policy": (min_coverage, min_need, focus_share)}


def to_criteria(plain) -> scoring.Criteria:
    min_coverage, min_need, focus_share = plain["policy"]
    return scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(slug=s, role=r, weight=w)
            for s, r, w in plain["responsibilities"]
        ),
        questions=tuple(
            scoring.Question(
                slug=slug,
                text=slug,
                options=tuple(scoring.Option(key=k, label=k, value=v) for k, v in options),
                links=tuple(scoring.Link(responsibility=c, weight=w) for c, w in links),
            )
            for slug, options, links in plain["questions"]
        ),
        policy=scoring.Policy(
            min_coverage=min_coverage, min_need=min_need, focus_share=focus_share
        ),
    )


class Oracle:
    """Exhaustive search over change sets, from the specification."""

    def __init__(self, plain, answers):
        responsibilities = plain["responsibilities"]
        self.min_coverage, self.min_need, self.focus_share = plain["policy"]
        index = {slug: i for i, (slug, _, _) in enumerate(responsibilities)}
        self.role_of = [ROLES.index(role) for _, role, _ in responsibilities]
        weight_unit = math.lcm(*(w.denominator for _, _, w in responsibilities))
        self.weight = [int(w * weight_unit) for _, _, w in responsibilities]
        questions = plain["questions"]
        self.slugs = [slug for slug, _, _ in questions]
        link_unit = math.lcm(*(w.denominator for _, _, links in questions for _, w in links))
        self.links = [
            [(index[c], int(w * link_unit)) for c, w in links] for _, _, links in questions
        ]
        self.scales = [[(k, v) for k, v in options if v is not None] for _, options, _ in questions]
        self.value_unit = math.lcm(*(v.denominator for s in self.scales for _, v in s))
        self.position = {}
        for q, (slug, _, _) in enumerate(questions):
            for p, (key, _) in enumerate(self.scales[q]):
                if answers.get(slug) == key:
                    self.position[q] = p
        n = len(responsibilities)
        self.answered = [0] * n
        self.total = [0] * n
        for q, links in enumerate(self.links):
            for c, w in links:
                self.total[c] += w
                if q in self.position:
                    self.answered[c] += w
        # n_c = S_c / (a_c · value unit) = key_c / (D_R · value unit), D_R = lcm of R's a_c
        self.common = []
        for role in range(2):
            own = [
                self.answered[c] for c in range(n) if self.role_of[c] == role and self.answered[c]
            ]
            self.common.append(math.lcm(*own) if own else 1)
        self.base = self.sums({q: self.value(q, p) for q, p in self.position.items()})

    def value(self, q, p) -> int:
        return int(self.scales[q][p][1] * self.value_unit)

    def sums(self, values) -> list[int]:
        sums = [0] * len(self.role_of)
        for q, v in values.items():
            for c, w in self.links[q]:
                sums[c] += w * v
        return sums

    def coverage(self, role) -> Fraction:
        own = [c for c in range(len(self.role_of)) if self.role_of[c] == role]
        return F(
            sum(self.weight[c] * self.answered[c] for c in own),
            sum(self.weight[c] * self.total[c] for c in own),
        )

    def need(self, role, sums) -> Fraction | None:
        """N_R as an exact fraction: the weighted mean need of the focus."""
        keys = [
            (-sums[c] * (self.common[role] // self.answered[c]), c)
            for c in range(len(self.role_of))
            if self.role_of[c] == role and self.answered[c]
        ]
        if not keys:
            return None
        keys.sort()
        everything = sum(self.weight[c] for _, c in keys)
        head_weight = head_sum = 0
        for negative_key, c in keys:
            head_weight += self.weight[c]
            head_sum += self.weight[c] * -negative_key
            if head_weight >= self.focus_share * everything:
                break
        return F(head_sum, self.common[role] * self.value_unit * head_weight)

    def verdict(self, sums) -> tuple[str, tuple]:
        needs = (self.need(0, sums), self.need(1, sums))
        if self.coverage(0) < self.min_coverage or self.coverage(1) < self.min_coverage:
            return "undetermined", needs
        po, pm = (n is not None and n >= self.min_need for n in needs)
        names = {(True, True): "both", (True, False): "product-owner"}
        return names.get((po, pm), "product-manager" if pm else "neither"), needs

    def nearest(self, max_size=3):
        """(changes needed, outcome after, ((slug, from, to), ...)), None when undetermined;
        (None, None, ()) when more than `max_size` changes are needed."""
        outcome, needs = self.verdict(self.base)
        if outcome == "undetermined":
            return None
        steps = {
            q: [t for t in (p - 1, p + 1) if 0 <= t < len(self.scales[q])]
            for q, p in self.position.items()
        }
        for size in range(1, max_size + 1):
            best = None
            for questions in combinations(sorted(steps), size):
                for targets in product(*(steps[q] for q in questions)):
                    sums = list(self.base)
                    for q, t in zip(questions, targets, strict=True):
                        delta = self.value(q, t) - self.value(q, self.position[q])
                        for c, w in self.links[q]:
                            sums[c] += w * delta
                    after, new_needs = self.verdict(sums)
                    if after == outcome:
                        continue
                    cost = sum(
                        (
                            abs(a - b)
                            for a, b in zip(new_needs, needs, strict=True)
                            if a is not None
                        ),
                        F(0),
                    )
                    key = (cost, questions, targets)
                    if best is None or key < best[0]:
                        best = (key, after)
            if best is not None:
                (_, questions, targets), after = best
                return (
                    size,
                    after,
                    tuple(
                        (self.slugs[q], self.scales[q][self.position[q]][0], self.scales[q][t][0])
                        for q, t in zip(questions, targets, strict=True)
                    ),
                )
        return (None, None, ())


def engine_nearest(plain, answers):
    sensitivity = scoring.score(to_criteria(plain), answers).sensitivity
    if sensitivity is None:
        return None
    return (
        sensitivity.changes_needed,
        sensitivity.outcome_after,
        tuple((c.question, c.from_key, c.to_key) for c in sensitivity.nearest),
    )


# ---------------------------------------------------------------------------------------------
# Random criteria and answers

AGREEMENT = [("sd", F(0)), ("d", F(1, 4)), ("n", F(1, 2)), ("a", F(3, 4)), ("sa", F(1))]


def random_scale(rng: random.Random):
    if rng.random() < 0.6:
        scale = list(AGREEMENT)
    else:  # any values, any order, repeats allowed
        scale = [(f"o{i}", F(rng.randint(0, 8), 8)) for i in range(rng.randint(2, 4))]
    return [*scale, ("not-sure", None)]


def random_plain(rng: random.Random, size: int, equal_weights: bool):
    responsibilities = []
    for role in ROLES:
        for i in range(rng.randint(1, 5)):
            weight = F(1) if equal_weights else rng.choice([F(1, 2), F(1), F(3, 2), F(2), F(3)])
            responsibilities.append((f"{role[8:]}-{i}", role, weight))
    slugs = [slug for slug, _, _ in responsibilities]
    by_role = {role: [s for s, r, _ in responsibilities if r == role] for role in ROLES}
    questions = []
    for q in range(size):
        if q < 2:  # every role has something linked to it
            linked = [rng.choice(by_role[ROLES[q]])]
        else:
            linked = rng.sample(slugs, rng.randint(1, min(3, len(slugs))))
        links = [(c, rng.choice([F(1, 4), F(1, 2), F(1), F(2)])) for c in linked]
        questions.append((f"q{q}", random_scale(rng), links))
    policy = (
        rng.choice([F(1, 4), F(1, 2)]),
        F(rng.randint(6, 16), 20),
        rng.choice([F(1, 3), F(1, 2), F(3, 5), F(3, 4), F(1)]),
    )
    return {"responsibilities": responsibilities, "questions": questions, "policy": policy}


def random_answers(rng: random.Random, plain, unanswered=0.1):
    return {
        slug: rng.choice([k for k, _ in options])
        for slug, options, _ in plain["questions"]
        if rng.random() > unanswered
    }


def on_the_line(rng: random.Random, plain, answers):
    """Move min_need to (or next to) one role's current need: where ties and near misses live."""
    oracle = Oracle(plain, answers)
    needs = [n for n in (oracle.need(r, oracle.base) for r in range(2)) if n is not None]
    if not needs:
        return plain
    offset = rng.choice([F(0), F(1, 100), F(-1, 100), F(1, 20), F(-1, 20), F(1, 8), F(1, 5)])
    need = rng.choice(needs) + offset
    return {**plain, "policy": (plain["policy"][0], min(max(need, F(0)), F(1)), plain["policy"][2])}


def test_the_oracle_reproduces_the_worked_examples(default_plain):
    # Example 2 (docs/scoring.md): all agree, team-count one → both, two changes give PM.
    answers = {
        slug: ("one" if slug == "team-count" else "agree")
        for slug, _, _ in default_plain["questions"]
    }
    assert Oracle(default_plain, answers).nearest() == (
        2,
        "product-manager",
        (("roadmap-drift", "agree", "neutral"), ("team-count", "one", "none")),
    )


@pytest.mark.parametrize("equal_weights", [True, False], ids=["equal-weights", "unequal-weights"])
def test_engine_equals_the_oracle_on_random_profiles(equal_weights):
    rng = random.Random(20261129 + equal_weights)
    compared = 0
    sizes = {1: 0, 2: 0, 3: 0, None: 0}
    while compared < 2500:
        plain = random_plain(rng, rng.randint(2, 20), equal_weights)
        answers = random_answers(rng, plain)
        if rng.random() < 0.6:
            plain = on_the_line(rng, plain, answers)
        expected = Oracle(plain, answers).nearest()
        assert engine_nearest(plain, answers) == expected, (plain, answers)
        compared += 1
        if expected is not None:
            sizes[expected[0]] += 1
    # The comparison covers every answer size.
    assert all(count >= 40 for count in sizes.values()), sizes


def default_like_plain(rng: random.Random, size: int):
    """`size` questions on the default nine responsibilities, agreement scales, default policy."""
    responsibilities = [
        *(
            (c, "product-owner", F(1))
            for c in ("backlog", "product-goal", "stakeholders", "roadmap-alignment")
        ),
        *(
            (c, "product-manager", F(1))
            for c in ("strategy", "tech-roadmap", "go-to-market", "margins", "customers-csuite")
        ),
    ]
    slugs = [c for c, _, _ in responsibilities]
    questions = []
    for q in range(size):
        linked = rng.sample(slugs, rng.choice([1, 1, 2]))
        questions.append(
            (
                f"q{q}",
                [*AGREEMENT, ("not-sure", None)],
                [(c, rng.choice([F(1, 2), F(1)])) for c in linked],
            )
        )
    return {
        "responsibilities": responsibilities,
        "questions": questions,
        "policy": (F(1, 2), F(13, 20), F(3, 5)),
    }


def test_engine_equals_the_oracle_at_two_hundred_questions_within_two_changes():
    rng = random.Random(200)
    compared = 0
    while compared < 20:
        plain = default_like_plain(rng, 200)
        answers = random_answers(rng, plain, unanswered=0.05)
        oracle = Oracle(plain, answers)
        need = oracle.need(rng.randint(0, 1), oracle.base)
        # Just below or above the line: one or two changes away.
        step = F(rng.choice([1, 2, 3]), 1000) * rng.choice([1, -1])
        plain = {**plain, "policy": (F(1, 2), min(max(need + step, F(0)), F(1)), F(3, 5))}
        expected = Oracle(plain, answers).nearest(max_size=2)
        if expected[0] is None:
            continue
        assert engine_nearest(plain, answers) == expected
        compared += 1


@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 8), equal=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_engine_equals_the_oracle_property(seed, size, equal):
    rng = random.Random(seed)
    plain = random_plain(rng, max(size, 2), equal)
    answers = random_answers(rng, plain)
    plain = on_the_line(rng, plain, answers)
    assert engine_nearest(plain, answers) == Oracle(plain, answers).nearest()


@pytest.fixture
def default_plain():
    agreement = [
        ("strongly-disagree", F(0)),
        ("disagree", F(1, 4)),
        ("neutral", F(1, 2)),
        ("agree", F(3, 4)),
        ("strongly-agree", F(1)),
        ("not-sure", None),
    ]
    team_count = [("none", F(0)), ("one", F(3, 4)), ("several", F(1)), ("not-sure", None)]
    links = {
        "agile-team": [("backlog", F(1, 2)), ("product-goal", F(1, 2))],
        "backlog-unclear": [("backlog", F(1))],
        "goal-unclear": [("product-goal", F(1))],
        "stakeholders-lost": [("stakeholders", F(1))],
        "roadmap-drift": [("roadmap-alignment", F(1))],
        "delivery-focus": [("backlog", F(1, 2)), ("roadmap-alignment", F(1, 2))],
        "team-count": [("backlog", F(1, 2)), ("product-goal", F(1, 2))],
        "new-business": [("strategy", F(1)), ("go-to-market", F(1, 2))],
        "multiyear-strategy": [("strategy", F(1))],
        "rd-roadmap": [("tech-roadmap", F(1))],
        "go-to-market": [("go-to-market", F(1))],
        "margins-costs": [("margins", F(1))],
        "customer-insight": [("customers-csuite", F(1))],
        "exec-engagement": [("customers-csuite", F(1))],
        "revenue-decline": [("strategy", F(1, 2)), ("margins", F(1, 2))],
        "portfolio-complexity": [("strategy", F(1, 2)), ("margins", F(1, 2))],
    }
    return {
        "responsibilities": [
            *(
                (c, "product-owner", F(1))
                for c in ("backlog", "product-goal", "stakeholders", "roadmap-alignment")
            ),
            *(
                (c, "product-manager", F(1))
                for c in ("strategy", "tech-roadmap", "go-to-market", "margins", "customers-csuite")
            ),
        ],
        "questions": [
            (slug, team_count if slug == "team-count" else agreement, question_links)
            for slug, question_links in links.items()
        ],
        "policy": (F(1, 2), F(13, 20), F(3, 5)),
    }


def test_engine_equals_the_oracle_on_random_answers_to_the_default_criteria(default_plain):
    rng = random.Random(16)
    for _ in range(300):
        answers = random_answers(rng, default_plain, unanswered=0.05)
        assert engine_nearest(default_plain, answers) == Oracle(default_plain, answers).nearest()
