"""The views, one module per audience (docs/architecture.md)."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

T = TypeVar("T")


def or_404(found: T | None) -> T:
    """What a selector found, or a 404 when it found nothing (`get_object_or_404` for a
    selector's result)."""
    if found is None:
        raise Http404
    return found
