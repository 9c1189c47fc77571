"""Where the CPU time of one consultants' list request goes (issue 20), in this process.

    DATABASE_URL=postgres://… python -m benchmarks.workspace_list [--profile] [--rows 25]

A throwaway database (PostgreSQL when DATABASE_URL says so, else SQLite) with `--rows`
assessments and a consultant's session; the list (`GET /assessments/`, a full page when there are
25 rows or more) and `/healthz` through Django's test client with debug off. CPU time
(`time.process_time`, so other load on the machine does not inflate it): the median of 7 rounds
of 200 requests each, then the parts of the list view timed alone, the queries per request, and
with `--profile` cProfile's top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import os
import pstats
import statistics
import time
from collections.abc import Callable

from benchmarks import harness

ROUNDS = 7
CALLS = 200


def cpu_ms(call: Callable[[], object], *, rounds: int = ROUNDS, calls: int = CALLS) -> float:
    """Median CPU milliseconds per call over `rounds` rounds of `calls` calls."""
    call()
    per_call = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            call()
        per_call.append((time.process_time() - start) / calls * 1000)
    return statistics.median(per_call)


def seed(rows: int) -> None:
    from django.core.management import call_command

    from advisor import models, services
    from tests import examples

    call_command("migrate", verbosity=0, interactive=False)
    services.criteria_load()
    answers = [examples.PRODUCT_OWNER, examples.BOTH, examples.NEITHER, examples.UNDETERMINED]
    first = [
        services.assessment_create(company=f"Seed {n}", answers=a) for n, a in enumerate(answers)
    ]
    template = {
        f.attname: getattr(first[0], f.attname)
        for f in models.Assessment._meta.concrete_fields
        if f.attname not in ("id", "token")
    }
    models.Assessment.objects.bulk_create(
        models.Assessment(**{**template, "company": f"Company {n}"})
        for n in range(max(rows - len(first), 0))
    )


def parts(request) -> dict[str, float]:
    """The list view's parts, each timed alone (CPU ms), for a request without filters."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    from advisor import forms, selectors
    from advisor.views import workspace

    filters = forms.WorkspaceFilterForm({}).filters()
    total = sum(selectors.assessment_outcome_counts(filters=filters).values())

    def page():
        pages = selectors.AssessmentPages(filters=filters, count=total)
        return Paginator(pages, workspace.PAGE_SIZE).get_page(None)

    view = inspect.unwrap(workspace.workspace_list)  # without login and permission checks
    captured = {}
    render = workspace.render
    workspace.render = lambda request, name, context: captured.update(context)
    view(request)
    workspace.render = render
    out = {
        "the form: construct and validate": cpu_ms(lambda: forms.WorkspaceFilterForm({}).filters()),
        "counts per outcome (query)": cpu_ms(
            lambda: selectors.assessment_outcome_counts(filters=filters)
        ),
        "the page's rows (query)": cpu_ms(lambda: list(page().object_list)),
        "the view without its decorators": cpu_ms(lambda: view(request)),
        "render the template alone": cpu_ms(
            lambda: render_to_string("advisor/workspace_list.html", captured, request=request)
        ),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=25)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--parts", action="store_true")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    with harness.throwaway_database(base) as url:
        harness.setup_django(url)
        from django.db import connection
        from django.test import Client, RequestFactory
        from django.test.utils import CaptureQueriesContext

        from benchmarks import scale

        seed(args.rows)
        consultant, anonymous = scale.consultant_client(), Client()

        def list_page():
            response = consultant.get("/assessments/")
            assert response.status_code == 200, response.status_code

        def healthz():
            anonymous.get("/healthz")

        list_page()
        with CaptureQueriesContext(connection) as captured:
            list_page()
        print(f"{harness.database_name(url)}, {args.rows} assessments")
        print(f"queries per list request: {len(captured.captured_queries)}")
        for query in captured.captured_queries:
            print("   ", query["sql"][:150])
        floor = cpu_ms(healthz)
        listed = cpu_ms(list_page)
        print(f"/healthz       {floor:.3f} ms CPU")
        print(f"/assessments/  {listed:.3f} ms CPU  ({floor / listed:.1%} of /healthz's rate)")
        if args.parts:
            from django.contrib.auth.models import User

            request = RequestFactory().get("/assessments/")
            request.user = User.objects.get(username="bench-consultant")
            for name, ms in parts(request).items():
                print(f"  {name:36} {ms:.3f} ms CPU")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(CALLS):
                list_page()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
