"""Reading stored snapshots, old and new, for display (docs/scoring.md, "Results keep their
meaning").

A snapshot made before the needs model has a policy with `min_fit`/`tie_margin` and one advice
text for `both` under the key "both"; a snapshot of the needs model has `"model": "needs"` and two
texts for `both`, by lead hire. Snapshots are never rewritten, so pages take a text an old snapshot
lacks from the shipped defaults (`fixtures/default_criteria.json`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from advisor import scoring
from advisor.types import Snapshot

DEFAULT_CRITERIA_FILE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "default_criteria.json"
)

# Advice keys of a snapshot's "advice" (and ScoringPolicy.advice()).
ADVICE_PRODUCT_OWNER = scoring.PRODUCT_OWNER
ADVICE_PRODUCT_MANAGER = scoring.PRODUCT_MANAGER
ADVICE_BOTH_PM_FIRST = "both-pm-first"
ADVICE_BOTH_PO_FIRST = "both-po-first"
ADVICE_NEITHER = scoring.NEITHER
ADVICE_UNDETERMINED = scoring.UNDETERMINED
ADVICE_KEYS = (
    ADVICE_PRODUCT_OWNER,
    ADVICE_PRODUCT_MANAGER,
    ADVICE_BOTH_PM_FIRST,
    ADVICE_BOTH_PO_FIRST,
    ADVICE_NEITHER,
    ADVICE_UNDETERMINED,
)
# Before the needs model: the one `both` text, which became the "product manager first" text.
OLD_ADVICE_BOTH = "both"

# ScoringPolicy field -> advice key, to read the shipped defaults from the fixture file.
_ADVICE_FIELDS = {
    "advice_product_owner": ADVICE_PRODUCT_OWNER,
    "advice_product_manager": ADVICE_PRODUCT_MANAGER,
    "advice_both_pm_first": ADVICE_BOTH_PM_FIRST,
    "advice_both_po_first": ADVICE_BOTH_PO_FIRST,
    "advice_neither": ADVICE_NEITHER,
    "advice_undetermined": ADVICE_UNDETERMINED,
}


def advice_key(outcome: str, lead: str | None) -> str:
    """The advice key for an outcome; `both` has one text per lead hire."""
    if outcome == scoring.BOTH:
        return ADVICE_BOTH_PO_FIRST if lead == scoring.PRODUCT_OWNER else ADVICE_BOTH_PM_FIRST
    return outcome


@functools.cache
def shipped_advice() -> dict[str, str]:
    """The advice texts of the shipped criteria, by advice key (read once per process)."""
    with open(DEFAULT_CRITERIA_FILE, encoding="utf-8") as stream:
        objects = json.load(stream)
    policy = next(o["fields"] for o in objects if o["model"] == "advisor.scoringpolicy")
    return {key: policy[name] for name, key in _ADVICE_FIELDS.items()}


def advice_text(snapshot: Snapshot, outcome: str, lead: str | None) -> str:
    """The snapshot's advice for an outcome (and, for `both`, the lead hire).

    An old snapshot's "both" text is its "product manager first" text; a text the snapshot lacks
    (an old snapshot's "product owner first") comes from the shipped defaults.
    """
    advice = snapshot.get("advice") or {}
    key = advice_key(outcome, lead)
    if key in advice:
        return advice[key]
    if key == ADVICE_BOTH_PM_FIRST and OLD_ADVICE_BOTH in advice:
        return advice[OLD_ADVICE_BOTH]
    return shipped_advice().get(key, "")
