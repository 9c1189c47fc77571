"""The site-wide brand (docs/product.md §9): read and check it (`views/public.py` serves it).

Every page's header shows the brand, so it is kept in each process for `CACHE_SECONDS` and read
from the database only when that runs out or this process saves it (`brand_forget`, connected to
the model's signals): an edit reaches other app instances within `CACHE_SECONDS`. The logo is
served from `/brand/logo-<digest>.<ext>` and the accent colour from `/brand/<digest>.css`; both
URLs change with their content, so browsers may keep them for a year.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import threading
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from advisor import models

logger = logging.getLogger("rolefit.branding")

CACHE_SECONDS = 30
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"

LOGO_NOT_AN_IMAGE = gettext_lazy("The logo must be a PNG or JPEG image; this file is not one.")
LOGO_WRONG_FORMAT = gettext_lazy("The logo must be a PNG or JPEG image (this one is %(format)s).")
LOGO_TOO_LARGE = gettext_lazy("The logo may be at most 500 kB (this file is %(size)d kB).")
LOGO_TOO_WIDE = gettext_lazy(
    "The logo may be at most 2,000 × 2,000 pixels (this one is %(width)d × %(height)d)."
)
LOGO_FAR_TOO_WIDE = gettext_lazy(
    "The logo may be at most 2,000 × 2,000 pixels (this one claims far more)."
)


@dataclass(frozen=True)
class Brand:
    organisation_name: str = models.DEFAULT_ORGANISATION_NAME
    accent_colour: str = models.DEFAULT_ACCENT_COLOUR
    contact_line: str = ""
    logo: bytes = b""
    logo_content_type: str = ""
    logo_digest: str = ""

    @property
    def digest(self) -> str:
        """Names what the brand stylesheet shows (the accent colour)."""
        return hashlib.sha256(self.accent_colour.encode()).hexdigest()[:16]

    @property
    def logo_url(self) -> str:
        if not self.logo_digest:
            return ""
        extension = "png" if self.logo_content_type == "image/png" else "jpg"
        return reverse(
            "advisor:brand_logo", kwargs={"digest": self.logo_digest, "extension": extension}
        )

    @property
    def logo_data_url(self) -> str:
        """The logo inline, for the PDF (which fetches nothing)."""
        if not self.logo:
            return ""
        return f"data:{self.logo_content_type};base64,{base64.b64encode(self.logo).decode()}"

    @property
    def stylesheet_url(self) -> str:
        return reverse("advisor:brand_css", kwargs={"digest": self.digest})

    @property
    def stylesheet(self) -> str:
        """The accent colour as CSS: a rule, since the pages allow no inline style (CSP)."""
        return (
            f":root {{ --rolefit-accent: {self.accent_colour}; }}\n"
            f".brand-accent-bar {{ border-top-color: {self.accent_colour}; }}\n"
            f".report-notes {{ border-left-color: {self.accent_colour}; }}\n"
        )


_lock = threading.Lock()
_cached: tuple[float, Brand] | None = None


def brand_current() -> Brand:
    """The brand (the defaults when none was saved); at most one query per `CACHE_SECONDS`."""
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        row = models.Branding.objects.first()
    except DatabaseError:
        # Every page shows the brand, error pages included: with the database out of reach
        # (a failed deploy, an outage) they still render, with the defaults, and say what failed.
        logger.warning("The brand could not be read; pages show the default brand.")
        return Brand()
    brand = Brand()
    if row is not None:
        brand = Brand(
            organisation_name=row.organisation_name,
            accent_colour=row.accent_colour,
            contact_line=row.contact_line,
            logo=bytes(row.logo or b""),
            logo_content_type=row.logo_content_type,
            logo_digest=row.logo_digest,
        )
    brand_remember(brand)
    return brand


def brand_remember(brand: Brand) -> None:
    """Keep `brand` as this process's copy for `CACHE_SECONDS`."""
    global _cached
    with _lock:
        _cached = (time.monotonic(), brand)


def brand_forget(*args, **kwargs) -> None:
    """Drop this process's copy (after a save here, so the next page shows the edit)."""
    global _cached
    with _lock:
        _cached = None


def logo_check(data: bytes) -> str:
    """The content type of a valid logo, or ValidationError naming what is wrong.

    Pillow reads the header only (the size check comes before decoding any pixels, so an image
    claiming absurd dimensions is refused without being decompressed), then `verify()` checks the
    file's structure.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) > models.LOGO_MAX_BYTES:
        raise ValidationError(
            LOGO_TOO_LARGE, code="logo_size", params={"size": -(-len(data) // 1024)}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height) = image.format, image.size
            if image_format not in models.LOGO_CONTENT_TYPES:
                raise ValidationError(
                    LOGO_WRONG_FORMAT, code="logo_format", params={"format": image_format}
                )
            if max(width, height) > models.LOGO_MAX_SIDE:
                raise ValidationError(
                    LOGO_TOO_WIDE, code="logo_dimensions", params={"width": width, "height": height}
                )
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow refuses to open an image claiming this many pixels.
        raise ValidationError(LOGO_FAR_TOO_WIDE, code="logo_dimensions") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(LOGO_NOT_AN_IMAGE, code="logo_invalid") from None
    return models.LOGO_CONTENT_TYPES[image_format]


def branding_logo_set(*, branding: models.Branding, data: bytes | None) -> None:
    """Put a checked logo (or none) on `branding`; the caller saves it."""
    if data is None:
        branding.logo, branding.logo_content_type, branding.logo_digest = None, "", ""
        return
    branding.logo_content_type = logo_check(data)
    branding.logo = data
    branding.logo_digest = hashlib.sha256(data).hexdigest()
