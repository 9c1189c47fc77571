import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import connection
from django.test import override_settings

from advisor import branding, models, services
from tests import factories

# The rows the first `criteria_load` of this process made (criteria and their history).
_loaded_criteria: list[tuple[type, list[dict]]] = []


def _criteria_tables() -> list[type]:
    return [*models.CRITERIA_MODELS, *(m.history.model for m in models.CRITERIA_MODELS)]


@pytest.fixture
def default_criteria(db):
    """The shipped criteria of docs/product.md §2–§4, loaded as `make run` loads them.

    The first test of a process runs `services.criteria_load` (which validates every object:
    about 0.6 s); later tests insert the same rows, their history included, in one bulk insert
    per table — the same database content, an order of magnitude sooner.
    """
    if not _loaded_criteria:
        services.criteria_load()
        for model in _criteria_tables():
            fields = [f.attname for f in model._meta.concrete_fields]
            rows = [
                {name: getattr(obj, name) for name in fields}
                for obj in model._default_manager.order_by("pk")
            ]
            _loaded_criteria.append((model, rows))
        return
    for model, rows in _loaded_criteria:
        model._default_manager.bulk_create([model(**row) for row in rows])
    with connection.cursor() as cursor:  # past the file's primary keys, as criteria_load does
        for sql in connection.ops.sequence_reset_sql(no_style(), _criteria_tables()):
            cursor.execute(sql)
    services.criteria_touch()


@pytest.fixture
def small_criteria(db):
    return factories.small_criteria()


@pytest.fixture
def assessment_factory(db):
    return factories.AssessmentFactory


@pytest.fixture(autouse=True)
def test_settings():
    """Rate limits off (tests/test_ratelimit.py turns them on), static files without a manifest
    (manifest storage needs `collectstatic`), whatever DJANGO_DEBUG says, and empty caches."""
    with override_settings(
        ROLEFIT_RATE_SUBMIT="off",
        ROLEFIT_RATE_PDF="off",
        ROLEFIT_RATE_MAIL="off",
        ROLEFIT_RATE_TEAM="off",
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # Process-local caches, emptied for each test, so that query counts are the app's own
        # whatever ROLEFIT_CACHE says (tests/test_rendercache.py runs the database cache).
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "l"},
            "recent": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "r",
                "TIMEOUT": settings.RENDER_CACHE_RECENT_SECONDS,
            },
        },
    ):
        for cache in caches.all():
            cache.clear()
        yield


@pytest.fixture(autouse=True)
def default_brand():
    """Each test starts with the defaults in the brand cache (no branding row, no query), as a
    process does once it has read them; saving a brand drops the cache (advisor/signals.py)."""
    branding.brand_remember(branding.Brand())
    yield
    branding.brand_forget()


@pytest.fixture
def consultant_user(db, django_user_model):
    """A user holding the workspace permission directly (not through the Consultants group)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("consultant")
    user.user_permissions.add(Permission.objects.get(codename="use_workspace"))
    return user


@pytest.fixture
def hr_admin_user(db, django_user_model):
    """Staff without the workspace permission: HR admins see no assessments (docs/product.md §1)."""
    return django_user_model.objects.create_user("hr-admin", is_staff=True)


@pytest.fixture
def super_user(db, django_user_model):
    return django_user_model.objects.create_superuser("root", password=None)
