"""The consultants' workspace at scale (issue 5), on PostgreSQL (or SQLite).

Creates a throwaway database next to the configured one (never touching the configured one; a
temporary SQLite file when `DATABASE_URL` is not PostgreSQL), migrates it, seeds 100,000
assessments, then measures through the full Django stack as a logged-in consultant:

- the unfiltered list: first, middle and last page, newest first and by company (goal ≤ 50 ms),
  and the size band filter (first and last page)
- a company search, a narrow and a broad one, and the industry filter (goal ≤ 100 ms)
- the CSV export of all rows: time (goal ≤ 5 s) and peak memory growth (goal ≤ 50 MB)
- the XLSX export of all rows: time (goal ≤ 30 s) and peak memory growth (goal ≤ 100 MB)

and drops the database again. Usage:

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/rolefit .venv/bin/python -m benchmarks.scale
    .venv/bin/python -m benchmarks.scale --only xlsx    # seed, then the XLSX export alone
    .venv/bin/python -m benchmarks.scale --only pages   # seed, then the list and searches alone
    .venv/bin/python -m benchmarks.scale --only csv     # seed, then the CSV export alone

The role needs CREATEDB. Reusable pieces: `seed`, `consultant_client`, `time_get`,
`measure_export`, `run` (`throwaway_database` and `setup_django` come from `benchmarks.harness`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

from benchmarks.harness import setup_django, throwaway_database

GOALS_MS = {"list": 50.0, "search": 100.0}
GOAL_EXPORT_SECONDS = 5.0
GOAL_EXPORT_MEMORY_MB = 50.0
# Issue 15: the XLSX export (XlsxWriter, constant memory).
GOAL_XLSX_SECONDS = 30.0
GOAL_XLSX_MEMORY_MB = 100.0
XLSX_URL_NAME = "advisor:workspace_export_xlsx"
COMPANY_WORDS = [
    "Acme",
    "Bolt",
    "Cedar",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Krypton",
    "Lumen",
    "Maple",
    "Nimbus",
    "Onyx",
    "Pioneer",
    "Quartz",
    "Rivet",
    "Summit",
    "Tundra",
    "Umber",
    "Vertex",
    "Willow",
    "Xenon",
    "Yonder",
    "Zephyr",
]
# The company context (docs/product.md §9): most assessments give it, some do not.
SIZES = ["1-10", "11-50", "51-250", "251-1000", "1001-5000", "5001+", ""]
INDUSTRIES = [
    "Fintech",
    "Logistics",
    "Santé publique",
    "Software",
    "Manufacturing",
    "Énergie",
    "Retail",
    "",
]
PRIVATE_NOTE = "Budget not signed off yet; the CFO wants a second opinion before the search."
COMPANY_KINDS = [
    "Robotics",
    "Logistics",
    "Foods",
    "Analytics",
    "Health",
    "Energy",
    "Media",
    "Labs",
    "Systems",
    "Bank",
]


def seed(count: int, *, batch: int = 5000) -> None:
    """Migrate, load the default criteria and bulk-insert `count` varied assessments (most with
    a company context, one in ten with private notes)."""
    from django.core.management import call_command
    from django.db import connection

    from advisor import models, services
    from tests import examples

    call_command("migrate", verbosity=0, interactive=False)
    services.criteria_load()
    answer_sets = [
        examples.STANDARD_REPORT,
        examples.PRODUCT_OWNER,
        examples.BOTH,
        examples.NEITHER,
        examples.UNDETERMINED,
    ]
    templates = [
        services.assessment_create(company="Template", answers=answers) for answers in answer_sets
    ]
    models.Assessment.objects.all().delete()
    made = 0
    while made < count:
        rows = []
        for i in range(made, min(count, made + batch)):
            template = templates[i % len(templates)]
            word = COMPANY_WORDS[(i * 7) % len(COMPANY_WORDS)]
            kind = COMPANY_KINDS[(i * 3) % len(COMPANY_KINDS)]
            rows.append(
                models.Assessment(
                    company=f"{word} {kind} {i}",
                    company_size=SIZES[i % len(SIZES)],
                    industry=INDUSTRIES[(i * 3) % len(INDUSTRIES)],
                    private_notes=PRIVATE_NOTE if i % 10 == 0 else "",
                    respondent_name=f"Person {i}",
                    respondent_email=f"person{i}@example.com",
                    answers=template.answers,
                    result=template.result,
                    outcome=template.outcome,
                    criteria_version=template.criteria_version,
                    snapshot=template.snapshot,
                )
            )
        models.Assessment.objects.bulk_create(rows)
        made += len(rows)
    with connection.cursor() as cursor:
        # Spread creation over about three years (bulk_create stamps them all "now").
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE advisor_assessment SET created_at = now() - (id % 1100) * interval '1 day'"
                " - (id * 37 % 86400) * interval '1 second'"
            )
            cursor.execute("VACUUM ANALYZE advisor_assessment")
        else:
            cursor.execute(
                "UPDATE advisor_assessment SET created_at = strftime('%Y-%m-%d %H:%M:%f',"
                " 'now', -(id % 1100) || ' days', -(id * 37 % 86400) || ' seconds')"
            )
            cursor.execute("ANALYZE advisor_assessment")


def consultant_client():
    """A test client logged in as a consultant (session made directly, as force_login does)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Permission, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    user, _created = User.objects.get_or_create(username="bench-consultant")
    user.user_permissions.add(Permission.objects.get(codename="use_workspace"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def time_get(client, path: str, params: dict, *, rounds: int = 15) -> dict[str, float]:
    """Median and max milliseconds of a GET, after two warm-up requests."""
    for _ in range(2):
        assert client.get(path, params).status_code == 200
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return {"median_ms": statistics.median(times), "max_ms": max(times)}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_export(
    client, params: dict | None = None, *, url_name: str = "advisor:workspace_export"
) -> dict[str, float]:
    """Seconds, lines less one (the CSV's rows), megabytes and peak resident-memory growth (MB)
    of one full download of the CSV (or, with its `url_name`, the XLSX)."""
    from django.urls import reverse

    peak = baseline = _rss_bytes()
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_bytes())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    response = client.get(reverse(url_name), params or {})
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "seconds": seconds,
        "rows": lines - 1,
        "megabytes": size / 1e6,
        "memory_growth_mb": (peak - baseline) / 1e6,
    }


def run(count: int = 100_000) -> dict[str, dict[str, float]]:
    """Measure the workspace on the current database (already seeded with `count` rows)."""
    client = consultant_client()
    results = run_pages(count, client)
    results.update(run_csv(client))
    results.update(run_xlsx(client))
    return results


def run_pages(count: int = 100_000, client=None) -> dict[str, dict[str, float]]:
    """The list's pages and searches alone (no export)."""
    from django.urls import reverse

    from advisor.views import workspace

    client = client or consultant_client()
    path = reverse("advisor:workspace")
    last = -(-count // workspace.PAGE_SIZE)
    cases = {
        "list: first page (newest)": ("list", {}),
        "list: middle page": ("list", {"page": last // 2}),
        "list: last page": ("list", {"page": last}),
        "list: first page by company": ("list", {"sort": "company"}),
        "list: last page by company": ("list", {"sort": "company", "page": last}),
        "list: outcome filter, last page": ("list", {"outcome": "both", "page": last}),
        "search: narrow ('12345')": ("search", {"company": "12345"}),
        "search: broad ('robotics')": ("search", {"company": "robotics"}),
        "search: broad, last page": ("search", {"company": "robotics", "page": last}),
        "search: no match ('zzzz')": ("search", {"company": "zzzz"}),
        # Accents ignored (migration 0010_search_unaccent): finds the "Robotics" companies.
        "search: accents ('robötics')": ("search", {"company": "robötics"}),
        # The company context's filters (docs/product.md §9; migration 0013's indexes).
        "list: size band filter": ("list", {"company_size": "51-250"}),
        "list: size band filter, last page": ("list", {"company_size": "51-250", "page": last}),
        "search: industry ('sante')": ("search", {"industry": "sante"}),
        "search: industry, last page": ("search", {"industry": "sante", "page": last}),
    }
    results = {}
    for name, (kind, params) in cases.items():
        figures = time_get(client, path, params)
        figures["goal_ms"] = GOALS_MS[kind]
        results[name] = figures
    return results


def run_csv(client=None) -> dict[str, dict[str, float]]:
    """The CSV export of every row (after a warm-up on an empty result), alone."""
    client = client or consultant_client()
    measure_export(client, {"company": "zzzz"})
    return {"csv: all rows": measure_export(client)}


def run_xlsx(client=None) -> dict[str, dict[str, float]]:
    """The XLSX export of every row (after a warm-up on an empty result), alone."""
    client = client or consultant_client()
    measure_export(client, {"company": "zzzz"}, url_name=XLSX_URL_NAME)
    return {"xlsx: all rows": measure_export(client, url_name=XLSX_URL_NAME)}


def report(results: dict[str, dict[str, float]]) -> str:
    lines = []
    for name, figures in results.items():
        if "median_ms" in figures:
            verdict = "ok" if figures["median_ms"] <= figures["goal_ms"] else "OVER GOAL"
            lines.append(
                f"{name:34} median {figures['median_ms']:7.1f} ms  max {figures['max_ms']:7.1f} ms"
                f"  (goal ≤ {figures['goal_ms']:.0f} ms: {verdict})"
            )
        else:
            xlsx = name.startswith("xlsx")
            seconds, megabytes = (
                (GOAL_XLSX_SECONDS, GOAL_XLSX_MEMORY_MB)
                if xlsx
                else (GOAL_EXPORT_SECONDS, GOAL_EXPORT_MEMORY_MB)
            )
            ok = figures["seconds"] <= seconds and figures["memory_growth_mb"] <= megabytes
            # An XLSX is zipped: its line count means nothing.
            rows = "" if xlsx else f"{figures['rows']:,} rows, "
            lines.append(
                f"{name:34} {rows}{figures['megabytes']:.1f} MB in "
                f"{figures['seconds']:.2f} s, memory growth {figures['memory_growth_mb']:.1f} MB "
                f"(goal ≤ {seconds:.0f} s, ≤ {megabytes:.0f} MB: {'ok' if ok else 'OVER GOAL'})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="assessments to seed")
    parser.add_argument(
        "--only",
        choices=["csv", "xlsx", "pages"],
        help="measure only an export, or only the list's pages and searches (after seeding)",
    )
    args = parser.parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    with throwaway_database(base_url) as url:
        setup_django(url)
        started = time.perf_counter()
        seed(args.count)
        print(f"seeded {args.count:,} assessments in {time.perf_counter() - started:.1f} s")
        runs = {"csv": run_csv, "xlsx": run_xlsx, "pages": lambda: run_pages(args.count)}
        print(report(runs.get(args.only, lambda: run(args.count))()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
