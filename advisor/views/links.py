"""The hiring manager's ways back to a result (docs/product.md §9): keep and email the private link,
change the answers, and delete the earlier assessment after a change.

Views here are as thin as `public.py`'s; the result page (`public.result`) adds `result_extras`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from advisor import (
    forms,
    mail,
    models,
    presentation,
    rendercache,
    scoring,
    selectors,
    services,
    unanswered,
)
from advisor.ratelimit import rate_limit, too_many_requests
from advisor.views import or_404
from advisor.views import team as team_views

MAIL_SENT = _("We sent the link to {email}. If it does not arrive, check your spam folder.")
EARLIER_DELETED = _("The earlier assessment was deleted; its link no longer works.")
EARLIER_KEPT = _("Both assessments are kept, each behind its own link.")

# After a change of answers, the new result offers to delete the earlier assessment. Its token
# rides in a signed cookie scoped to the new result's path: no server state, never in a URL.
EARLIER_COOKIE = "rolefit_earlier"
EARLIER_SALT = "rolefit.earlier-assessment"
EARLIER_MAX_AGE = 24 * 60 * 60


def _earlier_token(request, token: str) -> str | None:
    value = request.get_signed_cookie(
        EARLIER_COOKIE, default=None, salt=EARLIER_SALT, max_age=EARLIER_MAX_AGE
    )
    if not value:
        return None
    new, _sep, old = value.partition(":")
    return old if new == token and old and old != token else None


def _lacking(assessment: models.Assessment) -> list[unanswered.RoleLackingAnswers]:
    if assessment.outcome != scoring.UNDETERMINED:
        return []
    content = selectors.snapshot_content(assessment.snapshot_id)
    return unanswered.roles_lacking_answers(content=content, result=assessment.result)


def result_extras(request, assessment: models.Assessment, email_form=None) -> dict:
    """What the result page shows beyond the result: the email form, for an undetermined result
    the roles lacking answers, and after a change of answers the offer to delete the earlier one.
    One extra query for an undetermined result and one when an earlier assessment is offered."""
    earlier = _earlier_token(request, assessment.token)
    return {
        "email_form": email_form
        or forms.EmailLinkForm(initial={"email": assessment.respondent_email}),
        "lacking": _lacking(assessment),
        "earlier": selectors.assessment_brief(earlier) if earlier else None,
    }


@require_POST
def email_link(request, token):
    assessment = or_404(selectors.assessment_brief(token))
    form = forms.EmailLinkForm(request.POST)
    if not form.is_valid():
        return result_response(request, token, email_form=form)
    email = form.cleaned_data["email"]
    try:
        mail.result_link_send(request=request, assessment=assessment, recipient=email)
    except mail.MailRateLimited as error:
        return too_many_requests(request, error.retry_after)
    except mail.MailError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(MAIL_SENT).format(email=email))
    # Back to the top of the result: the message shows above the link box.
    return redirect(reverse("advisor:result", kwargs={"token": token}))


def result_response(request, token, *, email_form=None):
    """The result page of `token` (404 when there is none). A visitor with nothing of their own on
    it (no session, no messages, no earlier assessment offered, no email form with errors) gets
    the whole page from the shared cache (`rendercache.whole_page`)."""
    assessment = or_404(selectors.result_lookup(token))

    def page() -> str:
        context = {
            "assessment": assessment,
            "headline": presentation.headline(assessment.outcome, assessment.result.get("lead")),
            "company_context": presentation.company_context_text(assessment),
            "article": or_404(rendercache.result_article(assessment)),
            **result_extras(request, assessment, email_form),
        }
        return render_to_string("advisor/assessment_result.html", context, request)

    if email_form is None and rendercache.page_is_shared(request, EARLIER_COOKIE):
        html = rendercache.whole_page(rendercache.RESULT_PAGE, assessment, request, page)
    else:
        html = page()
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("submit", methods=("POST",))
def change(request, token):
    """The questionnaire prefilled with an assessment's answers; submitting makes a new one.
    A team respondent's answers are changed in their team instead (docs/product.md §8)."""
    earlier = or_404(selectors.assessment_by_token(token))
    if earlier.team_id is not None:
        return team_views.respondent_change(request, token)
    bundle = services.criteria_current()
    if not bundle.ready:
        return render(request, "advisor/not_ready.html", {"problems": bundle.problems}, status=503)
    status = 200
    if request.method == "POST":
        form = forms.AssessmentForm(bundle, data=request.POST)
        if form.is_valid():
            assessment = services.assessment_create(bundle=bundle, **form.assessment_fields())
            response = redirect(assessment)
            response.set_signed_cookie(
                EARLIER_COOKIE,
                f"{assessment.token}:{earlier.token}",
                salt=EARLIER_SALT,
                max_age=EARLIER_MAX_AGE,
                path=assessment.get_absolute_url(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        status = 400 if form.tampered else 200
    else:
        form = forms.AssessmentForm(bundle, initial=forms.initial_from_assessment(bundle, earlier))
    change_context = {
        "action": reverse("advisor:change", kwargs={"token": token}),
        "earlier": earlier,
        "lacking": _lacking(earlier),
        "questions": {q.slug for q in forms.questionnaire_spec(bundle).questions},
    }
    before_token, after_token = forms.questionnaire_parts(bundle, form, change=change_context)
    context = {"before_token": before_token, "after_token": after_token, "changing": True}
    response = render(request, "advisor/assessment_form.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def earlier(request, token):
    """Delete (or keep) the assessment whose answers the one of `token` changed."""
    or_404(selectors.assessment_brief(token))
    old = _earlier_token(request, token)
    response = redirect(reverse("advisor:result", kwargs={"token": token}))
    response.delete_cookie(EARLIER_COOKIE, path=reverse("advisor:result", kwargs={"token": token}))
    if old is None:
        return response
    if request.POST.get("action") == "delete":
        assessment = selectors.assessment_brief(old)
        if assessment is not None:
            services.assessment_delete(assessment=assessment)
        messages.success(request, str(EARLIER_DELETED))
    else:
        messages.info(request, str(EARLIER_KEPT))
    return response
