"""Reading a PDF's pages for the report tests: each page's text, and how full the last page is.

The share is measured on the PDF itself (pypdf's text positions), independently of how the
report was laid out: the distance from the page's top margin down to its lowest line of body text
(the footer, in the bottom margin, left out), over the height between the two margins.
"""

import io

import pypdf

MM = 72 / 25.4
# The A4 margins of static/css/report_pdf.css and print.css (top, bottom).
TOP_MARGIN = 14 * MM
BOTTOM_MARGIN = 16 * MM


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _baselines(page) -> list[float]:
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            found.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return found


def last_page_share(data: bytes) -> float:
    page = pypdf.PdfReader(io.BytesIO(data)).pages[-1]
    height = float(page.mediabox.height)
    top, bottom = height - TOP_MARGIN, BOTTOM_MARGIN
    body = [y for y in _baselines(page) if y > bottom]
    return (top - min(body)) / (top - bottom) if body else 0.0
