"""axe-core on every page a visitor, a hiring manager or a consultant sees (issue 6).

Zero violations of axe's default rules (WCAG 2.x A and AA, and best practices); no rule is
disabled and no element excluded.
"""

import pytest

from tests.e2e.conftest import PAGES, axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations(open_page, page, name):
    open_page(name)
    violations = axe_violations(page)
    assert not violations, f"axe on {name} ({page.url}):\n" + "\n".join(violations)
