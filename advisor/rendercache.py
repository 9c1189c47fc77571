"""Pages rendered once and kept in the cache: what never changes once written is not rendered
again on every request (docs/benchmarks.md)."""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from advisor import models, presentation, selectors

RESULT_CACHE_SECONDS = 10 * 60


def result_page(token: str) -> tuple[models.Assessment, SafeString] | None:
    """The assessment of `token` and its sections (`includes/result_article.html`) as HTML.

    None when no assessment has that token. The sections are cached under a digest of
    everything they show — the snapshot's content hash, the stored result, the answers, the
    version's date and the language — and they show nothing that names the company or the
    respondent: so the cache holds no identifying data, identical results share an entry, and a
    deleted assessment's entry is unreachable (every request looks the token up first).

    One query when the sections are cached: a raw SQL lookup, since compiling the equivalent ORM
    query (two related rows) costs several times more than running it. Two when they are
    rendered.
    """
    assessment = selectors.result_lookup(token)
    if assessment is None:
        return None
    material = [
        assessment.snapshot_content_hash,  # type: ignore[attr-defined]
        assessment.result,
        assessment.answers,
        str(assessment.version_first_used_at),  # type: ignore[attr-defined]
        get_language(),
    ]
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    key = f"rolefit:result:{digest}"
    html = cache.get(key)
    if html is None:
        full = selectors.result_queryset().filter(pk=assessment.pk).first()
        if full is None:  # deleted in between
            return None
        html = render_to_string("includes/result_article.html", presentation.result_context(full))
        cache.set(key, html, RESULT_CACHE_SECONDS)
    return assessment, mark_safe(html)
