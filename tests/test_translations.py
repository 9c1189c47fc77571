"""Translation works end to end: `makemessages` (what `make messages` runs) finds the strings of the
pages, forms, errors and plain-language summary, and a page renders through a compiled catalogue.

Needs GNU gettext (xgettext, msgfmt; Debian's `gettext`, which .ci/run installs).
"""

import contextlib
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils.functional import Promise

from advisor import admin, forms, mail, presentation, services
from advisor.views import links, workspace
from advisor.views import public as views

REPO = Path(__file__).resolve().parent.parent
# A language RoleFit does not ship, so the only catalogue is the one this test writes.
LOCALE = "eo"

PAGE_STRINGS = [
    "Start the assessment",  # templates/advisor/home.html
    "Consultant notes",  # the workspace's notes form
    "Your name (optional)",  # the questionnaire form
    # The team report (templates/advisor/report/header.html, team_report_body.html).
    "Team hiring recommendation: product owner or product manager",
    "The team report fills in once the first person has answered through the invitation link.",
]
SUMMARY_STRINGS = [
    "Hire the %(first)s first; the %(second)s can follow.",
    "A %(role)s is not needed yet: your answers call less for %(focus)s.",
    "Too few questions about the work of the %(roles)s were answered to advise.",
]


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def _msgids(po: str) -> set[str]:
    return {_unescaped(m) for m in re.findall(r'^msgid "(.*)"$', po, re.M)} - {""}


# Sentence-like constants that are markup, not text for a reader.
NOT_MESSAGES = {"advisor.forms.CSRF_SLOT"}


def _message_constants(*modules) -> dict[str, str]:
    """Every upper-case module constant that is a sentence: the modules' messages."""
    found = {}
    for module in modules:
        for name, value in vars(module).items():
            qualified = f"{module.__name__}.{name}"
            if qualified in NOT_MESSAGES or not name.isupper():
                continue
            if isinstance(value, str | Promise) and " " in str(value):
                found[qualified] = str(value)
    return found


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The .po file makemessages writes for LOCALE, run from the repository as `make messages`."""
    locale_dir = tmp_path_factory.mktemp("messages") / "locale"
    with override_settings(LOCALE_PATHS=[str(locale_dir)]), contextlib.chdir(REPO):
        call_command(
            "makemessages",
            locale=[LOCALE],
            no_wrap=True,
            extensions=["html", "txt", "py"],
            ignore_patterns=[".venv", "test-artifacts", "staticfiles", "benchmarks", "tests"],
            verbosity=0,
        )
    return locale_dir, locale_dir / LOCALE / "LC_MESSAGES" / "django.po"


def test_makemessages_extracts_pages_forms_errors_and_summary(catalogue):
    _locale_dir, po_file = catalogue
    msgids = _msgids(po_file.read_text(encoding="utf-8"))

    messages = _message_constants(
        services, workspace, views, links, mail, forms, presentation, admin
    )
    assert "advisor.services.QUESTION_FEW_OPTIONS" in messages  # the scan does find constants
    missing = {name: text for name, text in messages.items() if text not in msgids}
    assert missing == {}
    assert [s for s in PAGE_STRINGS + SUMMARY_STRINGS if s not in msgids] == []
    assert len(msgids) > 300


def test_a_page_renders_through_a_compiled_catalogue(catalogue, client, default_criteria):
    locale_dir, po_file = catalogue
    po = po_file.read_text(encoding="utf-8").replace("#, fuzzy\n", "", 1)
    translated = {
        "Start the assessment": "Komencu la takson",
        "How it works": "Kiel ĝi funkcias",
    }
    for msgid, msgstr in translated.items():
        entry = f'msgid "{msgid}"\nmsgstr ""\n'
        assert entry in po
        po = po.replace(entry, f'msgid "{msgid}"\nmsgstr "{msgstr}"\n')
    po_file.write_text(po, encoding="utf-8")
    with contextlib.chdir(locale_dir.parent), override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command("compilemessages", locale=[LOCALE], verbosity=0)
    assert (po_file.with_suffix(".mo")).exists()

    with override_settings(LOCALE_PATHS=[str(locale_dir)], LANGUAGE_CODE=LOCALE):
        page = client.get("/").content.decode()
    assert "Komencu la takson" in page
    assert "Kiel ĝi funkcias" in page
    assert "Start the assessment" not in page
