"""The two JSON shapes everything else passes around, as types: a criteria *snapshot*
(`CriteriaSnapshot.content`, built by `services.criteria_snapshot_build`) and a *stored result*
(`Assessment.result`, built by `services.result_as_dict`).

Both are stored as JSON and read back years later, so keys added after the first release are
`NotRequired`: older rows lack them and readers fall back (docs/scoring.md).
Numbers in a snapshot are decimal texts ("0.5"), so they hash alike whatever the database returns;
numbers in a result are floats rounded by `scoring.to_float`.
"""

from typing import NotRequired, TypedDict


class ResponsibilitySnapshot(TypedDict):
    slug: str
    text: str
    weight: str


class RoleSnapshot(TypedDict):
    slug: str
    name: str
    summary: str
    when_to_hire: str
    responsibilities: list[ResponsibilitySnapshot]


class OptionSnapshot(TypedDict):
    key: str
    label: str
    value: str | None  # None: "not sure", off the scale


class LinkSnapshot(TypedDict):
    responsibility: str
    weight: str


class QuestionSnapshot(TypedDict):
    slug: str
    section: str
    text: str
    help_text: str
    active: NotRequired[bool]  # only in snapshots that include inactive questions
    options: list[OptionSnapshot]
    links: list[LinkSnapshot]


class PolicySnapshot(TypedDict):
    min_coverage: str
    min_need: NotRequired[str]  # the needs model's policy (migration 0004)
    focus_share: NotRequired[str]


class CompetencySnapshot(TypedDict):
    title: str
    description: str


class CaseStudySnapshot(TypedDict):
    title: str
    summary: str
    results: list[str]


class Snapshot(TypedDict):
    model: NotRequired[str]
    roles: list[RoleSnapshot]
    questions: list[QuestionSnapshot]
    policy: PolicySnapshot | None
    advice: dict[str, str]  # by `snapshots.ADVICE_KEYS`
    competencies: list[CompetencySnapshot]
    case_study: CaseStudySnapshot | None


class StoredResponsibility(TypedDict):
    slug: str
    role: str
    need: float | None
    focus: bool


class StoredDriver(TypedDict):
    question: str
    role: str
    contribution: float | None


# "from" is a keyword, hence the functional form.
StoredChange = TypedDict("StoredChange", {"question": str, "from": str, "to": str})


class StoredSensitivity(TypedDict):
    changes_needed: int | None  # None: more than three
    outcome_after: str | None
    nearest: list[StoredChange]


class StoredPolicy(TypedDict):
    min_coverage: float | None
    min_need: float | None
    focus_share: float | None


class StoredResult(TypedDict):
    outcome: str  # a `models.Outcome` value
    lead: str | None  # the lead hire, for `both` only
    need: dict[str, float | None]  # by role slug
    coverage: dict[str, float | None]
    responsibilities: list[StoredResponsibility]
    drivers: list[StoredDriver]
    sensitivity: StoredSensitivity | None
    unanswered: NotRequired[dict[str, list[str]]]
    model: str
    policy: NotRequired[StoredPolicy]
    criteria_version: str


# The keys of a result as JSON, in this order (docs/product.md §6: `recommend --json`); a team's
# verdict in result.json has the same but `sensitivity` (§8).
RESULT_JSON_KEYS = (
    "outcome",
    "lead",
    "need",
    "coverage",
    "responsibilities",
    "drivers",
    "sensitivity",
    "summary",
    "model",
    "criteria_version",
)
