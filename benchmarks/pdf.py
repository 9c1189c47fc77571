"""PDF report speed and memory (issue 5): docs/product.md §7's standard report with a 100-word note
and a brand with a logo (issue 13: the logo is embedded as a data: URL); and the team report of a
10-respondent team (issue 17, docs/product.md §8).

Runs in this process on a temporary SQLite database (the PDF reads one row; the database kind does
not matter) and measures `GET /a/<token>/report.pdf` through the full Django stack:

- the first PDF of a process (WeasyPrint's import and stylesheet parsing included)
- warm renders: median and p95 (goal: median ≤ 300 ms)
- resident memory growth over 200 warm renders (a leak shows as steady growth)
- the team report, `GET /t/<organiser-token>/report.pdf`, warm: median and p95 (goal: median
  ≤ 400 ms), its team result already computed, as after the team's last change

Usage: `.venv/bin/python -m benchmarks.pdf [--renders 200]`. Reusable pieces: `setup_django`,
`prepare`, `prepare_team`, `render_times`, `memory_growth`, `run`, `run_team`.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import harness

ROOT = Path(__file__).resolve().parent.parent
GOAL_MEDIAN_MS = 300.0
STANDARD_NOTE_WORDS = 100
GOAL_TEAM_MEDIAN_MS = 400.0
TEAM_RESPONDENTS = 10


def setup_django(database_path: Path) -> None:
    harness.setup_django(f"sqlite:///{database_path}")


def prepare() -> str:
    """Migrate, load the default criteria, save the standard report; return its PDF's path."""
    from django.core.management import call_command
    from django.urls import reverse

    from advisor import branding, models, services
    from tests import examples

    call_command("migrate", verbosity=0, interactive=False)
    services.criteria_load()
    brand = models.Branding(
        organisation_name="Northwind Advisory", contact_line="hello@example.com"
    )
    branding.branding_logo_set(branding=brand, data=_logo())
    brand.save()
    assessment = services.assessment_create(
        company="Acme Robotics", respondent_name="Rita Respondent", answers=examples.STANDARD_REPORT
    )
    words = ("We recommend hiring a product manager first and revisiting later. " * 10).split()
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=" ".join(words[:STANDARD_NOTE_WORDS]),
        prepared_for="Ann Client, CEO",
        prepared_by="Carl Consultant",
    )
    return reverse("advisor:report_pdf", kwargs={"token": assessment.token})


def prepare_team(respondents: int = TEAM_RESPONDENTS) -> str:
    """A named team of `respondents` colleagues (tests/examples.TEAM_OF_TEN, in turn); return its
    team report PDF's path. Run after `prepare` (the criteria and the brand)."""
    from django.urls import reverse

    from advisor.services import team as team_services
    from tests import examples

    team = team_services.team_create(
        company="Acme Robotics",
        organiser_name="Ann Lee",
        organiser_email="ann@example.com",
        anonymous=False,
    )
    for number in range(respondents):
        team_services.team_join(
            team_id=team.pk,
            answers=examples.TEAM_OF_TEN[number % len(examples.TEAM_OF_TEN)],
            respondent_name=f"Colleague {number + 1}",
            respondent_title="Head of something",
        )
    return reverse("advisor:team_report_pdf", kwargs={"token": team.organiser_token})


def _logo() -> bytes:
    """A 600 × 200 PNG logo with some detail (a flat colour would compress to nothing)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, 600, 6):
        draw.line([(x, 0), (600 - x, 200)], fill=(x % 256, 80, 160), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _forget_rendered() -> None:
    """Empty the shared cache, so the next report PDF is rendered afresh (advisor/rendercache.py
    keeps it once rendered): these figures are the rendering's; repeat downloads, served from the
    cache, are httpbench's `report_pdf`), and this process's recent pages in front of it."""
    from django.core.cache import caches

    for alias in ("default", "recent"):
        caches[alias].clear()


def _get(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content


def render_times(
    client, path: str, rounds: int, *, fresh: bool = False
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request (CPU time shows the cost on a busy machine);
    `fresh`: each one rendered afresh, not served from the shared cache."""
    wall, cpu = [], []
    for _ in range(rounds):
        if fresh:
            _forget_rendered()
        start, start_cpu = time.perf_counter(), time.process_time()
        _get(client, path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def _rss_mb() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def memory_growth(client, path: str, renders: int) -> tuple[float, float]:
    """Resident memory (MB) after the first tenth of `renders` and growth over the rest."""
    warmup = max(1, renders // 10)
    for _ in range(warmup):
        _forget_rendered()
        _get(client, path)
    gc.collect()
    start = _rss_mb()
    for _ in range(renders - warmup):
        _forget_rendered()
        _get(client, path)
    gc.collect()
    return start, _rss_mb() - start


def run(renders: int = 200, *, timed: int = 30) -> dict[str, float]:
    """The figures: `timed` warm renders timed one by one, then memory over `renders`."""
    import io

    import pypdf
    from django.test import Client

    client = Client()
    path = prepare()
    start = time.perf_counter()
    pdf = _get(client, path)
    first_ms = (time.perf_counter() - start) * 1000
    times, cpu_times = render_times(client, path, timed, fresh=True)
    rss, growth = memory_growth(client, path, renders)
    return {
        "pages": len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "first_ms": first_ms,
        "median_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20)[-1],
        "cpu_median_ms": statistics.median(cpu_times),
        "renders": renders,
        "rss_mb": rss,
        "growth_mb": growth,
        "team": run_team(timed=timed),
    }


def run_team(*, timed: int = 30) -> dict[str, float]:
    """The team report's PDF, `timed` warm renders timed one by one (after `prepare`)."""
    import io

    import pypdf
    from django.test import Client

    client = Client()
    path = prepare_team()
    pdf = _get(client, path)  # computes and caches the team result, as its last change would
    times, cpu_times = render_times(client, path, timed)
    return {
        "respondents": TEAM_RESPONDENTS,
        "pages": len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "median_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20)[-1],
        "cpu_median_ms": statistics.median(cpu_times),
    }


def report(figures: dict[str, float]) -> str:
    verdict = "ok" if figures["median_ms"] <= GOAL_MEDIAN_MS else "OVER GOAL"
    return "\n".join(
        [
            f"standard report: {figures['pages']} A4 pages, {figures['bytes'] / 1000:.0f} kB",
            f"first PDF of the process: {figures['first_ms']:.0f} ms (WeasyPrint import included)",
            f"warm: median {figures['median_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms "
            f"(goal median ≤ {GOAL_MEDIAN_MS:.0f} ms: {verdict}); CPU median "
            f"{figures['cpu_median_ms']:.0f} ms",
            f"memory over {figures['renders']} renders: {figures['rss_mb']:.0f} MB resident after "
            f"warm-up, growth {figures['growth_mb']:+.1f} MB",
            team_report(figures["team"]),
        ]
    )


def team_report(team: dict[str, float]) -> str:
    verdict = "ok" if team["median_ms"] <= GOAL_TEAM_MEDIAN_MS else "OVER GOAL"
    return (
        f"team report ({team['respondents']} respondents): {team['pages']} A4 pages, "
        f"{team['bytes'] / 1000:.0f} kB; warm median {team['median_ms']:.0f} ms, p95 "
        f"{team['p95_ms']:.0f} ms (goal median ≤ {GOAL_TEAM_MEDIAN_MS:.0f} ms: {verdict}); CPU "
        f"median {team['cpu_median_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        print(report(run(args.renders)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
