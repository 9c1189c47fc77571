"""The shared cache (`CACHES["default"]`: a database table, or Redis), used without ever failing
a page: a cache that is down or full costs the computing or rendering, never the page. Every
call here logs its failure and carries on without the cache.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.management import call_command

logger = logging.getLogger("rolefit.rendercache")


def cache_get(name: str) -> Any:
    """The shared cache's value for `name`; None when there is none or the cache fails."""
    try:
        return cache.get(name)
    except Exception as error:  # down, unreachable, a missing table: render without it
        logger.warning("The shared cache could not be read (%s); rendering without it.", error)
        return None


def cache_set(name: str, value: Any, timeout: int) -> None:
    """Keep `value` in the shared cache if it can (a full or failing cache keeps nothing)."""
    try:
        cache.set(name, value, timeout)
    except Exception as error:
        logger.warning("The shared cache could not be written (%s); not kept.", error)


# ---------------------------------------------------------------------------------------------
# The table


def cache_tables_create(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every `migrate`: create the database cache's table if the configuration names one
    and it is missing (`createcachetable` skips existing tables and other backends).

    A `post_migrate` handler rather than a migration, because the table follows the settings of
    the day, not the schema's history: a migration runs once, so a database migrated while the
    cache was elsewhere (Redis, or before this cache existed) would never get it."""
    call_command("createcachetable", database=using, verbosity=0)
