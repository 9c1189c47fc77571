"""The PDF engine: WeasyPrint, loaded once per process, rendering one document at a time.

The single report (docs/product.md §7) and any later printable page go through `document_pdf`:
it lays the HTML out with the report stylesheet and the brand's, fetching nothing but `data:`
URLs (`pdf_fetcher`), and keeps the last page from holding only a few lines.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders

from advisor import pdf_fetcher

PDF_STYLESHEET = "css/report_pdf.css"
# docs/product.md §7: the last page holds at least a quarter page. A document whose last page would
# hold less is laid out again a little tighter (PDF_COMPACT_CSS) and kept so when that saves the
# page.
MIN_LAST_PAGE_SHARE = 0.25
PDF_COMPACT_CSS = """
html { font-size: 8.2pt; line-height: 1.3; }
.result-section { margin-top: 3.2mm; }
p, ul, ol { margin-bottom: 1.2mm; }
"""


@dataclass(frozen=True)
class _PdfEngine:
    html_class: Any
    css_class: Any
    stylesheet: Any
    compact: Any
    font_config: Any


_engine: _PdfEngine | None = None
_engine_lock = threading.Lock()
# WeasyPrint's objects are not documented as thread-safe; renders share the parsed stylesheet
# and font configuration, so one render at a time per process.
_render_lock = threading.Lock()


def _pdf_engine() -> _PdfEngine:
    """WeasyPrint, imported (~0.5 s) and its stylesheet parsed once per process, on first use.

    One FontConfiguration for the process on purpose: a new one per render kept ~250 kB of
    resident memory per PDF (measured over 300 renders).
    """
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                import weasyprint
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                stylesheet = weasyprint.CSS(
                    filename=finders.find(PDF_STYLESHEET),
                    font_config=font_config,
                    url_fetcher=pdf_fetcher.data_only_fetcher(),
                )
                compact = weasyprint.CSS(string=PDF_COMPACT_CSS, font_config=font_config)
                _engine = _PdfEngine(
                    weasyprint.HTML, weasyprint.CSS, stylesheet, compact, font_config
                )
                _freeze_long_lived()
    return _engine


def _freeze_long_lived() -> None:
    """Leave what the process has loaded by now out of the garbage collector's full passes.

    A render allocates so many objects that every second or third one set off a full
    collection, and a full collection walked the whole heap: Django, RoleFit, WeasyPrint and its
    parsed stylesheets (~160,000 objects), ~150 ms each time, ~65 ms per render on average
    (measured on a busy machine). Frozen (`gc.freeze`), those objects are no longer walked: the
    collector's time per render went from ~80 ms to ~40 ms; resident memory did not change.
    Frozen objects are still freed when nothing refers to them; only a reference cycle among
    them would stay (hence the collection first: nothing already unreachable is frozen).
    """
    gc.collect()
    gc.freeze()


def last_page_share(document) -> float:
    """How much of the last page's content area a laid-out WeasyPrint document fills (0..1).

    The root box's height on a page is the content laid out there. `_page_box` is WeasyPrint's
    (not a documented API): without it, report the page as full and lay nothing out again.
    """
    page = document.pages[-1]
    page_box = getattr(page, "_page_box", None)
    if page_box is None:
        return 1.0
    root = next(
        (box for box in page_box.children if getattr(box, "element_tag", "") == "html"), None
    )
    if root is None or not page_box.height:
        return 1.0
    return root.margin_height() / page_box.height


def document_pdf(html: str, *, brand_stylesheet: str = "") -> bytes:
    """The PDF of `html` with the report stylesheet (and the brand's, when given): laid out again
    tighter when its last page would hold less than MIN_LAST_PAGE_SHARE and that saves the page.
    It fetches nothing but `data:` URLs."""
    engine = _pdf_engine()
    with _render_lock:
        stylesheets = [engine.stylesheet]
        if brand_stylesheet:
            stylesheets.append(
                engine.css_class(string=brand_stylesheet, font_config=engine.font_config)
            )
        source = engine.html_class(string=html, url_fetcher=pdf_fetcher.data_only_fetcher())
        document = source.render(stylesheets=stylesheets, font_config=engine.font_config)
        if len(document.pages) > 1 and last_page_share(document) < MIN_LAST_PAGE_SHARE:
            tighter = source.render(
                stylesheets=[*stylesheets, engine.compact], font_config=engine.font_config
            )
            if len(tighter.pages) < len(document.pages):
                document = tighter
        return document.write_pdf()
