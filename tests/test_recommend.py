"""The `recommend` command of docs/product.md §6, run as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor import models, services
from tests import examples

ROOT = Path(__file__).resolve().parent.parent


def recommend(capsys, answers, *extra, stdin=None, monkeypatch=None):
    """Run the command in-process; return (exit code, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", stdin)
    code = 0
    try:
        call_command("recommend", "--answers", answers, *extra)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, data, name="answers.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


MORE_THAN_THREE = {"changes_needed": None, "outcome_after": None, "nearest": []}
FULL_COVERAGE = {"product-owner": 1.0, "product-manager": 1.0}


def needs(po, pm):
    return {"product-owner": po, "product-manager": pm}


# The six worked examples of docs/scoring.md, with its exact figures.
@pytest.mark.parametrize(
    ("answers", "outcome", "lead", "need", "coverage", "sensitivity"),
    [
        (
            examples.PRODUCT_OWNER,
            "product-owner",
            None,
            needs(1.0, 0.0),
            FULL_COVERAGE,
            MORE_THAN_THREE,
        ),
        (
            examples.BOTH,
            "both",
            "product-manager",
            needs(0.75, 0.75),
            FULL_COVERAGE,
            {
                "changes_needed": 2,
                "outcome_after": "product-manager",
                "nearest": [
                    {"question": "roadmap-drift", "from": "agree", "to": "neutral"},
                    {"question": "team-count", "from": "one", "to": "none"},
                ],
            },
        ),
        (
            examples.NEITHER,
            "neither",
            None,
            needs(0.2333, 0.25),
            FULL_COVERAGE,
            MORE_THAN_THREE,
        ),
        (
            examples.UNDETERMINED,
            "undetermined",
            None,
            needs(0.75, 0.75),
            {"product-owner": 0.1429, "product-manager": 0.1579},
            None,
        ),
        (
            examples.STANDARD_REPORT,
            "product-manager",
            None,
            needs(0.5375, 0.75),
            FULL_COVERAGE,
            {
                "changes_needed": 2,
                "outcome_after": "both",
                "nearest": [
                    {"question": "backlog-unclear", "from": "neutral", "to": "agree"},
                    {"question": "stakeholders-lost", "from": "neutral", "to": "agree"},
                ],
            },
        ),
        (
            examples.TIE,
            "neither",
            None,
            needs(0.5833, 0.5694),
            FULL_COVERAGE,
            {
                "changes_needed": 1,
                "outcome_after": "product-owner",
                "nearest": [{"question": "stakeholders-lost", "from": "neutral", "to": "agree"}],
            },
        ),
    ],
    ids=["product-owner", "both", "neither", "undetermined", "standard-report", "tie"],
)
def test_worked_examples_through_the_command(
    default_criteria, capsys, tmp_path, answers, outcome, lead, need, coverage, sensitivity
):
    code, out, err = recommend(capsys, write(tmp_path, answers), "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == [
        "outcome",
        "lead",
        "need",
        "coverage",
        "responsibilities",
        "drivers",
        "sensitivity",
        "summary",
        "model",
        "criteria_version",
    ]
    assert result["outcome"] == outcome
    assert result["lead"] == lead
    assert result["need"] == need
    assert result["coverage"] == coverage
    assert result["sensitivity"] == sensitivity
    assert result["model"] == "needs"
    assert isinstance(result["summary"], str) and result["summary"]
    assert result["criteria_version"] == services.criteria_current().version
    assert len(result["criteria_version"]) == 64


def test_the_standard_reports_needs_profile(default_criteria, capsys, tmp_path):
    _, out, _ = recommend(capsys, write(tmp_path, examples.STANDARD_REPORT), "--json")
    profile = [
        (r["slug"], r["role"], r["need"], r["focus"]) for r in json.loads(out)["responsibilities"]
    ]
    po, pm = "product-owner", "product-manager"
    # Equal needs keep criteria order in the ranking: the first three PM responsibilities focus.
    assert profile == [
        ("backlog", po, 0.55, True),
        ("product-goal", po, 0.5625, True),
        ("stakeholders", po, 0.5, True),
        ("roadmap-alignment", po, 0.5, False),
        ("strategy", pm, 0.75, True),
        ("tech-roadmap", pm, 0.75, True),
        ("go-to-market", pm, 0.75, True),
        ("margins", pm, 0.75, False),
        ("customers-csuite", pm, 0.75, False),
    ]


def test_unanswered_responsibilities_have_no_need(default_criteria, capsys, tmp_path):
    _, out, _ = recommend(capsys, write(tmp_path, examples.UNDETERMINED), "--json")
    profile = {r["slug"]: (r["need"], r["focus"]) for r in json.loads(out)["responsibilities"]}
    assert profile["backlog"] == (0.75, True)
    assert profile["strategy"] == (0.75, True)
    assert profile["stakeholders"] == (None, False)
    assert profile["margins"] == (None, False)


CALIBRATION = json.loads((ROOT / "tests" / "data" / "advice-calibration.json").read_text("utf-8"))


@pytest.mark.parametrize(
    "profile", CALIBRATION["profiles"], ids=[p["name"] for p in CALIBRATION["profiles"]]
)
def test_every_calibration_profile_gets_an_accepted_outcome(
    default_criteria, capsys, tmp_path, profile
):
    """Realistic company profiles and the outcomes an expert accepts (docs/scoring.md)."""
    code, out, err = recommend(capsys, write(tmp_path, profile["answers"]), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["outcome"] in profile["accept"]


def test_the_calibration_file_holds_the_profiles():
    assert len(CALIBRATION["profiles"]) == 15
    assert all(p["accept"] and p["answers"] for p in CALIBRATION["profiles"])


def test_drivers_are_every_positive_pair_largest_first(default_criteria, capsys, tmp_path):
    _, out, _ = recommend(capsys, write(tmp_path, examples.STANDARD_REPORT), "--json")
    drivers = json.loads(out)["drivers"]
    assert all(set(d) == {"question", "role", "contribution"} for d in drivers)
    contributions = [d["contribution"] for d in drivers]
    assert contributions == sorted(contributions, reverse=True)
    assert all(c > 0 for c in contributions)
    # Questions that feed only responsibilities outside the focus (roadmap alignment, margins,
    # customers and C-suite) contribute nothing.
    outside_focus = {"roadmap-drift", "margins-costs", "customer-insight", "exec-engagement"}
    assert {(d["question"], d["role"]) for d in drivers} == {
        (slug, "product-owner")
        for slug in [*examples.TEAM_AND_DELIVERY, "team-count"]
        if slug not in outside_focus
    } | {(slug, "product-manager") for slug in examples.BUSINESS_AND_GROWTH} - {
        (slug, "product-manager") for slug in outside_focus
    }
    assert drivers[:3] == [
        {"question": "rd-roadmap", "role": "product-manager", "contribution": 0.25},
        {"question": "stakeholders-lost", "role": "product-owner", "contribution": 0.1667},
        {"question": "new-business", "role": "product-manager", "contribution": 0.1667},
    ]
    # A role's contributions add up to its need.
    pm = sum(d["contribution"] for d in drivers if d["role"] == "product-manager")
    po = sum(d["contribution"] for d in drivers if d["role"] == "product-owner")
    assert (pm, po) == (pytest.approx(0.75, abs=1e-3), pytest.approx(0.5375, abs=1e-3))


def test_reads_answers_from_stdin(default_criteria, capsys, monkeypatch):
    import io

    code, out, _ = recommend(
        capsys, "-", "--json", stdin=io.StringIO(json.dumps(examples.BOTH)), monkeypatch=monkeypatch
    )
    assert code == 0
    assert json.loads(out)["outcome"] == "both"


def test_readable_summary_without_json(default_criteria, capsys, tmp_path):
    code, out, _ = recommend(capsys, write(tmp_path, examples.BOTH))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Verdict: Hire both roles, a product manager first"
    assert lines[2]  # the summary
    assert "  Product owner: 75%" in lines
    assert "  Product manager: 75%" in lines
    assert "   *          75%  Managing the product backlog" in lines  # in the focus
    assert "              75%  Ensuring alignment with the product roadmap" in lines
    assert (
        "It would take two answers changing — “Delivery keeps drifting away from the agreed "
        "product roadmap” from Agree to Neutral and “How many development teams work on the "
        "product?” from One team to None yet — to give Product manager."
    ) in lines
    assert "fit" not in out.lower().replace("rolefit", "")


def test_readable_summary_marks_unanswered_responsibilities(default_criteria, capsys, tmp_path):
    code, out, _ = recommend(capsys, write(tmp_path, examples.UNDETERMINED))
    assert code == 0
    assert out.startswith("Verdict: Not enough answers to advise")
    assert "not answered  Representing stakeholders" in out


def test_nothing_is_saved(default_criteria, capsys, tmp_path):
    recommend(capsys, write(tmp_path, examples.BOTH), "--json")
    assert not models.Assessment.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"no-such-question": "agree"}', "no-such-question"),
        ('{"agile-team": "maybe"}', "maybe"),
        ('{"agile-team": 3}', "agile-team"),
        ('{"framework-scrum": "agree"}', "framework-scrum"),
    ],
    ids=["not-json", "not-object", "unknown-slug", "unknown-key", "non-string", "inactive-slug"],
)
def test_bad_input_exits_2_with_one_line(default_criteria, capsys, tmp_path, content, message):
    code, out, err = recommend(capsys, write(tmp_path, content), "--json")
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_exits_2(default_criteria, capsys, tmp_path):
    code, _, err = recommend(capsys, str(tmp_path / "missing.json"))
    assert code == 2
    assert "cannot read" in err


def test_criteria_that_cannot_score_exit_1(default_criteria, capsys, tmp_path):
    models.Question.objects.filter(section="Business & growth").update(active=False)
    services.criteria_touch()
    code, out, err = recommend(capsys, write(tmp_path, {}), "--json")
    assert code == 1
    assert out == ""
    assert "cannot score" in err
    assert "Product manager" in err


@pytest.mark.django_db
def test_empty_database_exits_1(capsys, tmp_path):
    code, _, err = recommend(capsys, write(tmp_path, {}))
    assert code == 1
    assert "no active questions" in err


def test_a_real_process_prints_no_traceback(tmp_path):
    """Run as a user would: a separate process, on a database that has no tables yet."""
    answers = write(tmp_path, '{"agile-team": "maybe"}')
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", "recommend", "--answers", answers],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode in (1, 2)
