"""Pages that change only when what they show changes, rendered once and kept in the shared cache.

An assessment's result and report never change once written (docs/product.md §5); only the
consultant's client-visible notes and "prepared for / by" (§1, §7), the brand (§9), the templates
and the language can change what they look like. So three things are rendered once and kept in
the shared cache (`CACHES["default"]`: a database table, or Redis), where every worker and app
instance finds them:

- `result`: the result page's sections (`includes/result_article.html`): `result_article`;
- `report`: the report's body (`advisor/report_body.html`), without the page around it:
  `report_body`;
- `pdf`: the report's PDF, unless it is larger than `RENDER_CACHE_PDF_MAX_BYTES`: `report_pdf`;
- `result-page` and `report-page`: the whole result page and report page as a visitor with
  nothing of their own on them sees them (`page_is_shared`), split at their CSRF inputs:
  `whole_page` joins the parts with the request's own token (issue 20: the page around the
  sections cost more than the sections).

Each is kept under `rolefit:render:<kind>:<assessment id>:<language>` (the id, never the private
token) as a pair: a fingerprint and the content. The content is served only while the fingerprint
still matches — a digest of every column of the assessment's row (answers, result, company, notes,
prepared for / by…), its snapshot's content hash and its criteria version's date, the brand for
the report and the PDF, and `render_version()` (the template files, the translation catalogues,
the PDF stylesheet, RoleFit's code and the versions of Django and WeasyPrint). Whatever of these
changes, the next request renders afresh and replaces the entry. The report's date is the
assessment's, so nothing depends on the day it is shown.

Each process also keeps the entries it served last (the `recent` cache, in front of the shared
one: a repeat view then costs no read of the shared cache), served under the same fingerprint
check.

The cache then holds personal data, so entries expire after `RENDER_CACHE_SECONDS` (the recent
ones after `RENDER_CACHE_RECENT_SECONDS`, at most `RENDER_CACHE_RECENT_ENTRIES` of them per
process); every request looks the assessment up first, so a deleted one's entries are
unreachable at once, and deleting or purging assessments removes them (`forget`, in every
configured language; other processes' recent entries expire within a minute). Per-request parts
(CSRF token, the navigation of a signed-in consultant, messages) are rendered around the cached
content, never into it. A cache that is down or full costs the rendering, never the page: every
cache call here logs its failure and carries on without the cache (the team result,
`services.team.team_result`, reads and writes through `cache_get` and `cache_set` too).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import logging
import re
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import transaction
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.template.utils import get_app_template_dirs
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from advisor import branding, models, pdf, presentation, report_parts, selectors

logger = logging.getLogger("rolefit.rendercache")

RESULT = "result"
REPORT = "report"
PDF = "pdf"
RESULT_PAGE = "result-page"
REPORT_PAGE = "report-page"
TEAM = "team"  # keyed by the team's id, not an assessment's
KINDS = (RESULT, REPORT, PDF, RESULT_PAGE, REPORT_PAGE)
# The per-process cache of the pages served last, in front of the shared one (settings.CACHES).
RECENT = "recent"
# Keys per `delete_many` call (one query with the database cache).
FORGET_BATCH = 1000
# The files whose content changes what RoleFit renders, besides the templates and catalogues.
PDF_STYLESHEET = "css/report_pdf.css"
PACKAGES = ("django", "weasyprint")

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# What a rendered page depends on


def _digest_files(digest: Any, directory: Path, pattern: str = "*") -> None:
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob(pattern)):
        if path.is_file():
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.cache
def render_version() -> str:
    """A digest of everything besides the data that shapes a rendered page, once per process
    (~10 ms): every template file any engine can load, the translation catalogues, the PDF
    stylesheet, RoleFit's Python code, the time zone and the versions of Django and WeasyPrint.
    A deployment that changes any of them changes every fingerprint, so no page rendered by the
    old release is served by the new one."""
    digest = hashlib.sha256()
    directories = [
        Path(d) for engine in settings.TEMPLATES for d in cast("list[str]", engine.get("DIRS", []))
    ]
    directories += [Path(d) for d in get_app_template_dirs("templates")]
    directories += [Path(d) for d in settings.LOCALE_PATHS]
    for directory in directories:
        _digest_files(digest, directory)
    _digest_files(digest, Path(__file__).resolve().parent, "*.py")
    stylesheet = finders.find(PDF_STYLESHEET)
    if isinstance(stylesheet, str):
        digest.update(Path(stylesheet).read_bytes())
    for name in PACKAGES:
        digest.update(f"{name}={_package_version(name)}".encode())
    digest.update(settings.TIME_ZONE.encode())
    # The static files' hashed names (`{% static %}` with the manifest storage): a release that
    # changes a stylesheet or script changes the URLs a kept page names.
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    return digest.hexdigest()[:16]


def brand_state(brand: Any) -> dict[str, Any]:
    """What the report and the PDF show of the brand (`branding.Brand`): every field but the
    logo's bytes, which its digest stands for."""
    return {
        field.name: getattr(brand, field.name)
        for field in dataclasses.fields(brand)
        if field.name != "logo"
    }


def fingerprint(assessment: models.Assessment, *extra: Any) -> str:
    """The digest of what a page of `assessment` shows, for an assessment from
    `selectors.result_lookup` (which adds its snapshot's content hash and its criteria
    version's date): every column of its row — a column added later counts without a change
    here — plus `extra` and `render_version()`."""
    row = {field.attname: getattr(assessment, field.attname) for field in _columns()}
    material = [
        render_version(),
        row,
        assessment.snapshot_content_hash,  # type: ignore[attr-defined]
        assessment.version_first_used_at,  # type: ignore[attr-defined]
        *extra,
    ]
    encoded = json.dumps(material, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _columns() -> list[Any]:
    return list(models.Assessment._meta.concrete_fields)


def key(kind: str, assessment_id: int, language: str | None = None) -> str:
    code = language or get_language() or settings.LANGUAGE_CODE
    return f"rolefit:render:{kind}:{assessment_id}:{code}"


# ---------------------------------------------------------------------------------------------
# Reading and writing, without ever failing a page


def cache_get(name: str) -> Any:
    """The shared cache's value for `name`; None when there is none or the cache fails."""
    try:
        return cache.get(name)
    except Exception as error:  # down, unreachable, a missing table: render without it
        logger.warning("The shared cache could not be read (%s); rendering without it.", error)
        return None


def cache_set(name: str, value: Any, timeout: int) -> None:
    """Keep `value` in the shared cache if it can (a full or failing cache keeps nothing)."""
    try:
        cache.set(name, value, timeout)
    except Exception as error:
        logger.warning("The shared cache could not be written (%s); not kept.", error)


def cached(
    kind: str,
    assessment: models.Assessment,
    render: Callable[[], T],
    *,
    extra: Iterable[Any] = (),
    max_size: int | None = None,
) -> T:
    """`render()`'s value for `assessment`'s page `kind`, from the shared cache when it was kept
    for the same fingerprint; else rendered and kept (unless longer than `max_size`)."""
    return _kept(key(kind, assessment.pk), fingerprint(assessment, *extra), render, max_size)


def _kept(name: str, current: str, render: Callable[[], T], max_size: int | None = None) -> T:
    """The value kept under `name` for the fingerprint `current`, else `render()`'s, kept.

    Looked for first among the pages this process served last (`recent`), then in the shared
    cache; either is served only for the current fingerprint."""
    recent = caches[RECENT]
    entry = recent.get(name)
    if _matches(entry, current):
        return entry[1]
    entry = cache_get(name)
    if _matches(entry, current):
        _remember(recent, name, entry)
        return entry[1]
    value = render()
    if max_size is None or (isinstance(value, Sized) and len(value) <= max_size):
        cache_set(name, (current, value), settings.RENDER_CACHE_SECONDS)
        _remember(recent, name, (current, value))
    return value


def _matches(entry: Any, current: str) -> bool:
    return isinstance(entry, tuple) and len(entry) == 2 and entry[0] == current


def _remember(recent: Any, name: str, entry: tuple[str, Any]) -> None:
    """Keep `entry` in this process's `recent` pages unless it is large (a big PDF): a bounded
    number of entries (`RENDER_CACHE_RECENT_ENTRIES`, the least recently used go first) for
    `RENDER_CACHE_RECENT_SECONDS` each."""
    value = entry[1]
    size = len(value) if isinstance(value, (str, bytes)) else sum(map(len, value))
    if size <= settings.RENDER_CACHE_RECENT_MAX_BYTES:
        recent.set(name, entry)


def team_result_body(
    team_obj: models.Team, respondent_ids: list[int], render: Callable[[], str]
) -> SafeString:
    """The team result's body (`includes/team_result_body.html`), rendered once per change of
    the team: kept under the team's id and the language while its fingerprint — the team's last
    change, its respondents, closed and anonymous, `render_version()` — matches. A team's page
    view then costs its lookups and the cache's read, not the rendering of every respondent's
    answers (docs/product.md §8)."""
    current = hashlib.sha256(
        json.dumps(
            [
                render_version(),
                team_obj.changed_at,
                respondent_ids,
                team_obj.closed,
                team_obj.anonymous,
                team_obj.company,
            ],
            default=str,
        ).encode()
    ).hexdigest()
    return mark_safe(_kept(key(TEAM, team_obj.pk), current, render))


# ---------------------------------------------------------------------------------------------
# Removal


def languages() -> list[str]:
    """Every language a page may be rendered in (the configured ones and the default)."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted({*codes, settings.LANGUAGE_CODE})


def forget(assessment_ids: Iterable[int]) -> None:
    """Remove these assessments' rendered pages, in every configured language, from the shared
    cache and this process's recent pages. A failing cache removes nothing: the entries are
    unreachable anyway (every request looks the assessment up first) and expire after
    `RENDER_CACHE_SECONDS`; so do other processes' recent pages, after
    `RENDER_CACHE_RECENT_SECONDS`."""
    names = [key(kind, pk, code) for pk in assessment_ids for kind in KINDS for code in languages()]
    caches[RECENT].delete_many(names)
    try:
        for start in range(0, len(names), FORGET_BATCH):
            cache.delete_many(names[start : start + FORGET_BATCH])
    except Exception as error:
        logger.warning("Deleted assessments' cached pages could not be removed (%s).", error)


def forget_team_on_commit(team_id: int) -> None:
    """Remove a deleted team's rendered result, in every configured language, once it commits."""
    names = [key(TEAM, team_id, code) for code in languages()]

    def remove() -> None:
        caches[RECENT].delete_many(names)
        try:
            cache.delete_many(names)
        except Exception as error:
            logger.warning("A deleted team's cached page could not be removed (%s).", error)

    transaction.on_commit(remove)


def forget_on_commit(assessment_ids: Iterable[int]) -> None:
    """`forget` once the transaction deleting these assessments commits (at once outside one):
    a page rendered while it ran is removed too, and nothing goes if it rolls back."""
    ids = list(assessment_ids)
    if ids:
        transaction.on_commit(functools.partial(forget, ids))


# ---------------------------------------------------------------------------------------------
# The table


def cache_tables_create(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every `migrate`: create the database cache's table if the configuration names one
    and it is missing (`createcachetable` skips existing tables and other backends).

    A `post_migrate` handler rather than a migration, because the table follows the settings of
    the day, not the schema's history: a migration runs once, so a database migrated while the
    cache was elsewhere (Redis, or before this cache existed) would never get it."""
    call_command("createcachetable", database=using, verbosity=0)


# ---------------------------------------------------------------------------------------------
# The pages


REPORT_PDF_TEMPLATE = "advisor/report_pdf.html"


def _full(assessment: models.Assessment) -> models.Assessment:
    """The assessment with what rendering reads (snapshot, version); DoesNotExist if deleted
    since it was looked up."""
    return selectors.result_queryset().get(pk=assessment.pk)


def result_article(assessment: models.Assessment) -> SafeString | None:
    """The sections of the result page (`includes/result_article.html`) of `assessment` (from
    `selectors.result_lookup`), kept once rendered; None if it was deleted since it was looked
    up. Once kept, they cost no query beyond the lookup (and a read of the shared cache when
    this process has not served them lately)."""

    def render() -> str:
        full = _full(assessment)
        return render_to_string("includes/result_article.html", presentation.result_context(full))

    try:
        return mark_safe(cached(RESULT, assessment, render))
    except models.Assessment.DoesNotExist:  # deleted in between
        return None


def report_body(assessment: models.Assessment, brand: branding.Brand) -> SafeString | None:
    """The report's body (`advisor/report_body.html`) for `assessment` (from
    `selectors.result_lookup`) and `brand`, rendered once per fingerprint of what it shows: the
    assessment (its client-visible notes and "prepared for / by" included), the brand, the
    templates and the language; None if the assessment was deleted since it was looked up."""

    def render() -> str:
        context = report_parts.report_context(_full(assessment), brand=brand)
        return render_to_string("advisor/report_body.html", context)

    try:
        return mark_safe(cached(REPORT, assessment, render, extra=[brand_state(brand)]))
    except models.Assessment.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Whole pages


# Django's `{% csrf_token %}` output; the value is the only per-request part of a shared page.
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"<>]*">')


def page_is_shared(request: Any, *personal_cookies: str) -> bool:
    """Whether `request` sees a page as any visitor with its link does, so the whole page may
    come from the shared cache: a GET (or HEAD) without a session cookie (nobody signed in, no
    messages kept in a session), without the messages cookie and without `personal_cookies`
    (a view's own, such as the offer to delete an earlier assessment). Deciding by the cookies'
    names costs no query and never reads a session."""
    if request.method not in ("GET", "HEAD"):
        return False
    names = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name, *personal_cookies}
    return not names.intersection(request.COOKIES)


def whole_page(
    kind: str, assessment: models.Assessment, request: Any, render: Callable[[], str]
) -> SafeString:
    """The whole page `kind` of `assessment` for a request `page_is_shared` lets through:
    `render()`'s HTML, kept split at its CSRF inputs while the fingerprint matches — the
    assessment's, plus what the page around it shows: the brand, and the scheme, host and path
    prefix its absolute link is made of. The parts are joined with this request's token."""
    extra = [
        brand_state(branding.brand_current()),
        request.scheme,
        request.get_host(),
        get_script_prefix(),
    ]
    return csrf_joined(cached(kind, assessment, lambda: csrf_split(render()), extra=extra), request)


def blank_questionnaire(bundle: Any, request: Any, render: Callable[[], str]) -> SafeString:
    """The blank questionnaire page whole, for a request `page_is_shared` lets through. It holds
    no personal data, so it is memoised on the criteria bundle (`services.CriteriaBundle`, per
    process, as the form's own parts are) per language, brand and path prefix, split at its
    CSRF input; rendering base.html around the form cost more than the rest of the request."""
    name = ("questionnaire-page", get_language(), branding.brand_current(), get_script_prefix())
    parts = bundle.extras.get(name)
    if parts is None:
        parts = bundle.extras[name] = csrf_split(render())
    return csrf_joined(parts, request)


def csrf_split(html: str) -> list[str]:
    """`html` cut at its CSRF inputs: the parts any visitor shares."""
    return CSRF_INPUT.split(html)


def csrf_joined(parts: list[str], request: Any) -> SafeString:
    """`csrf_split`'s parts joined again with `request`'s own CSRF input."""
    if len(parts) == 1:
        return mark_safe(parts[0])
    return mark_safe(str(csrf_input(request)).join(parts))


def report_pdf_render(assessment: models.Assessment, *, brand: branding.Brand) -> bytes:
    """The report's PDF for an assessment from `selectors.result_queryset()`."""
    context = report_parts.report_context(assessment, brand=brand, pdf=True)
    return pdf.document_pdf(
        render_to_string(REPORT_PDF_TEMPLATE, context), brand_stylesheet=brand.stylesheet
    )


def report_pdf(token: str) -> tuple[models.Assessment, bytes] | None:
    """The assessment behind a report link and its PDF, rendered once per fingerprint of what it
    shows (as `report_body`), unless larger than `RENDER_CACHE_PDF_MAX_BYTES`; or None."""
    assessment = selectors.result_lookup(token)
    if assessment is None:
        return None
    brand = branding.brand_current()
    try:
        data = cached(
            PDF,
            assessment,
            lambda: report_pdf_render(_full(assessment), brand=brand),
            extra=[brand_state(brand)],
            max_size=settings.RENDER_CACHE_PDF_MAX_BYTES,
        )
    except models.Assessment.DoesNotExist:
        return None
    return assessment, data
