"""Permission checks in one query (docs/benchmarks.md, the consultants' list).

`OneQueryPermissions` answers permission checks: it signs nobody in (`authenticate` returns
None), so sign-in and django-axes stay with Django's ModelBackend, listed after it in
`AUTHENTICATION_BACKENDS`, and a session made before this backend existed stays valid. It still
finds a session's user (`get_user`, ModelBackend's) for a session that names it, as a test
client's `force_login` does. It reads every permission of a user at once
(`selectors.permission_names`) into the per-request cache ModelBackend uses too
(`user._perm_cache`), so ModelBackend, asked after it, reads that cache instead of making its
own two queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from advisor import selectors


class OneQueryPermissions(ModelBackend):
    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None

    async def aauthenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = selectors.permission_names(user_obj)
        return user_obj._perm_cache
