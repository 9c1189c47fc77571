"""Re-score every stored assessment with the needs model (docs/scoring.md, "Results keep their
meaning").

Each assessment is scored from its own answers and its snapshot's scoring inputs, with the
snapshot's `min_coverage` and the needs model's defaults for `min_need` (0.65) and `focus_share`
(0.6). Snapshots are not rewritten (their content hashes stay valid) and the assessment keeps its
criteria version; its result and outcome are replaced, and the result records the model and the
policy values it was scored with.

The criteria and the stored result are built here, not through `advisor.services`, so that later
changes to the services cannot change what this migration does; the engine is `advisor.scoring`
itself (a frozen copy would be a second implementation of the model). An assessment that cannot be
re-scored stops the migration with its id: nothing is migrated silently wrong.
"""

from decimal import Decimal
from fractions import Fraction

from django.db import migrations

from advisor import scoring

MIN_NEED = Fraction(Decimal("0.65"))
FOCUS_SHARE = Fraction(Decimal("0.6"))
BATCH_SIZE = 500


class RescoreError(Exception):
    pass


def _fraction(text):
    return None if text is None else Fraction(text)


def criteria_of(content):
    """The engine's input from a stored snapshot, with the needs model's policy defaults."""
    policy = content.get("policy")
    if not policy:
        raise scoring.CriteriaError("the snapshot has no scoring policy")
    return scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(slug=r["slug"], role=role["slug"], weight=Fraction(r["weight"]))
            for role in content["roles"]
            for r in role["responsibilities"]
        ),
        questions=tuple(
            scoring.Question(
                slug=q["slug"],
                text=q["text"],
                options=tuple(
                    scoring.Option(key=o["key"], label=o["label"], value=_fraction(o["value"]))
                    for o in q["options"]
                ),
                links=tuple(
                    scoring.Link(
                        responsibility=link["responsibility"], weight=Fraction(link["weight"])
                    )
                    for link in q["links"]
                ),
            )
            for q in content["questions"]
            if q.get("active", True)
        ),
        policy=scoring.Policy(
            min_coverage=Fraction(policy["min_coverage"]),
            min_need=MIN_NEED,
            focus_share=FOCUS_SHARE,
        ),
    )


def stored_result(result, policy, criteria_version):
    to_float = scoring.to_float
    sensitivity = result.sensitivity
    return {
        "outcome": result.outcome,
        "lead": result.lead,
        "need": {r.role: to_float(r.need) for r in result.roles},
        "coverage": {r.role: to_float(r.coverage) for r in result.roles},
        "responsibilities": [
            {"slug": r.slug, "role": r.role, "need": to_float(r.need), "focus": r.focus}
            for r in result.responsibilities
        ],
        "drivers": [
            {"question": d.question, "role": d.role, "contribution": to_float(d.contribution)}
            for d in result.drivers
        ],
        "sensitivity": None
        if sensitivity is None
        else {
            "changes_needed": sensitivity.changes_needed,
            "outcome_after": sensitivity.outcome_after,
            "nearest": [
                {"question": c.question, "from": c.from_key, "to": c.to_key}
                for c in sensitivity.nearest
            ],
        },
        "unanswered": {r.role: list(r.unanswered) for r in result.roles},
        "model": "needs",
        "policy": {
            "min_coverage": to_float(policy.min_coverage),
            "min_need": to_float(policy.min_need),
            "focus_share": to_float(policy.focus_share),
        },
        "criteria_version": criteria_version,
    }


def rescore(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    CriteriaSnapshot = apps.get_model("advisor", "CriteriaSnapshot")
    assessments = Assessment.objects.using(schema_editor.connection.alias)
    snapshots = CriteriaSnapshot.objects.using(schema_editor.connection.alias)
    criteria_by_snapshot = {}
    # Batches by id rather than one streamed query: SQLite does not isolate a query being read
    # from writes to the same table on the same connection.
    ids = list(assessments.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            assessments.filter(id__in=ids[start : start + BATCH_SIZE])
            .select_related("criteria_version")
            .only("id", "answers", "snapshot_id", "criteria_version__version")
            .order_by("id")
        )
        for assessment in batch:
            try:
                criteria = criteria_by_snapshot.get(assessment.snapshot_id)
                if criteria is None:
                    content = snapshots.get(pk=assessment.snapshot_id).content
                    criteria = criteria_by_snapshot[assessment.snapshot_id] = criteria_of(content)
                result = scoring.score(criteria, assessment.answers)
            except (
                scoring.ScoringError,
                KeyError,
                TypeError,
                ValueError,
                ArithmeticError,
            ) as error:
                raise RescoreError(
                    f"Assessment {assessment.id} cannot be re-scored with the needs model from "
                    f"its snapshot {assessment.snapshot_id}: {error!r}"
                ) from error
            assessment.result = stored_result(
                result, criteria.policy, assessment.criteria_version.version
            )
            assessment.outcome = result.outcome
        assessments.bulk_update(batch, ["result", "outcome"])


class Migration(migrations.Migration):
    dependencies = [("advisor", "0004_needs_policy")]

    # Going back (development, the migration's own test) keeps the needs results: fits cannot be
    # recomputed from them, and the move happens before any real deployment.
    operations = [migrations.RunPython(rescore, migrations.RunPython.noop, elidable=False)]
