"""The URL fetcher of RoleFit's PDFs: `data:` URLs only (docs/product.md: the PDF fetches nothing).

A report embeds everything it shows (the logo as a `data:` URL, once there is branding), so a
URL of any other scheme in a document can only come from a mistake or from text that should
never have become markup: it is refused without being opened, and the PDF renders without it.
WeasyPrint sends `data:` URLs through the fetcher too, so a fetcher that refused everything
would drop the logo; and WeasyPrint 70 reads the fetcher's `_fail_on_errors`, which a plain
refusing function lacks (every PDF broke the moment a template held a URL). Hence a subclass of
the installed WeasyPrint's own `URLFetcher`.
"""

from __future__ import annotations

import functools
import logging

from advisor import logs

logger = logging.getLogger("rolefit.pdf")

ALLOWED_SCHEMES = frozenset({"data"})
REFUSED = "RoleFit's PDF fetches nothing but data: URLs; refused {url}"


@functools.cache
def _fetcher_class():
    # WeasyPrint takes ~0.5 s to import: only when the first PDF is rendered (pdf._pdf_engine).
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(
                allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, fail_on_errors=False
            )

        def fetch(self, url, headers=None):
            scheme = url.partition(":")[0].strip().lower()
            if scheme not in ALLOWED_SCHEMES:
                shown = logs.redact(url[:100])
                logger.warning(REFUSED.format(url=shown))
                raise ValueError(REFUSED.format(url=shown))
            return super().fetch(url, headers)

    return DataOnlyFetcher


def data_only_fetcher():
    """A new fetcher for one render (the fetcher keeps per-request state)."""
    return _fetcher_class()()
