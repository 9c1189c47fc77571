"""`make bench`: all of issue 7's benchmarks, into docs/benchmarks.md and docs/benchmarks.json.

    .venv/bin/python -m benchmarks.run [--sections http,scale,pdf] [--tiny] [--output-dir DIR]

Sections, each in its own Python process (Django is configured once per process, and memory
growth is measured in a fresh one), each on its own throwaway database — PostgreSQL beside
`DATABASE_URL`'s when that names one, else SQLite — which it drops at the end:

- `http` (`benchmarks.httpbench`): every page under gunicorn against `/healthz`, and queries per
  request;
- `scale` (`benchmarks.scale`): 100,000 assessments — the consultants' list, search and CSV;
- `pdf` (`benchmarks.pdf`): the standard report's PDF, warm timings and memory over 200 renders;
  the team report's PDF for 10 respondents, warm timings;
- `sensitivity` (`benchmarks.sensitivity`): the sensitivity search's worst CPU time at 16 and at
  200 questions (pure, no database).

The figures go to `DIR/benchmarks.json` (issue 7's shape) and into `DIR/benchmarks.md` between
its result markers (the rest of that file is prose kept as it is). `--tiny` runs every section
on tiny sizes in seconds, to check the code (tests use it); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import harness, httpbench

SECTIONS = ("http", "scale", "pdf", "sensitivity")
DOCS = harness.ROOT / "docs"
RESULTS_BEGIN = "<!-- bench results: begin -->"
RESULTS_END = "<!-- bench results: end -->"
ENDPOINT_TITLES = {
    "healthz": "`GET /healthz` (floor)",
    "questionnaire_get": "questionnaire `GET /assess/`",
    "submit_post": "submit `POST /assess/`",
    "result_get": "result `GET /a/<token>/`",
    "report_html": "report `GET /a/<token>/report/`",
    "report_pdf": "report PDF `GET /a/<token>/report.pdf`",
    "consultant_list": "consultant list `GET /assessments/`",
    "team_result": "team result `GET /t/<organiser-token>/result/` (10 respondents)",
}
GOAL_LIST_MS = 50.0
GOAL_SEARCH_MS = 100.0
GOAL_CSV_SECONDS = 5.0
GOAL_CSV_MB = 50.0
# Issue 15: the XLSX export (XlsxWriter, constant memory).
GOAL_XLSX_SECONDS = 30.0
GOAL_XLSX_MB = 100.0
GOAL_PDF_MEDIAN_MS = 300.0
# Issue 17: the team report's PDF, 10 respondents.
GOAL_TEAM_PDF_MEDIAN_MS = 400.0
FULL = {
    "seconds": 10.0,
    "rounds": 3,
    "connections": 4,
    "assessments": 100_000,
    "renders": 200,
    "pdf_timed": 30,
    "profiles": 2000,
}
TINY = {
    "seconds": 1.0,
    "rounds": 1,
    "connections": 2,
    "assessments": 60,
    "renders": 4,
    "pdf_timed": 3,
    "profiles": 20,
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- Sections (each in a child process) ----------------------------------------------------------


def section_http(base_url: str, sizes: dict) -> dict:
    from dataclasses import asdict

    options = httpbench.Settings(
        seconds=sizes["seconds"],
        rounds=sizes["rounds"],
        connections=sizes["connections"],
        load_generator=sizes["load_generator"],
    )
    return asdict(httpbench.run(base_url, options))


def list_queries(count: int) -> dict[str, int]:
    """Queries of the consultants' list, first and last page, and of a search, at `count` rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advisor.views import workspace
    from benchmarks import scale

    client = scale.consultant_client()
    last = -(-count // workspace.PAGE_SIZE)
    counts = {}
    for name, params in {
        "list_first_page": {},
        "list_last_page": {"page": last},
        "search": {"company": "robotics"},
    }.items():
        client.get("/assessments/", params)
        with CaptureQueriesContext(connection) as captured:
            client.get("/assessments/", params)
        counts[name] = len(captured.captured_queries)
    return counts


def section_scale(base_url: str, sizes: dict) -> dict:
    from benchmarks import scale

    count = sizes["assessments"]
    with harness.throwaway_database(base_url) as url:
        harness.setup_django(url)
        started = time.perf_counter()
        scale.seed(count)
        seed_seconds = time.perf_counter() - started
        cases = scale.run(count)
        queries = list_queries(count)
    return {
        "assessments": count,
        "seed_seconds": round(seed_seconds, 1),
        "cases": cases,
        "queries": queries,
    }


def section_pdf(base_url: str, sizes: dict) -> dict:
    from benchmarks import pdf

    with harness.throwaway_database(base_url) as url:
        harness.setup_django(url)
        return pdf.run(sizes["renders"], timed=sizes["pdf_timed"])


def section_sensitivity(base_url: str, sizes: dict) -> dict:
    from benchmarks import sensitivity

    profiles = sizes["profiles"]
    return {"sizes": sensitivity.run(profiles, max(profiles // 10, 1))}


def run_section(name: str, base_url: str, sizes: dict) -> dict:
    started, load_before = time.perf_counter(), load_average()
    sections = {
        "http": section_http,
        "scale": section_scale,
        "pdf": section_pdf,
        "sensitivity": section_sensitivity,
    }
    figures = sections[name](base_url, sizes)
    figures["load_average"] = [load_before, load_average()]
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def run_child(name: str, sizes: dict) -> dict:
    """Run one section in a new Python process; its figures come back through a JSON file."""
    with tempfile.TemporaryDirectory(prefix="rolefit-bench-") as directory:
        out = Path(directory) / f"{name}.json"
        command = [sys.executable, "-m", "benchmarks.run", "--section", name, "--json", str(out)]
        command += ["--sizes", json.dumps(sizes)]
        subprocess.run(command, cwd=harness.ROOT, check=True)
        return json.loads(out.read_text())


# --- Figures, goals, documents --------------------------------------------------------------------


def _median_of(cases: dict, prefix: str) -> list[float]:
    return [figures["median_ms"] for name, figures in cases.items() if name.startswith(prefix)]


def figures_json(results: dict, *, machine: str, date: str, database: str) -> dict:
    """The figures in issue 7's shape (a section that did not run is null)."""
    http, scale, pdf = results.get("http"), results.get("scale"), results.get("pdf")
    endpoints = None
    if http:
        keys = ("rps", "ratio", "p50_ms", "p99_ms", "queries")
        endpoints = {
            name: {key: http["endpoints"][name][key] for key in keys}
            for name in httpbench.ENDPOINTS
        }
    scale_figures = None
    if scale:
        cases = scale["cases"]
        csv = cases["csv: all rows"]
        scale_figures = {
            "assessments": scale["assessments"],
            "list_first_page_ms": round(cases["list: first page (newest)"]["median_ms"], 1),
            "list_last_page_ms": round(cases["list: last page"]["median_ms"], 1),
            # The slowest of the searches measured (narrow, broad, broad last page, no match).
            "search_ms": round(max(_median_of(cases, "search")), 1),
            "csv_seconds": round(csv["seconds"], 2),
            "csv_peak_rss_growth_mb": round(csv["memory_growth_mb"], 1),
            "xlsx_seconds": round(cases["xlsx: all rows"]["seconds"], 2),
            "xlsx_peak_rss_growth_mb": round(cases["xlsx: all rows"]["memory_growth_mb"], 1),
        }
    pdf_figures = None
    if pdf:
        pdf_figures = {
            "warm_median_ms": round(pdf["median_ms"], 1),
            "p95_ms": round(pdf["p95_ms"], 1),
            "rss_growth_200_renders_mb": round(pdf["growth_mb"], 1),
            "team_report_warm_median_ms": round(pdf["team"]["median_ms"], 1),
        }
    sensitivity = results.get("sensitivity")
    return {
        "endpoints": endpoints,
        "scale": scale_figures,
        "pdf": pdf_figures,
        "sensitivity": None
        if not sensitivity
        else {f"worst_ms_{row['questions']}": row["worst_ms"] for row in sensitivity["sizes"]},
        "machine": machine,
        "date": date,
        "database": database,
    }


def goals(results: dict) -> list[tuple[str, str, bool]]:
    """(goal, what was measured, met) for every goal whose section ran."""
    rows = []
    http, scale, pdf = results.get("http"), results.get("scale"), results.get("pdf")
    if http:
        for name, goal in httpbench.GOAL_RATIOS.items():
            ratio = http["endpoints"][name]["ratio"]
            rows.append(
                (
                    f"{ENDPOINT_TITLES[name]} ≥ {goal:.0%} of the floor's throughput",
                    f"{ratio:.1%}",
                    ratio >= goal,
                )
            )
    if pdf:
        rows.append(
            (
                f"PDF warm median ≤ {GOAL_PDF_MEDIAN_MS:.0f} ms",
                f"{pdf['median_ms']:.0f} ms",
                pdf["median_ms"] <= GOAL_PDF_MEDIAN_MS,
            )
        )
        team = pdf["team"]
        rows.append(
            (
                f"team report PDF warm median ≤ {GOAL_TEAM_PDF_MEDIAN_MS:.0f} ms"
                f" ({team['respondents']} respondents)",
                f"{team['median_ms']:.0f} ms",
                team["median_ms"] <= GOAL_TEAM_PDF_MEDIAN_MS,
            )
        )
    for row in (results.get("sensitivity") or {}).get("sizes", []):
        rows.append(
            (
                f"sensitivity worst case ≤ {row['goal_ms']:g} ms CPU"
                f" at {row['questions']} questions",
                f"{row['worst_ms']:.2f} ms over {row['profiles']:,} profiles",
                row["worst_ms"] <= row["goal_ms"],
            )
        )
    if scale:
        cases, count = scale["cases"], scale["assessments"]
        slowest_list = max(_median_of(cases, "list"))
        slowest_search = max(_median_of(cases, "search"))
        csv = cases["csv: all rows"]
        rows += [
            (
                f"list ≤ {GOAL_LIST_MS:.0f} ms on any page at {count:,} assessments",
                f"slowest page {slowest_list:.1f} ms",
                slowest_list <= GOAL_LIST_MS,
            ),
            (
                f"search ≤ {GOAL_SEARCH_MS:.0f} ms at {count:,} assessments",
                f"slowest search {slowest_search:.1f} ms",
                slowest_search <= GOAL_SEARCH_MS,
            ),
            (
                f"CSV of {count:,} rows ≤ {GOAL_CSV_SECONDS:.0f} s",
                f"{csv['seconds']:.2f} s",
                csv["seconds"] <= GOAL_CSV_SECONDS,
            ),
            (
                f"CSV memory growth ≤ {GOAL_CSV_MB:.0f} MB",
                f"{csv['memory_growth_mb']:.1f} MB",
                csv["memory_growth_mb"] <= GOAL_CSV_MB,
            ),
            (
                f"XLSX of {count:,} rows ≤ {GOAL_XLSX_SECONDS:.0f} s",
                f"{cases['xlsx: all rows']['seconds']:.2f} s",
                cases["xlsx: all rows"]["seconds"] <= GOAL_XLSX_SECONDS,
            ),
            (
                f"XLSX memory growth ≤ {GOAL_XLSX_MB:.0f} MB",
                f"{cases['xlsx: all rows']['memory_growth_mb']:.1f} MB",
                cases["xlsx: all rows"]["memory_growth_mb"] <= GOAL_XLSX_MB,
            ),
        ]
    if http:
        before = http["endpoints"]
        after = http["queries_after_load"]
        changed = [name for name in after if before[name]["queries"] != after[name]]
        measured = (
            f"{http['assessments_before_load']:,} → {http['assessments_after_load']:,}"
            " assessments: "
            + ("no count changed" if not changed else "changed: " + ", ".join(changed))
        )
        if scale:
            at_scale = sorted(set(scale["queries"].values()))
            list_queries_small = before["consultant_list"]["queries"]
            measured += (
                f"; list and search at {scale['assessments']:,}: "
                + "/".join(map(str, at_scale))
                + f" (list with {http['assessments_before_load']}: {list_queries_small})"
            )
            changed += [] if at_scale == [list_queries_small] else ["list at scale"]
        rows.append(("queries per request constant as data grows", measured, not changed))
    return rows


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def markdown(results: dict, figures: dict, meta: dict) -> str:
    """The results block of docs/benchmarks.md."""
    lines = [
        f"Run of `{meta['command']}` on {meta['when']} ({meta['minutes']:.0f} min).",
        "",
        f"- Machine: {figures['machine']}",
        f"- Database: {figures['database']}",
        f"- Load average (1 min) at the start: {meta['load_start']}, at the end:"
        f" {meta['load_end']}",
    ]
    http = results.get("http")
    if http:
        settings = http["settings"]
        lines += [
            f"- Load: {http['load_generator']}, {settings['connections']} connections,"
            f" {settings['rounds']} rounds × {settings['seconds']:g} s per endpoint (medians of"
            " the rounds); gunicorn, 2 sync workers, `DJANGO_DEBUG=0`, plain HTTP on 127.0.0.1",
            "",
            "| endpoint | req/s | ratio to `/healthz` | p50 ms | p99 ms | queries | goal |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, row in http["endpoints"].items():
            goal = httpbench.GOAL_RATIOS.get(name)
            verdict = ""
            if goal is not None:
                verdict = f"≥ {goal:.0%}: " + ("met" if row["ratio"] >= goal else "**missed**")
            lines.append(
                f"| {ENDPOINT_TITLES[name]} | {row['rps']:,.1f} | {row['ratio']:.1%} "
                f"| {_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} | {row['queries']} | {verdict} |"
            )
        unexpected = {k: v["unexpected"] for k, v in http["endpoints"].items() if v["unexpected"]}
        lines += [
            "",
            "Responses with another status than expected (or no response): "
            + (", ".join(f"{k} {v}" for k, v in unexpected.items()) if unexpected else "none")
            + f". Queries are counted in-process on the same database with "
            f"{http['assessments_before_load']} assessments, and again after the load with "
            f"{http['assessments_after_load']:,}: "
            + ", ".join(f"{k} {v}" for k, v in http["queries_after_load"].items())
            + ".",
        ]
    scale = results.get("scale")
    if scale:
        lines += [
            "",
            f"Scale: {scale['assessments']:,} assessments seeded in {scale['seed_seconds']:.0f} s;"
            " medians of 15 requests through the full Django stack as a logged-in consultant:",
            "",
            "| measurement | median ms | max ms | goal |",
            "|---|---:|---:|---|",
        ]
        for name, case in scale["cases"].items():
            if "median_ms" not in case:
                continue
            met = case["median_ms"] <= case["goal_ms"]
            lines.append(
                f"| {name} | {_ms(case['median_ms'])} | {_ms(case['max_ms'])} "
                f"| ≤ {case['goal_ms']:.0f}: {'met' if met else '**missed**'} |"
            )
        csv = scale["cases"]["csv: all rows"]
        xlsx = scale["cases"]["xlsx: all rows"]
        lines += [
            "",
            f"CSV export of all {csv['rows']:,} rows ({csv['megabytes']:.1f} MB): "
            f"{csv['seconds']:.2f} s, peak resident memory growth {csv['memory_growth_mb']:.1f} MB"
            f" (goals ≤ {GOAL_CSV_SECONDS:.0f} s, ≤ {GOAL_CSV_MB:.0f} MB).",
            "",
            f"XLSX export of the same rows ({xlsx['megabytes']:.1f} MB): "
            f"{xlsx['seconds']:.2f} s, peak resident memory growth "
            f"{xlsx['memory_growth_mb']:.1f} MB"
            f" (goals ≤ {GOAL_XLSX_SECONDS:.0f} s, ≤ {GOAL_XLSX_MB:.0f} MB).",
        ]
    sensitivity = results.get("sensitivity")
    if sensitivity:
        lines += ["", "Sensitivity search (docs/scoring.md), CPU time of the slowest profile:", ""]
        lines += [
            f"- {row['questions']} questions: worst {row['worst_ms']:.2f} ms, mean"
            f" {row['mean_ms']:.2f} ms over {row['profiles']:,} profiles near the line"
            f" (goal ≤ {row['goal_ms']:g} ms)"
            for row in sensitivity["sizes"]
        ]
    pdf = results.get("pdf")
    if pdf:
        lines += [
            "",
            f"PDF (standard report, {pdf['pages']} A4 pages, {pdf['bytes'] / 1000:.0f} kB, in one "
            f"process): first of the process {pdf['first_ms']:.0f} ms (WeasyPrint's import "
            f"included); warm median {pdf['median_ms']:.0f} ms, p95 {pdf['p95_ms']:.0f} ms"
            + (f", CPU median {pdf['cpu_median_ms']:.0f} ms" if "cpu_median_ms" in pdf else "")
            + f"; {pdf['rss_mb']:.0f} MB resident after warm-up, growth over "
            f"{pdf['renders']} renders {pdf['growth_mb']:+.1f} MB.",
            "",
            f"Team report PDF ({pdf['team']['respondents']} respondents, {pdf['team']['pages']} A4"
            f" pages, {pdf['team']['bytes'] / 1000:.0f} kB, its team result already computed):"
            f" warm median {pdf['team']['median_ms']:.0f} ms, p95 {pdf['team']['p95_ms']:.0f} ms,"
            f" CPU median {pdf['team']['cpu_median_ms']:.0f} ms.",
        ]
    rows = goals(results)
    if rows:
        lines += ["", "| goal | measured | |", "|---|---|---|"]
        lines += [
            f"| {goal} | {measured} | {'met' if met else '**missed**'} |"
            for goal, measured, met in rows
        ]
    return "\n".join(lines)


DEFAULT_DOC = f"""# Benchmarks

`make bench` (`benchmarks/run.py`) writes the figures below and `benchmarks.json`.

{RESULTS_BEGIN}
{RESULTS_END}
"""


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else DEFAULT_DOC
    if RESULTS_BEGIN not in text or RESULTS_END not in text:
        text = text.rstrip("\n") + "\n\n" + RESULTS_BEGIN + "\n" + RESULTS_END + "\n"
    begin, end = text.index(RESULTS_BEGIN), text.index(RESULTS_END)
    path.write_text(
        text[: begin + len(RESULTS_BEGIN)] + "\n" + block + "\n" + text[end:], encoding="utf-8"
    )


# --- Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: checks the code only")
    parser.add_argument("--seconds", type=float, help="per endpoint per round (http)")
    parser.add_argument("--rounds", type=int, help="rounds over the endpoints (http)")
    parser.add_argument("--connections", type=int, help="concurrent connections (http)")
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--assessments", type=int, help="assessments to seed (scale)")
    parser.add_argument("--renders", type=int, help="PDF renders in one process (pdf)")
    parser.add_argument("--output-dir", type=Path, default=DOCS)
    # Internal: one section in this process.
    parser.add_argument("--section", choices=SECTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")

    if args.section:
        figures = run_section(args.section, base_url, json.loads(args.sizes))
        args.json.write_text(json.dumps(figures, indent=2))
        return 0

    sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sizes = dict(TINY if args.tiny else FULL, load_generator=args.load_generator)
    for key in ("seconds", "rounds", "connections", "assessments", "renders"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)

    started, load_start = time.perf_counter(), load_average()
    database = harness.database_name(base_url)
    log(f"{database}; load average {load_start} on {os.cpu_count()} CPUs")
    results = {}
    for name in sections:
        log(f"section {name} …")
        results[name] = run_child(name, sizes)
        log(f"section {name} done in {results[name]['seconds']:.0f} s")

    when = time.gmtime()
    figures = figures_json(
        results,
        machine=harness.machine(),
        date=time.strftime("%Y-%m-%d", when),
        database=database,
    )
    meta = {
        "command": "make bench" if not args.tiny else "benchmarks.run --tiny",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", when),
        "minutes": (time.perf_counter() - started) / 60,
        "load_start": load_start,
        "load_end": load_average(),
    }
    block = markdown(results, figures, meta)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "benchmarks.json").write_text(json.dumps(figures, indent=2) + "\n")
    write_markdown(args.output_dir / "benchmarks.md", block)
    print(block)
    missed = [goal for goal, _measured, met in goals(results) if not met]
    log(f"goals missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
