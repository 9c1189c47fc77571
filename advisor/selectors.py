"""Read queries over assessments for the consultants' workspace and its CSV export.

Every function here costs a fixed number of queries whatever the number of assessments: the list
is one query per page, the counts per outcome one aggregate, the export one streamed query — or,
without server-side cursors (behind PgBouncer), one query per EXPORT_CHUNK_SIZE rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.utils import timezone

from advisor import models, scoring
from advisor.search import SearchText

# Sort keys a request may ask for → (the key, descending?); the id breaks ties, so pages are
# stable. Company order ignores case whatever the database's collation. Each key has its index
# (migration 0002_workspace_search): (created_at, id) and (LOWER(company), id).
SORT_KEYS = {
    "-created": (F("created_at"), True),
    "created": (F("created_at"), False),
    "company": (Lower("company"), False),
    "-company": (Lower("company"), True),
}
DEFAULT_SORT = "-created"


def _order_by(key, *, descending: bool) -> tuple:
    if descending:
        return key.desc(), F("id").desc()
    return key.asc(), F("id").asc()


# The ORDER BY of each sort.
SORTS = {sort: _order_by(key, descending=desc) for sort, (key, desc) in SORT_KEYS.items()}

# The columns the list page shows; the rest (answers, notes, most of the result) stays in the
# database. `_with_needs` adds the role needs and the lead hire from the result.
LIST_FIELDS = ("token", "company", "respondent_name", "created_at", "outcome")

# Rows fetched per round trip when streaming the export: through a server-side cursor on
# PostgreSQL, or one keyset query each when those are off (PgBouncer, see _keyset_chunks).
EXPORT_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class AssessmentFilters:
    """What the workspace filters by; empty values filter nothing."""

    company: str = ""
    outcome: str = ""
    company_size: str = ""  # a models.CompanySize key
    industry: str = ""  # contained in the industry, accents and case ignored
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = DEFAULT_SORT


def _day_start(day: datetime.date) -> datetime.datetime:
    # A range on the indexed column itself (not on a date cast of it), so the index serves it.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(filters: AssessmentFilters, *, with_outcome: bool = True) -> QuerySet:
    qs = models.Assessment.objects.all()
    if filters.company:
        # Accents and case ignored on both sides (advisor/search.py); the trigram index of
        # migration 0008 serves this on PostgreSQL.
        qs = qs.alias(company_search=SearchText("company")).filter(
            company_search__contains=SearchText(Value(filters.company))
        )
    if with_outcome and filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.company_size:
        qs = qs.filter(company_size=filters.company_size)
    if filters.industry:
        # As the company search; migration 0013's trigram index serves it on PostgreSQL.
        qs = qs.alias(industry_search=SearchText("industry")).filter(
            industry_search__contains=SearchText(Value(filters.industry))
        )
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to and filters.date_to < datetime.date.max:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return qs


def _with_needs(qs: QuerySet) -> QuerySet:
    """Annotate `need_po`, `need_pm` and `lead`, picked out of the result JSON by the database
    (as text; a JSON null may come back as the text "null" on SQLite)."""
    return qs.annotate(
        need_po=KT(f"result__need__{scoring.PRODUCT_OWNER}"),
        need_pm=KT(f"result__need__{scoring.PRODUCT_MANAGER}"),
        lead=KT("result__lead"),
    )


def assessment_list(*, filters: AssessmentFilters) -> QuerySet:
    """The assessments matching `filters`, in the requested order, with the list's columns."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return _with_needs(_filtered(filters).only(*LIST_FIELDS)).order_by(*order)


class AssessmentPages:
    """The filtered list as Paginator wants it (count() and slices), one query per slice.

    A slice first picks its ids in order — an index-only scan (migration 0002), so a deep OFFSET
    skips index entries, not wide rows — and then reads just those rows.
    """

    def __init__(self, *, filters: AssessmentFilters, count: int):
        self.filters = filters
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[models.Assessment]:
        if not isinstance(index, slice):
            raise TypeError("AssessmentPages supports slices only")
        ordered = assessment_list(filters=self.filters)
        ids = ordered.values("id")[index]
        return list(
            _with_needs(ordered.model.objects.filter(id__in=ids).only(*LIST_FIELDS)).order_by(
                *ordered.query.order_by
            )
        )


def assessment_outcome_counts(*, filters: AssessmentFilters) -> dict[str, int]:
    """How many assessments match each outcome under `filters` (its outcome aside): one query.

    Every outcome is present, zero when none matches.
    """
    rows = (
        _filtered(filters, with_outcome=False)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("*"))
    )
    counts = dict.fromkeys(scoring.OUTCOMES, 0)
    counts.update(dict(rows))
    return counts


# ---------------------------------------------------------------------------------------------
# CSV and XLSX exports

EXPORT_FIXED_COLUMNS = (
    "created_at",
    "company",
    "respondent_name",
    "respondent_email",
    "outcome",
    "need_product_owner",
    "need_product_manager",
    "coverage_product_owner",
    "coverage_product_manager",
    "criteria_version",
    "private_notes",
    "team_ref",
    # The company context of docs/product.md §9: the size band's key, the industry as given.
    "company_size",
    "industry",
)


# The values of an export row, in order (the database's side of EXPORT_FIXED_COLUMNS, then the
# answers); `extra` fields follow.
EXPORT_ROW_FIELDS = (
    "created_at",
    "company",
    "respondent_name",
    "respondent_email",
    "outcome",
    "need_po",
    "need_pm",
    "cov_po",
    "cov_pm",
    "criteria_version__version",
    "private_notes",
    "team_id",
    "company_size",
    "industry",
    "answers",
)

# What the XLSX export adds after the CSV's values (`extra` of assessment_export_rows).
XLSX_EXTRA_VALUES = ("lead", "prepared_for", "prepared_by", "consultant_notes", "token")


def assessment_export_rows(
    *, filters: AssessmentFilters, extra: tuple[str, ...] = ()
) -> Iterator[tuple]:
    """The export's rows as raw values in one streamed query: EXPORT_ROW_FIELDS (the
    EXPORT_FIXED_COLUMNS, the team's id standing for `team_ref`, then the answers dict: question
    slug → option key), then the `extra` fields (the lead hire as `lead`, or Assessment fields).

    Needs and coverage are picked out of the result JSON by the database, so only the small
    answers JSON is parsed per row. A JSON null may come back as the text "null" (SQLite).
    """
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    rows = (
        _filtered(filters)
        .order_by(*order)
        .annotate(
            need_po=KT(f"result__need__{scoring.PRODUCT_OWNER}"),
            need_pm=KT(f"result__need__{scoring.PRODUCT_MANAGER}"),
            cov_po=KT(f"result__coverage__{scoring.PRODUCT_OWNER}"),
            cov_pm=KT(f"result__coverage__{scoring.PRODUCT_MANAGER}"),
            lead=KT("result__lead"),
        )
        .values_list(*EXPORT_ROW_FIELDS, *extra)
    )
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        key, descending = SORT_KEYS.get(filters.sort, SORT_KEYS[DEFAULT_SORT])
        return _keyset_chunks(rows, key=key, descending=descending, chunk_size=EXPORT_CHUNK_SIZE)
    return rows.iterator(chunk_size=EXPORT_CHUNK_SIZE)


def _keyset_chunks(rows: QuerySet, *, key, descending: bool, chunk_size: int) -> Iterator[tuple]:
    """`rows` (a values_list ordered by `key` then id) one query of `chunk_size` rows at a time.

    Without server-side cursors (DISABLE_SERVER_SIDE_CURSORS, needed behind PgBouncer in
    transaction pooling) `.iterator()` makes psycopg2 fetch the whole result into memory before
    the first row. Each chunk here starts after the last row of the one before — `key` past the
    last key, or the same key and a later id — so memory stays one chunk whatever the export's
    size. The inclusive bound on the key alone makes each query an index range scan that starts
    at the last key, instead of skipping every row already read.
    """
    fields = rows._fields  # type: ignore[attr-defined]  # the values_list's fields: the rows as the caller asked for them
    keyed = rows.annotate(keyset_key=key).values_list(*fields, "keyset_key", "id")
    after = "lt" if descending else "gt"
    last = None
    while True:
        chunk = keyed
        if last is not None:
            last_key, last_id = last
            chunk = chunk.filter(**{f"keyset_key__{after}e": last_key}).filter(
                Q(**{f"keyset_key__{after}": last_key})
                | Q(keyset_key=last_key, **{f"id__{after}": last_id})
            )
        fetched = list(chunk[:chunk_size])
        for row in fetched:
            yield row[:-2]
        if len(fetched) < chunk_size:
            return
        last = fetched[-1][-2:]


def team_list(*, company: str = "", outcome: str = "") -> QuerySet:
    """Team assessments for the consultants' workspace, newest first, each with its number of
    respondents (`respondent_count`): one query per page. `company` matches case-insensitively
    anywhere in the name; `outcome` is the stored team outcome."""
    qs = models.Team.objects.annotate(respondent_count=Count("respondents")).order_by(
        "-created_at", "-id"
    )
    if company:
        qs = qs.filter(company__icontains=company)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


# ---------------------------------------------------------------------------------------------
# Team assessments (docs/product.md §8): a team page costs two queries whatever its size — the team
# with its pinned snapshot, then its respondents.


def team_by_organiser_token(token: str, *, with_snapshot: bool = True) -> models.Team | None:
    """The team whose organiser link holds `token` (never its invitation token)."""
    qs = models.Team.objects.all()
    if with_snapshot:
        qs = qs.select_related("snapshot", "criteria_version")
    return qs.filter(organiser_token=token).first()


def team_by_invitation_token(token: str) -> models.Team | None:
    """The team whose invitation link holds `token`; it opens nothing but the join page."""
    return (
        models.Team.objects.select_related("snapshot", "criteria_version")
        .filter(invitation_token=token)
        .first()
    )


def team_respondent(token: str) -> models.Assessment | None:
    """A team respondent's assessment by its own token, with its team and the pinned snapshot
    (one query); None for an unknown token or an assessment outside any team."""
    return (
        models.Assessment.objects.select_related("team__snapshot", "team__criteria_version")
        .filter(token=token, team__isnull=False)
        .first()
    )


@dataclass(frozen=True)
class Respondent:
    """What team pages need of one respondent."""

    id: int
    token: str
    position: int
    name: str
    title: str
    answers: dict[str, str]
    outcome: str
    lead: str | None
    need: dict[str, float | None]


def team_respondents(team: models.Team) -> list[Respondent]:
    """The team's respondents in submission order: one query."""
    rows = (
        models.Assessment.objects.filter(team=team)
        .order_by("position")
        .values_list(
            "id",
            "token",
            "position",
            "respondent_name",
            "respondent_title",
            "answers",
            "outcome",
            "result",
        )
    )
    return [
        Respondent(
            id=rid,
            token=token,
            position=position or 0,  # set for every respondent (a constraint)
            name=name,
            title=title,
            answers=answers,
            outcome=outcome,
            lead=result.get("lead"),
            need=result.get("need") or {},
        )
        for rid, token, position, name, title, answers, outcome, result in rows
    ]
