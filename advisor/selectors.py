"""Every read: the workspace's list, counts and exports; teams; one assessment for its result
page, report and links; the criteria's stamp, versions and history.

Every function here costs a fixed number of queries whatever the number of assessments: the list
is one query per page, the counts per outcome one aggregate, the export one streamed query — or,
without server-side cursors (behind PgBouncer), one query per EXPORT_CHUNK_SIZE rows. Raw SQL only
where docs/benchmarks.md measured the gain, with the reason beside it (`result_lookup`,
`criteria_stamp`, `version_and_snapshot_ids`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from advisor import models, scoring
from advisor.search import SearchText
from advisor.types import Snapshot

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

# What the list page shows of each assessment; the rest (answers, notes, most of the result)
# stays in the database. `_with_needs` picks the role needs and the lead hire out of the result.
NEEDS_VALUES = ("need_po", "need_pm", "lead")
LIST_VALUES = ("token", "company", "respondent_name", "created_at", "outcome", *NEEDS_VALUES)

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


def assessment_list(*, filters: AssessmentFilters, reverse: bool = False) -> QuerySet:
    """The assessments matching `filters` in the requested order, or in its reverse."""
    key, descending = SORT_KEYS.get(filters.sort, SORT_KEYS[DEFAULT_SORT])
    return _filtered(filters).order_by(*_order_by(key, descending=descending != reverse))


class AssessmentPages:
    """The filtered list as Paginator wants it (count() and slices), one query per slice.

    A slice first picks its ids in order — an index-only scan (migration 0002), so a deep OFFSET
    skips index entries, not wide rows — and then reads just those rows, as dicts of
    LIST_VALUES (no model instances: the page prints text).

    A slice in the second half is read from the end, in the reverse order, and turned round: its
    OFFSET is then at most half the list. The last page of a broad search (10,000 matches of
    100,000) took 121 ms sorting every match; read from the end it costs what the first does.
    """

    def __init__(self, *, filters: AssessmentFilters, count: int):
        self.filters = filters
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("AssessmentPages supports slices only")
        start, stop = index.start or 0, min(index.stop, self._count)
        if start >= stop:
            return []
        from_end = start > self._count - stop
        if from_end:
            start, stop = self._count - stop, self._count - start
        ordered = assessment_list(filters=self.filters, reverse=from_end)
        ids = ordered.values("id")[start:stop]
        rows = list(
            _with_needs(models.Assessment.objects.filter(id__in=ids))
            .order_by(*ordered.query.order_by)
            .values(*LIST_VALUES)
        )
        return rows[::-1] if from_end else rows


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
    respondents (`respondent_count`): one query per page. `company` matches anywhere in the name,
    accents and case ignored as in the assessments' search (advisor/search.py); `outcome` is the
    stored team outcome."""
    qs = models.Team.objects.annotate(respondent_count=Count("respondents")).order_by(
        "-created_at", "-id"
    )
    if company:
        qs = qs.alias(company_search=SearchText("company")).filter(
            company_search__contains=SearchText(Value(company))
        )
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


# ---------------------------------------------------------------------------------------------
# Team assessments (docs/product.md §8): a team page costs two queries whatever its size — the team
# with its pinned snapshot, then its respondents.


def team_by_id(pk: int) -> models.Team | None:
    return models.Team.objects.filter(pk=pk).first()


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


# ---------------------------------------------------------------------------------------------
# One assessment, for its result page and its report


def result_queryset() -> QuerySet:
    """Assessments with what their result page and report read (snapshot, criteria version)."""
    return models.Assessment.objects.select_related("snapshot", "criteria_version")


def assessment_brief(token: str) -> models.Assessment | None:
    """The assessment of `token` with only what a link's pages name: token, company, date, the
    respondent's email (for "email me this link"); None if there is none."""
    return (
        models.Assessment.objects.only("token", "company", "created_at", "respondent_email")
        .filter(token=token)
        .first()
    )


def assessment_by_token(token: str) -> models.Assessment | None:
    return models.Assessment.objects.filter(token=token).first()


def snapshot_content(snapshot_id: int) -> Snapshot:
    return models.CriteriaSnapshot.objects.values_list("content", flat=True).get(pk=snapshot_id)


def assessment_for_report(token: str) -> models.Assessment | None:
    """The assessment behind a link, with what the report reads, in one query."""
    return result_queryset().filter(token=token).first()


def _lookup_sql() -> str:
    """One row per token: the assessment's fields, its snapshot's content hash, its version's date.

    Scalar subqueries rather than joins: PostgreSQL plans them in half the time.
    """
    quote = connection.ops.quote_name
    assessment, snapshot, version = (
        models.Assessment._meta,
        models.CriteriaSnapshot._meta,
        models.CriteriaVersion._meta,
    )
    columns = ", ".join(f"a.{quote(field.column)}" for field in assessment.concrete_fields)
    return (
        f"SELECT {columns},"
        f" (SELECT {quote('content_hash')} FROM {quote(snapshot.db_table)}"
        f" WHERE {quote(snapshot.pk.column)} = a.{quote(assessment.get_field('snapshot').column)}),"
        f" (SELECT {quote('first_used_at')} FROM {quote(version.db_table)}"
        f" WHERE {quote(version.pk.column)}"
        f" = a.{quote(assessment.get_field('criteria_version').column)})"
        f" FROM {quote(assessment.db_table)} a WHERE a.{quote('token')} = %s"
    )


@functools.cache
def _converters(field, vendor: str) -> list:
    """What the ORM applies to `field`'s column as it comes from the database (`vendor`'s)."""
    column = field.get_col(field.model._meta.db_table)
    return [
        (converter, column)
        for converter in connection.ops.get_db_converters(column)
        + column.get_db_converters(connection)
    ]


def _converted(field, value):
    """A column's value as the ORM would load it (JSON decoded, SQLite's dates parsed)."""
    for converter, column in _converters(field, connection.vendor):
        value = converter(value, column, connection)
    return value


def result_lookup(token: str) -> models.Assessment | None:
    """The assessment of `token` with `snapshot_content_hash` and `version_first_used_at`.

    A cursor and `Model.from_db`, not `Manager.raw()`: a raw queryset costs twice the query's own
    time to set up.
    """
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = models.Assessment._meta.concrete_fields
    assessment = models.Assessment.from_db(
        connection.alias,
        [field.attname for field in fields],
        [_converted(field, value) for field, value in zip(fields, row, strict=False)],
    )
    # Two columns of the join, kept on the instance for the cache key (no further query).
    assessment.snapshot_content_hash = row[-2]  # type: ignore[attr-defined]
    first_used_at = models.CriteriaVersion._meta.get_field("first_used_at")
    assessment.version_first_used_at = _converted(  # type: ignore[attr-defined]
        first_used_at, row[-1]
    )
    return assessment


# ---------------------------------------------------------------------------------------------
# The criteria


def criteria_stamp() -> str | None:
    """The stamp of the current criteria (`services.criteria_touch` changes it); None before the
    first one is made.

    Raw SQL: every page showing the criteria asks, and compiling the ORM query would cost several
    times more than running it.
    """
    quote = connection.ops.quote_name
    state = models.CriteriaState._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('stamp')} FROM {quote(state.db_table)}"
            f" ORDER BY {quote(state.pk.column)} LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def version_and_snapshot_ids(*, version: str, content_hash: str) -> tuple[int, int] | None:
    """The ids of the criteria version and snapshot rows in one query, or None unless both exist.

    Reads neither row's content (a snapshot's JSON is large; the assessment needs only its id).
    Raw SQL, since compiling the ORM's equivalent costs fifteen times more than running it.
    """
    quote = connection.ops.quote_name
    version_meta, snapshot = models.CriteriaVersion._meta, models.CriteriaSnapshot._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT {quote(version_meta.pk.column)} FROM {quote(version_meta.db_table)}"
            f" WHERE {quote('version')} = %s),"
            f" (SELECT {quote(snapshot.pk.column)} FROM {quote(snapshot.db_table)}"
            f" WHERE {quote('content_hash')} = %s)",
            [version, content_hash],
        )
        version_id, snapshot_id = cursor.fetchone()
    return None if version_id is None or snapshot_id is None else (version_id, snapshot_id)


def criteria_version_row(version: str) -> models.CriteriaVersion | None:
    return models.CriteriaVersion.objects.filter(version=version).first()


# ---------------------------------------------------------------------------------------------
# The criteria's history (django-simple-history's records)


def criteria_history(model_names: list[str]) -> QuerySet:
    """Every historical record of these criteria models, newest first, as (id, date, model)."""
    querysets = [
        model.history.model.objects.order_by()  # a compound statement takes one ORDER BY
        .annotate(model_name=Value(model._meta.model_name, output_field=CharField()))
        .values("history_id", "history_date", "model_name")
        for model in models.CRITERIA_MODELS
        if model._meta.model_name in model_names
    ]
    first, *rest = querysets
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


def history_records_with_previous(model, history_ids: list[int]) -> tuple[list, dict[int, Any]]:
    """The historical records of `model` with these ids (user and related rows joined), and by
    history id the record before each: two queries."""
    historical = model.history.model
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    previous_id = (
        historical.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    records = list(
        historical.objects.filter(history_id__in=history_ids)
        .select_related("history_user", *related)
        .annotate(previous_id=Subquery(previous_id))
    )
    previous = historical.objects.in_bulk(
        [r.previous_id for r in records if r.previous_id is not None]
    )
    return records, previous


def question_part_records(model, question_id: int) -> QuerySet:
    """Every historical record of a question's options or links (`model`), oldest first."""
    historical = get_history_model_for_model(model)
    records = historical.objects.filter(question_id=question_id).order_by("history_id")
    if model is models.QuestionLink:
        records = records.select_related("responsibility")
    return records


# ---------------------------------------------------------------------------------------------
# Permissions


def permission_names(user: Any) -> set[str]:
    """Every permission of an active `user` as "app_label.codename": all of them for a
    superuser, else their own and their groups', in one query (Django's ModelBackend makes two,
    ORM-compiled: 1.5 ms of a workspace list request, docs/benchmarks.md). Raw SQL for the same
    reason as the lookups above: compiling the ORM's union would cost more than running it."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    permission, content_type = Permission._meta, ContentType._meta
    own = user.user_permissions.through._meta  # the user's own permissions (their table)
    member = user.groups.through._meta
    granted = Group.permissions.through._meta

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    sql = (
        f"SELECT ct.{quote('app_label')}, p.{quote('codename')}"
        f" FROM {quote(permission.db_table)} p"
        f" JOIN {quote(content_type.db_table)} ct"
        f" ON ct.{quote(content_type.pk.column)} = p.{column(permission, 'content_type')}"
    )
    params: list[Any] = []
    if not user.is_superuser:
        sql += (
            f" WHERE p.{quote(permission.pk.column)} IN ("
            f"SELECT {column(own, 'permission')} FROM {quote(own.db_table)}"
            f" WHERE {column(own, 'user')} = %s"
            f" UNION SELECT g.{column(granted, 'permission')} FROM {quote(granted.db_table)} g"
            f" JOIN {quote(member.db_table)} m"
            f" ON m.{column(member, 'group')} = g.{column(granted, 'group')}"
            f" WHERE m.{column(member, 'user')} = %s)"
        )
        params = [user.pk, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
