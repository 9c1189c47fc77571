"""The hiring manager's pages: landing, questionnaire, result and delete (docs/product.md §1).

None of them needs an account: the result's unguessable token is the permission to see and
delete it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from advisor import branding, forms, rendercache, scoring, selectors, services
from advisor.ratelimit import rate_limit
from advisor.views import links, or_404

DELETED = _("The assessment for “{company}” was deleted; its link no longer works.")


def healthz(request):
    # Liveness only: must not touch the database, so load balancers can tell app from DB trouble.
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET", "HEAD"])
def home(request):
    bundle = services.criteria_current()
    roles = {role["slug"]: role for role in bundle.content["roles"]}
    context = {
        "product_owner": roles.get(scoring.PRODUCT_OWNER),
        "product_manager": roles.get(scoring.PRODUCT_MANAGER),
        "question_count": len(bundle.content["questions"]),
        "sample": sample_result(bundle.content["roles"]),
    }
    return render(request, "advisor/home.html", context)


# The landing page's sample result: docs/product.md §4's worked example 5 (the standard report) —
# every responsibility's need, and the verdict they give with the default criteria.
SAMPLE_NEEDS = {
    "backlog": 0.55,
    "product-goal": 0.5625,
    "stakeholders": 0.5,
    "roadmap-alignment": 0.5,
    "strategy": 0.75,
    "tech-roadmap": 0.75,
    "go-to-market": 0.75,
    "margins": 0.75,
    "customers-csuite": 0.75,
}
SAMPLE_ROLE_NEEDS = {scoring.PRODUCT_OWNER: 0.5375, scoring.PRODUCT_MANAGER: 0.75}
SAMPLE_MIN_NEED = 0.65
SAMPLE_OUTCOME = scoring.PRODUCT_MANAGER


def sample_result(roles: list[dict]) -> dict | None:
    """The sample's needs profile in the current criteria's words; None unless every default
    responsibility is there (an HR admin may have changed them: then the sample would be wrong)."""
    profile = [
        {
            "name": role["name"],
            "slug": role["slug"],
            "need": SAMPLE_ROLE_NEEDS.get(role["slug"]),
            "needed": SAMPLE_ROLE_NEEDS.get(role["slug"], 0) >= SAMPLE_MIN_NEED,
            "needs": [
                {"text": r["text"], "need": SAMPLE_NEEDS.get(r["slug"])}
                for r in role["responsibilities"]
            ],
        }
        for role in roles
    ]
    needs = [n["need"] for role in profile for n in role["needs"]]
    if len(needs) != len(SAMPLE_NEEDS) or None in needs:
        return None
    return {"outcome": SAMPLE_OUTCOME, "profile": profile}


def _not_ready(request, bundle):
    return render(request, "advisor/not_ready.html", {"problems": bundle.problems}, status=503)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("submit", methods=("POST",))
def questionnaire(request):
    bundle = services.criteria_current()
    if not bundle.ready:
        return _not_ready(request, bundle)
    status = 200
    if request.method == "POST":
        form = forms.AssessmentForm(bundle, data=request.POST)
        if form.is_valid():
            assessment = services.assessment_create(bundle=bundle, **form.assessment_fields())
            return redirect(assessment)
        status = 400 if form.tampered else 200
    else:
        initial = forms.initial_from_query(bundle, request.GET) if request.GET else {}
        if not initial and rendercache.page_is_shared(request):
            # The blank page, as any visitor without a session sees it: kept whole.
            return HttpResponse(
                rendercache.blank_questionnaire(
                    bundle, request, lambda: _questionnaire_html(request, bundle, None)
                )
            )
        # Only a prefilled form needs rendering; the blank one comes from the cache.
        form = forms.AssessmentForm(bundle, initial=initial) if initial else None
    return HttpResponse(_questionnaire_html(request, bundle, form), status=status)


def _questionnaire_html(request, bundle, form: forms.AssessmentForm | None) -> str:
    before_token, after_token = forms.questionnaire_parts(bundle, form)
    context = {"before_token": before_token, "after_token": after_token}
    return render_to_string("advisor/assessment_form.html", context, request)


@require_http_methods(["GET", "HEAD"])
def result(request, token):
    return links.result_response(request, token)


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, token):
    assessment = or_404(selectors.assessment_brief(token))
    if request.method == "POST":
        company = assessment.company
        services.assessment_delete(assessment=assessment)
        messages.success(request, str(DELETED).format(company=company))
        return redirect("advisor:home")
    response = render(request, "advisor/assessment_confirm_delete.html", {"assessment": assessment})
    response["X-Robots-Tag"] = "noindex"
    return response


def favicon(request):
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin's, error pages).
    return redirect(static("favicon.png"), permanent=True)


# ---------------------------------------------------------------------------------------------
# The brand's logo and stylesheet (advisor/branding.py)


@require_GET
def brand_logo(request, digest, extension):
    """The logo, if `digest` names the current one; cached for a year (the URL changes with it)."""
    brand = branding.brand_current()
    if digest != brand.logo_digest:
        # Maybe saved by another instance within CACHE_SECONDS: ask the database once.
        branding.brand_forget()
        brand = branding.brand_current()
    if not brand.logo or digest != brand.logo_digest:
        raise Http404
    response = HttpResponse(brand.logo, content_type=brand.logo_content_type)
    response["Cache-Control"] = branding.IMMUTABLE_CACHE_CONTROL
    return response


@require_GET
def brand_css(request, digest):
    brand = branding.brand_current()
    response = HttpResponse(brand.stylesheet, content_type="text/css; charset=utf-8")
    # An old digest gets today's colour, briefly cached; the current one, for a year.
    response["Cache-Control"] = (
        branding.IMMUTABLE_CACHE_CONTROL if digest == brand.digest else "public, max-age=60"
    )
    return response
