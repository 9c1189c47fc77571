"""Team assessments' writes and the team result (docs/product.md §8, docs/teams.md).

A team pins the criteria snapshot current when it starts; every respondent is scored against it.
Joining and changing answers lock the team's row for the rest of their transaction (SELECT … FOR
UPDATE on PostgreSQL; on SQLite every transaction takes the write lock at its start, see
settings), so the 50-respondent cap and the "closed" check hold under concurrent requests.
Every change of the team moves `Team.changed_at`, which keys the cached team result.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from advisor import models, presentation, rendercache, scoring, team
from advisor.selectors import Respondent
from advisor.services import assessments, criteria
from advisor.types import RESULT_JSON_KEYS

NOT_A_TEAM_RESPONDENT = "The assessment does not belong to a team."
NAME_REQUIRED = _("Enter your name: this team shows who answered what.")

# A team result is recomputed only when the team changes; an entry outlives no change.
RESULT_CACHE_SECONDS = 24 * 60 * 60
# Anonymous teams show per-respondent detail only once closed with at least this many.
ANONYMOUS_MIN_RESPONDENTS = 3


class TeamClosed(Exception):
    """The team is closed (answered with 410)."""


class TeamFull(Exception):
    """The team has its maximum of respondents (answered with 409)."""


# ---------------------------------------------------------------------------------------------
# The pinned criteria


_bundle_lock = threading.Lock()
_bundles: dict[str, criteria.CriteriaBundle] = {}
BUNDLE_CACHE_SIZE = 16


def team_bundle(team_obj: models.Team) -> criteria.CriteriaBundle:
    """The team's pinned criteria as a bundle (what the questionnaire and scoring take), cached
    in-process by the snapshot's content hash. `team_obj` needs its snapshot and version loaded
    (`select_related`) for a query-free call."""
    snapshot = team_obj.snapshot
    bundle = _bundles.get(snapshot.content_hash)
    if bundle is None:
        content = snapshot.content
        bundle = criteria.CriteriaBundle(
            stamp=f"snapshot:{snapshot.content_hash}",
            content=content,
            content_hash=snapshot.content_hash,
            version=team_obj.criteria_version.version,
            criteria=criteria.criteria_from_snapshot(content),
            problems=[],
        )
        with _bundle_lock:
            if len(_bundles) >= BUNDLE_CACHE_SIZE:
                _bundles.pop(next(iter(_bundles)))
            _bundles[snapshot.content_hash] = bundle
    return bundle


# ---------------------------------------------------------------------------------------------
# Writes


def team_create(
    *,
    company: str,
    organiser_name: str,
    organiser_email: str,
    anonymous: bool,
    expected_respondents: int | None = None,
    bundle: criteria.CriteriaBundle | None = None,
) -> models.Team:
    """Start a team assessment pinned to the current criteria (their version and snapshot rows
    made when missing), all or nothing. Raises scoring.CriteriaError when they cannot score."""
    bundle = bundle or criteria.criteria_current()
    if not bundle.ready:
        raise scoring.CriteriaError(" ".join(bundle.problems))
    with transaction.atomic():
        version, _created = models.CriteriaVersion.objects.get_or_create(version=bundle.version)
        snapshot, _created = models.CriteriaSnapshot.objects.only("pk").get_or_create(
            content_hash=bundle.content_hash, defaults={"content": bundle.content}
        )
        team_obj = models.Team(
            company=company,
            organiser_name=organiser_name,
            organiser_email=organiser_email,
            anonymous=anonymous,
            expected_respondents=expected_respondents,
            snapshot=snapshot,
            criteria_version=version,
        )
        team_obj.full_clean()
        team_obj.save()
    return team_obj


def _locked_team(team_id: int) -> models.Team:
    # of=("self",): lock the team's row only, not the shared snapshot and version rows.
    return (
        models.Team.objects.select_for_update(of=("self",))
        .select_related("snapshot", "criteria_version")
        .get(pk=team_id)
    )


def _respondent_fields(team_obj: models.Team, answers: dict[str, str]) -> dict[str, Any]:
    bundle = team_bundle(team_obj)
    result = assessments.answers_score(answers=answers, bundle=bundle)
    return {
        "company": team_obj.company,
        "answers": dict(answers),
        "result": result,
        "outcome": result["outcome"],
        "criteria_version_id": team_obj.criteria_version_id,
        "snapshot_id": team_obj.snapshot_id,
        "team": team_obj,
    }


def _checked_name(team_obj: models.Team, respondent_name: str) -> str:
    if team_obj.anonymous:
        return ""  # anonymous teams store no name
    if not respondent_name.strip():
        raise ValidationError(NAME_REQUIRED)
    return respondent_name


def team_join(
    *,
    team_id: int,
    answers: dict[str, str],
    respondent_name: str = "",
    respondent_title: str = "",
) -> models.Assessment:
    """Add a respondent: their answers scored against the team's pinned snapshot, saved as an
    assessment in the team's next place. Anonymous teams drop the name and title.

    Raises TeamClosed, TeamFull, scoring.AnswerError for answers the snapshot lacks, and
    ValidationError for a named team's missing name.
    """
    with transaction.atomic():
        team_obj = _locked_team(team_id)
        if team_obj.closed:
            raise TeamClosed
        existing = team_obj.respondents.aggregate(count=Count("id"), last=Max("position"))
        if existing["count"] >= models.TEAM_MAX_RESPONDENTS:
            raise TeamFull
        name = _checked_name(team_obj, respondent_name)
        assessment = models.Assessment.objects.create(
            **_respondent_fields(team_obj, answers),
            respondent_name=name,
            respondent_title="" if team_obj.anonymous else respondent_title,
            position=(existing["last"] or 0) + 1,
        )
        _touch(team_obj)
    return assessment


def team_respondent_replace(
    *,
    assessment: models.Assessment,
    answers: dict[str, str],
    respondent_name: str | None = None,
    respondent_title: str | None = None,
) -> models.Assessment:
    """Change a respondent's answers: the old assessment is deleted and a new one, scored
    against the pinned snapshot, takes its place in the team — one transaction, counted once.
    None keeps the name or title. Raises TeamClosed, and ValueError for an assessment without
    a team."""
    if assessment.team_id is None:
        raise ValueError(NOT_A_TEAM_RESPONDENT)
    with transaction.atomic():
        team_obj = _locked_team(assessment.team_id)
        if team_obj.closed:
            raise TeamClosed
        old = models.Assessment.objects.select_for_update().get(pk=assessment.pk)
        name = old.respondent_name if respondent_name is None else respondent_name
        title = old.respondent_title if respondent_title is None else respondent_title
        name = _checked_name(team_obj, name)
        position = old.position
        rendercache.forget_on_commit([old.pk])  # its rendered pages, once this commits
        old.delete()
        new = models.Assessment.objects.create(
            **_respondent_fields(team_obj, answers),
            respondent_name=name,
            respondent_title="" if team_obj.anonymous else title,
            position=position,
        )
        _touch(team_obj)
    return new


def team_close(*, team_obj: models.Team) -> models.Team:
    """Close the team (joins and changes answered with 410) and draw the random order in which
    an anonymous team numbers its respondents."""
    with transaction.atomic():
        locked = _locked_team(team_obj.pk)
        ids = list(locked.respondents.values_list("id", flat=True))
        secrets.SystemRandom().shuffle(ids)
        locked.closed = True
        locked.respondent_order = ids
        locked.changed_at = timezone.now()
        locked.save(update_fields=["closed", "respondent_order", "changed_at"])
    return locked


def team_reopen(*, team_obj: models.Team) -> models.Team:
    with transaction.atomic():
        locked = _locked_team(team_obj.pk)
        locked.closed = False
        locked.changed_at = timezone.now()
        locked.save(update_fields=["closed", "changed_at"])
    return locked


def team_delete(*, team_obj: models.Team) -> int:
    """Delete the team and its respondents' assessments (docs/product.md §8), all or nothing; return
    how many assessments went. The shared snapshot and version hold no personal data and stay."""
    with transaction.atomic():
        respondents = models.Assessment.objects.filter(team_id=team_obj.pk)
        rendercache.forget_on_commit(respondents.values_list("pk", flat=True))
        count, _per_model = respondents.delete()
        rendercache.forget_team_on_commit(team_obj.pk)
        models.Team.objects.filter(pk=team_obj.pk).delete()
    return count


def _touch(team_obj: models.Team) -> None:
    team_respondents_changed(team_obj)


def team_respondents_changed(team_obj: models.Team) -> None:
    """After a respondent joined, changed answers or was deleted: move the team's last change
    (the cache key of its result) and store its outcome for the consultants' list — one query
    for the answers, one update. `team_obj` needs its snapshot (loaded or loadable)."""
    answers = list(
        models.Assessment.objects.filter(team_id=team_obj.pk)
        .order_by("position")
        .values_list("answers", flat=True)
    )
    outcome = ""
    criteria = team_bundle(team_obj).criteria
    if answers and criteria is not None:
        outcome = team.team_score(criteria, answers).verdict.outcome
    models.Team.objects.filter(pk=team_obj.pk).update(changed_at=timezone.now(), outcome=outcome)


# ---------------------------------------------------------------------------------------------
# The team result


def display_order(team_obj: models.Team, respondents: list[Respondent]) -> list[Respondent]:
    """Named teams: submission order. Anonymous: the random order drawn at closing (anyone not
    in it, which a closed team cannot gain, last in submission order)."""
    ordered = sorted(respondents, key=lambda r: r.position)
    if not team_obj.anonymous:
        return ordered
    rank = {rid: i for i, rid in enumerate(team_obj.respondent_order or [])}
    return sorted(ordered, key=lambda r: rank.get(r.id, len(rank)))


def respondent_label(team_obj: models.Team, respondent: Respondent, number: int) -> str:
    if team_obj.anonymous:
        return str(_("Respondent %(number)s") % {"number": number})
    return respondent.name


def shows_detail(team_obj: models.Team, count: int) -> bool:
    """Whether per-respondent verdicts, distributions, agreement and pivotal questions may be
    shown: always in named teams; in anonymous ones only once closed with at least three."""
    return not team_obj.anonymous or (team_obj.closed and count >= ANONYMOUS_MIN_RESPONDENTS)


def team_result(team_obj: models.Team, respondents: list[Respondent]) -> dict[str, Any]:
    """The team result (`result.json`'s shape, docs/product.md §8) plus what the page needs beyond
    it (`agenda`, `nearest`, the agreement count).

    Computed once per change of the team: cached under the team's id and last change (and the
    language of the summary). The cached value names nobody: respondents appear as their
    places in the display order, and names are put in per request (`team_result_named`).
    """
    ordered = display_order(team_obj, respondents)
    # The respondents' ids too: a change that forgets to move `changed_at` (a bulk delete by the
    # retention purge) must not serve a result whose places no longer match.
    members = hashlib.sha256(",".join(str(r.id) for r in ordered).encode()).hexdigest()[:16]
    key = f"rolefit:team:{team_obj.pk}:{team_obj.changed_at.isoformat()}:{members}:{get_language()}"
    computed = rendercache.cache_get(key)  # shared; a failing cache costs the computation only
    if computed is None:
        computed = _compute(team_obj, ordered)
        rendercache.cache_set(key, computed, RESULT_CACHE_SECONDS)
    return computed


def _compute(team_obj: models.Team, ordered: list[Respondent]) -> dict[str, Any]:
    bundle = team_bundle(team_obj)
    criteria = bundle.criteria
    assert criteria is not None, "a team's pinned snapshot scores (checked when it started)"
    scored = team.team_score(criteria, [r.answers for r in ordered])
    to_float = scoring.to_float
    verdict = assessments.result_as_dict(
        scored.verdict, policy=criteria.policy, criteria_version=bundle.version
    )
    nearest = {q.question: q.nearest for q in scored.questions if q.nearest is not None}
    verdict["summary"] = presentation.summary_text(  # type: ignore[typeddict-unknown-key]
        verdict, bundle.content, nearest, content_hash=bundle.content_hash, voice="team"
    )
    return {
        "respondents": scored.respondents,
        "verdict": verdict,
        "nearest": nearest,
        "agreement": to_float(scored.agreement),
        "agreement_label": team.agreement_label(scored.agreement),
        "questions": [
            {
                "question": q.question,
                "answered": q.answered,
                "pooled": to_float(q.pooled),
                "agreement": to_float(q.agreement),
                "agreement_label": team.agreement_label(q.agreement),
                "distribution": dict(q.distribution),
            }
            for q in scored.questions
        ],
        "individual": [
            {"place": place, "outcome": r.outcome, "lead": r.lead, "need": r.need}
            for place, r in enumerate(ordered)
        ],
        "agreeing": sum(r.outcome == scored.verdict.outcome for r in ordered),
        "pivotal": [
            {
                "question": p.question,
                "answer": p.answer,
                "places": list(p.respondents),
                "outcome": p.outcome,
            }
            for p in scored.pivotal
        ],
        "agenda": list(scored.agenda),
    }


# The keys of a verdict in result.json (§6's keys but `sensitivity`), and those an anonymous
# team shows before it may show detail.
VERDICT_KEYS = tuple(key for key in RESULT_JSON_KEYS if key != "sensitivity")
RESTRICTED_VERDICT_KEYS = ("outcome", "lead", "need", "model", "criteria_version")


def team_result_json(team_obj: models.Team, respondents: list[Respondent]) -> dict[str, Any]:
    """`GET /t/<organiser-token>/result.json` (docs/product.md §8)."""
    computed = team_result(team_obj, respondents)
    ordered = display_order(team_obj, respondents)
    detail = shows_detail(team_obj, len(ordered))
    labels = [respondent_label(team_obj, r, i + 1) for i, r in enumerate(ordered)]
    verdict = computed["verdict"]
    keys = VERDICT_KEYS if detail else RESTRICTED_VERDICT_KEYS
    return {
        "company": team_obj.company,
        "anonymous": team_obj.anonymous,
        "closed": team_obj.closed,
        "respondents": computed["respondents"],
        "verdict": {key: verdict[key] for key in keys},
        "agreement": computed["agreement"] if detail else None,
        "agreement_label": computed["agreement_label"] if detail else None,
        "questions": [
            {key: q[key] for key in ("question", "answered", "pooled", "agreement", "distribution")}
            for q in computed["questions"]
        ]
        if detail and ordered
        else [],
        "individual": [
            {"respondent": labels[i["place"]], "outcome": i["outcome"], "need": i["need"]}
            for i in computed["individual"]
        ]
        if detail
        else [],
        "pivotal": [
            {
                "question": p["question"],
                "answer": p["answer"],
                "respondents": [labels[place] for place in p["places"]],
                "outcome": p["outcome"],
            }
            for p in computed["pivotal"]
        ]
        if detail
        else [],
    }
