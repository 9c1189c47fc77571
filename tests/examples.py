"""The worked examples and standard report of docs/scoring.md, as answer sets for the default
criteria."""

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


# The worked examples of docs/scoring.md (docs/product.md §4), in its order.
# 1. → product-owner, needs 1.0 / 0.0, sensitivity more than three
PRODUCT_OWNER = answers("strongly-agree", "several", "strongly-disagree")
# 2. → both, lead hire product manager, needs 0.75 / 0.75; two changes (roadmap-drift agree →
#    neutral, team-count one → none) give product-manager
BOTH = answers("agree", "one", "agree")
# 3. → neither, needs 0.2333 / 0.25, more than three
NEITHER = answers("disagree", "none", "disagree")
# 4. → undetermined, coverage 0.1429 / 0.1579
UNDETERMINED = {"agile-team": "agree", "new-business": "agree"}
# 5. docs/product.md §7's standard report → product-manager, needs 0.5375 / 0.75; two changes
#    (backlog-unclear and stakeholders-lost neutral → agree) give both
STANDARD_REPORT = answers("neutral", "one", "agree")
# 6. a tie → neither, needs 0.5833 / 0.5694; of two single changes with equal Σ|ΔN| the lower
#    question position wins: stakeholders-lost neutral → agree gives product-owner
TIE = {
    "agile-team": "disagree",
    "backlog-unclear": "agree",
    "goal-unclear": "strongly-disagree",
    "stakeholders-lost": "neutral",
    "roadmap-drift": "disagree",
    "delivery-focus": "strongly-agree",
    "team-count": "several",
    "new-business": "strongly-disagree",
    "multiyear-strategy": "neutral",
    "rd-roadmap": "agree",
    "go-to-market": "neutral",
    "margins-costs": "strongly-disagree",
    "customer-insight": "disagree",
    "exec-engagement": "strongly-agree",
    "revenue-decline": "strongly-disagree",
    "portfolio-complexity": "strongly-agree",
}

# A team of ten (docs/product.md §8) for the team report's tests and benchmark: the standard
# report's answers, with three colleagues who see a delivery problem and others who differ on a
# question or two. The team verdict is product-manager (agreement high, 81.9%), and taking the
# delivery-minded colleagues' view on any of six delivery questions would give both: an agenda
# of six questions.
TEAM_OF_TEN = [
    STANDARD_REPORT | changes
    for changes in [
        {},
        dict.fromkeys(TEAM_AND_DELIVERY, "strongly-agree"),
        dict.fromkeys(TEAM_AND_DELIVERY, "agree") | {"team-count": "several"},
        {"go-to-market": "neutral", "multiyear-strategy": "neutral"},
        {"margins-costs": "strongly-agree", "rd-roadmap": "strongly-disagree"},
        {"team-count": "several", "roadmap-drift": "agree", "backlog-unclear": "strongly-agree"},
        {"customer-insight": "disagree", "rd-roadmap": "disagree"},
        {"stakeholders-lost": "agree", "goal-unclear": "agree"},
        {"exec-engagement": "not-sure", "agile-team": "strongly-disagree"},
        {
            "portfolio-complexity": "neutral",
            "new-business": "strongly-agree",
            "delivery-focus": "strongly-disagree",
        },
    ]
]
