"""PRODUCT.md's worked examples and standard report, as answer sets for the default criteria."""

TEAM_AND_DELIVERY = [
    "agile-team",
    "backlog-unclear",
    "goal-unclear",
    "stakeholders-lost",
    "roadmap-drift",
    "delivery-focus",
]
BUSINESS_AND_GROWTH = [
    "new-business",
    "multiyear-strategy",
    "rd-roadmap",
    "go-to-market",
    "margins-costs",
    "customer-insight",
    "exec-engagement",
    "revenue-decline",
    "portfolio-complexity",
]
ALL_QUESTIONS = [*TEAM_AND_DELIVERY, "team-count", *BUSINESS_AND_GROWTH]


def answers(team_and_delivery: str, team_count: str, business_and_growth: str) -> dict[str, str]:
    return {
        **dict.fromkeys(TEAM_AND_DELIVERY, team_and_delivery),
        "team-count": team_count,
        **dict.fromkeys(BUSINESS_AND_GROWTH, business_and_growth),
    }


# 1. → product-owner, fits 1.0 / 0.0, sensitivity more than three
PRODUCT_OWNER = answers("strongly-agree", "several", "strongly-disagree")
# 2. → both, fits 0.75 / 0.75, one change: team-count one → none gives product-manager
BOTH = answers("agree", "one", "agree")
# 3. → neither, fits 0.2143 / 0.25, more than three
NEITHER = answers("disagree", "none", "disagree")
# 4. → undetermined, coverage 0.1429 / 0.1579
UNDETERMINED = {"agile-team": "agree", "new-business": "agree"}
# PRODUCT.md §7's standard report → product-manager, more than three
STANDARD_REPORT = answers("neutral", "one", "agree")
