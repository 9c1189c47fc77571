"""The `recommend` command of PRODUCT.md §6, run as a user runs it."""

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


@pytest.mark.parametrize(
    ("answers", "outcome", "fit", "coverage", "sensitivity"),
    [
        (
            examples.PRODUCT_OWNER,
            "product-owner",
            {"product-owner": 1.0, "product-manager": 0.0},
            {"product-owner": 1.0, "product-manager": 1.0},
            {"changes_needed": None, "outcome_after": None, "nearest": []},
        ),
        (
            examples.BOTH,
            "both",
            {"product-owner": 0.75, "product-manager": 0.75},
            {"product-owner": 1.0, "product-manager": 1.0},
            {
                "changes_needed": 1,
                "outcome_after": "product-manager",
                "nearest": [{"question": "team-count", "from": "one", "to": "none"}],
            },
        ),
        (
            examples.NEITHER,
            "neither",
            {"product-owner": 0.2143, "product-manager": 0.25},
            {"product-owner": 1.0, "product-manager": 1.0},
            {"changes_needed": None, "outcome_after": None, "nearest": []},
        ),
        (
            examples.UNDETERMINED,
            "undetermined",
            {"product-owner": 0.75, "product-manager": 0.75},
            {"product-owner": 0.1429, "product-manager": 0.1579},
            None,
        ),
    ],
    ids=["product-owner", "both", "neither", "undetermined"],
)
def test_worked_examples_through_the_command(
    default_criteria, capsys, tmp_path, answers, outcome, fit, coverage, sensitivity
):
    code, out, err = recommend(capsys, write(tmp_path, answers), "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == [
        "outcome",
        "fit",
        "coverage",
        "drivers",
        "sensitivity",
        "criteria_version",
    ]
    assert result["outcome"] == outcome
    assert result["fit"] == fit
    assert result["coverage"] == coverage
    assert result["sensitivity"] == sensitivity
    assert result["criteria_version"] == services.criteria_current().version
    assert len(result["criteria_version"]) == 64


def test_standard_report_recommends_a_product_manager(default_criteria, capsys, tmp_path):
    code, out, _ = recommend(capsys, write(tmp_path, examples.STANDARD_REPORT), "--json")
    result = json.loads(out)
    assert code == 0
    assert result["outcome"] == "product-manager"
    assert result["fit"] == {"product-owner": 0.5357, "product-manager": 0.75}
    assert result["sensitivity"]["changes_needed"] is None


def test_drivers_are_every_positive_pair_largest_first(default_criteria, capsys, tmp_path):
    _, out, _ = recommend(capsys, write(tmp_path, examples.STANDARD_REPORT), "--json")
    drivers = json.loads(out)["drivers"]
    assert all(set(d) == {"question", "role", "contribution"} for d in drivers)
    contributions = [d["contribution"] for d in drivers]
    assert contributions == sorted(contributions, reverse=True)
    assert all(c > 0 for c in contributions)
    assert {(d["question"], d["role"]) for d in drivers} == {
        (slug, "product-owner") for slug in [*examples.TEAM_AND_DELIVERY, "team-count"]
    } | {(slug, "product-manager") for slug in examples.BUSINESS_AND_GROWTH}
    pm = sum(d["contribution"] for d in drivers if d["role"] == "product-manager")
    assert pm == pytest.approx(0.75, abs=1e-3)


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
    assert "Outcome: both" in out
    assert "Product owner: fit 75%" in out
    assert "How many development teams work on the product? One team → None yet" in out


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
