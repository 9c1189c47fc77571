"""The blank questionnaire: today's marker-splitting against Django's template fragment cache.

    .venv/bin/python -m benchmarks.fragments [--pages N]

Issue 12 asked whether `{% cache %}` (a process-local `template_fragments` alias, keyed on the
content hash and the language, the CSRF token between two cached fragments) serves the blank
questionnaire as fast as `forms.questionnaire_parts` (the two parts memoised on the criteria
bundle, the token put in between). Both render the same page for a request through the real
base template; the fragments' templates are `includes/questionnaire.html` cut at the token,
written to a temporary directory. Reported: CPU milliseconds per page (the median of 7 rounds),
so a busy machine does not inflate them, and whether both pages are the same HTML.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

FRAGMENT_PAGE = """{% extends "base.html" %}{% load i18n static cache %}
{% block title %}{% translate "Questionnaire" %}{% endblock %}
{% block content %}{% cache 86400 questionnaire_head content_hash LANGUAGE_CODE using="template_fragments" %}{% include "fragment_head.html" %}{% endcache %}{% csrf_token %}{% cache 86400 questionnaire_body content_hash LANGUAGE_CODE using="template_fragments" %}{% include "fragment_body.html" %}{% endcache %}{% endblock %}
{% block scripts %}<script src="{% static 'js/questionnaire.js' %}" defer></script>{% endblock %}"""  # noqa: E501


def write_templates(directory: Path) -> None:
    source = (
        Path(__file__).resolve().parent.parent / "templates/includes/questionnaire.html"
    ).read_text()
    slot = "  {{ csrf_slot }}\n"
    head, body = source.split(slot)
    (directory / "fragment_head.html").write_text(head)
    (directory / "fragment_body.html").write_text(
        "{% load i18n %}" + body.replace("{{ fields }}", "{{ form.render_body }}")
    )
    (directory / "fragment_page.html").write_text(FRAGMENT_PAGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages per round")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="rolefit-fragments-"))
    write_templates(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rolefit.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.TEMPLATES[0]["DIRS"].append(str(directory))
    settings.CACHES["template_fragments"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rolefit-fragments",
    }
    from django.core.management import call_command
    from django.middleware.csrf import get_token
    from django.shortcuts import render
    from django.test import RequestFactory
    from django.test.runner import DiscoverRunner

    DiscoverRunner(verbosity=0).setup_databases()
    call_command("load_default_criteria", verbosity=0)
    from advisor import forms, services

    factory = RequestFactory()

    class LazyForm:  # the blank form is built only when its fragment is rendered
        def __init__(self, bundle):
            self.bundle = bundle

        def render_body(self):
            return forms.AssessmentForm(self.bundle).render_body()

    def marker_split() -> bytes:
        request = factory.get("/assess/")
        get_token(request)
        before, after = forms.questionnaire_parts(services.criteria_current(), None)
        context = {"before_token": before, "after_token": after}
        return render(request, "advisor/assessment_form.html", context).content

    def fragment_cache() -> bytes:
        request = factory.get("/assess/")
        get_token(request)
        bundle = services.criteria_current()
        context = {
            "content_hash": bundle.content_hash,
            "form": LazyForm(bundle),
            "question_count": len(bundle.content["questions"]),
            "change": None,
            "error_summary": [],
        }
        return render(request, "fragment_page.html", context).content

    def normal(html: bytes) -> bytes:  # tokens differ per request; whitespace per template
        return re.sub(rb'value="[^"]+"', b"", re.sub(rb"\s+", b" ", html))

    same = normal(marker_split()) == normal(fragment_cache())
    rounds: dict[str, list[float]] = {"marker_split": [], "fragment_cache": []}
    for _ in range(7):
        for name, page in (("marker_split", marker_split), ("fragment_cache", fragment_cache)):
            start = time.process_time()
            for _ in range(args.pages):
                page()
            rounds[name].append((time.process_time() - start) / args.pages * 1000)
    result = {name: round(statistics.median(values), 3) for name, values in rounds.items()}
    print(json.dumps({"same_html": same, "cpu_ms_per_page": result}, indent=2))


if __name__ == "__main__":
    main()
