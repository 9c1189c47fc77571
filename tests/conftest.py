import pytest

from advisor import services
from tests import factories


@pytest.fixture
def default_criteria(db):
    """The shipped criteria of PRODUCT.md §2–§4, loaded as `make run` loads them."""
    services.criteria_load()


@pytest.fixture
def small_criteria(db):
    return factories.small_criteria()


@pytest.fixture
def assessment_factory(db):
    return factories.AssessmentFactory
