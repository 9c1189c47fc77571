"""Accent- and case-insensitive company search: “muller” finds “Müller”, “societe” “Société”.

Both sides of the search go through one database function, `rolefit_search_text(text)`:

- PostgreSQL: `lower(unaccent(text))` in an IMMUTABLE SQL wrapper (migration
  0010_search_unaccent). `unaccent()` itself is only STABLE (its dictionary could change), so it
  cannot be indexed; the wrapper names the dictionary explicitly and may be, and a GIN trigram
  index on `rolefit_search_text(company)` serves `LIKE '%…%'` on it.
- SQLite: the same name registered on every new connection as a deterministic Python function,
  `search_text` below — the same letters folded, without an index (SQLite scans anyway).
"""

from __future__ import annotations

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

FUNCTION_NAME = "rolefit_search_text"

# Letters that do not decompose into a base letter and a mark, spelled as PostgreSQL's unaccent
# rules spell them.
_LIGATURES = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def search_text(value: str | None) -> str | None:
    """`value` lowercased and without accents: what SQLite's rolefit_search_text returns."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class SearchText(Func):
    """`rolefit_search_text(expression)` in a query."""

    function = FUNCTION_NAME
    output_field = CharField()


def register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION_NAME, 1, search_text, deterministic=True)


def connect() -> None:
    connection_created.connect(register_sqlite_function, dispatch_uid="rolefit-search-text")
