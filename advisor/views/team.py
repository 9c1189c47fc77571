"""Team assessment pages (docs/product.md §8): start, organiser, join, team result, the team
report (print view and PDF), close/reopen, and changing a team respondent's answers.

No account: each link's unguessable token is the permission. The organiser token opens the
organiser page, the team result and the team report; the invitation token opens only the join
page; a respondent's own assessment token opens their result and, through it, the team result.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from advisor import (
    branding,
    forms,
    mail,
    models,
    pdf,
    rendercache,
    selectors,
    services,
    team_presentation,
)
from advisor.ratelimit import rate_limit, too_many_requests
from advisor.services import team as team_services
from advisor.views import or_404

TEAM_REPORT_PDF_TEMPLATE = "advisor/team_report_pdf.html"

CLOSED_TITLE = _("This team assessment is closed")
CLOSED_TEXT = _(
    "The organiser has closed this team assessment, so it takes no more answers and no changes. "
    "Ask the organiser to reopen it if you still need to answer."
)
FULL_TITLE = _("This team assessment is full")
FULL_TEXT = _(
    "It already has %(limit)s respondents, the most a team assessment takes. Your answers were "
    "not saved. Ask the organiser whether a second team assessment should be started."
)
CLOSED_MESSAGE = _("The team assessment is closed: the invitation link takes no more answers.")
REOPENED_MESSAGE = _("The team assessment is open again: the invitation link works.")
DELETED_MESSAGE = _(
    "The team assessment for “%(company)s” was deleted with its respondents' answers; its links "
    "no longer work."
)
MAIL_SENT = _(
    "We sent the organiser and invitation links to %(email)s. If they do not arrive, check your "
    "spam folder."
)
MAIL_FAILED_ON_START = _(
    "The team assessment was started, but the email with its links could not be sent. Copy both "
    "links from this page now: the organiser link below is the only way back here."
)
CHANGED_MESSAGE = _(
    "Your answers were changed: this is your new result and its new private link; the earlier "
    "link no longer works. Your place in the team is unchanged."
)


def _no_robots(response):
    response["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(request, *, closed: bool):
    if closed:
        context: dict[str, object] = {"title": CLOSED_TITLE, "text": CLOSED_TEXT}
        status = 410
    else:
        context = {
            "title": FULL_TITLE,
            "text": FULL_TEXT % {"limit": models.TEAM_MAX_RESPONDENTS},
        }
        status = 409
    return _no_robots(render(request, "advisor/team_unavailable.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("team", methods=("POST",))
def team_new(request):
    bundle = services.criteria_current()
    if not bundle.ready:
        return render(request, "advisor/not_ready.html", {"problems": bundle.problems}, status=503)
    status = 200
    if request.method == "POST":
        form = forms.TeamStartForm(data=request.POST)
        if form.is_valid():
            team = team_services.team_create(bundle=bundle, **form.team_fields())
            _mail_links_on_start(request, team)
            return redirect(team)
        status = 400 if form.tampered else 200
    else:
        form = forms.TeamStartForm()
    context = {"form": form, "error_summary": form.error_summary() if form.is_bound else []}
    return render(request, "advisor/team_new.html", context, status=status)


def _mail_links_on_start(request, team) -> None:
    """Mail the new team's links to its organiser. A failed mail (the mail rate limit included)
    undoes nothing: the organiser page says so and shows both links to copy."""
    try:
        mail.team_links_send(request=request, team=team, recipient=team.organiser_email)
    except mail.MailError:
        messages.error(request, MAIL_FAILED_ON_START)
    else:
        messages.success(request, MAIL_SENT % {"email": team.organiser_email})


def _organiser_response(request, team, *, email_form=None, status=200):
    respondents = selectors.team_respondents(team)
    context = {
        "team": team,
        "respondents": respondents,
        "count": len(respondents),
        "full": len(respondents) >= models.TEAM_MAX_RESPONDENTS,
        "max_respondents": models.TEAM_MAX_RESPONDENTS,
        "invitation_url": request.build_absolute_uri(
            reverse("advisor:team_join", kwargs={"token": team.invitation_token})
        ),
        "organiser_url": request.build_absolute_uri(team.get_absolute_url()),
        "email_form": email_form or forms.EmailLinkForm(initial={"email": team.organiser_email}),
    }
    return _no_robots(render(request, "advisor/team_organiser.html", context, status=status))


@require_http_methods(["GET", "HEAD"])
def team_organiser(request, token):
    team = or_404(selectors.team_by_organiser_token(token, with_snapshot=False))
    return _organiser_response(request, team)


@require_POST
def team_email(request, token):
    """ "Email me these links" on the organiser page: the organiser and invitation links."""
    team = or_404(selectors.team_by_organiser_token(token, with_snapshot=False))
    form = forms.EmailLinkForm(request.POST)
    if not form.is_valid():
        return _organiser_response(request, team, email_form=form, status=400)
    try:
        mail.team_links_send(request=request, team=team, recipient=form.cleaned_data["email"])
    except mail.MailRateLimited as error:
        return too_many_requests(request, error.retry_after)
    except mail.MailError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MAIL_SENT % {"email": form.cleaned_data["email"]})
    return redirect(team)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("submit", methods=("POST",))
def team_join(request, token):
    team = or_404(selectors.team_by_invitation_token(token))
    if team.closed:
        return _unavailable(request, closed=True)
    bundle = team_services.team_bundle(team)
    status = 200
    if request.method == "POST":
        form = forms.TeamJoinForm(bundle, data=request.POST, anonymous=team.anonymous)
        if form.is_valid():
            try:
                assessment = team_services.team_join(team_id=team.pk, **form.join_fields())
            except team_services.TeamClosed:
                return _unavailable(request, closed=True)
            except team_services.TeamFull:
                return _unavailable(request, closed=False)
            return redirect(assessment)
        status = 400 if form.tampered else 200
    else:
        if team.respondents.count() >= models.TEAM_MAX_RESPONDENTS:
            return _unavailable(request, closed=False)
        form = forms.TeamJoinForm(bundle, anonymous=team.anonymous)
    context = _form_context(team, form)
    return _no_robots(render(request, "advisor/team_join.html", context, status=status))


def _form_context(team, form, *, change: bool = False) -> dict:
    return {
        "team": team,
        "form_body": form.render_body(),
        "error_summary": form.error_summary() if form.is_bound else [],
        "question_count": len(form.spec.questions),
        "change": change,
    }


def _team_result_context(team, respondents=None) -> tuple[dict, dict]:
    """The team result as computed, and what the team result page shows of it: one query, the
    respondents, unless given (`team` comes loaded with its snapshot and criteria version)."""
    if respondents is None:
        respondents = selectors.team_respondents(team)
    computed = team_services.team_result(team, respondents)
    ordered = team_services.display_order(team, respondents)
    labels = [team_services.respondent_label(team, r, i + 1) for i, r in enumerate(ordered)]
    context = {
        "team": team,
        **team_presentation.team_context(
            computed=computed,
            labels=labels,
            titles=["" if team.anonymous else r.title for r in ordered],
            detail=team_services.shows_detail(team, len(ordered)),
            content_hash=team.snapshot.content_hash,
            content=team.snapshot.content,
        ),
    }
    return computed, context


def _result_response(request, team, *, respondent=None):
    respondents = selectors.team_respondents(team)

    def body() -> str:
        _computed, context = _team_result_context(team, respondents)
        return render_to_string("includes/team_result_body.html", context)

    context = {
        "team": team,
        "respondent": respondent,
        "respondent_count": len(respondents),
        "body": rendercache.team_result_body(team, [r.id for r in respondents], body),
    }
    return _no_robots(render(request, "advisor/team_result.html", context))


@require_http_methods(["GET", "HEAD"])
def team_result(request, token):
    team = or_404(selectors.team_by_organiser_token(token))
    return _result_response(request, team)


def _team_report_context(team, *, pdf: bool) -> dict:
    """The team report (docs/product.md §8, like §7): the team result page's context, the
    report's own parts and the brand (the PDF's logo inline: it fetches nothing)."""
    computed, context = _team_result_context(team)
    brand = branding.brand_current()
    context.update(
        team_presentation.team_report_context(
            computed=computed,
            detail=context["detail"],
            content_hash=team.snapshot.content_hash,
            content=team.snapshot.content,
            criteria_version=team.criteria_version.version,
            first_used_at=team.criteria_version.first_used_at,
        )
    )
    context.update(
        {
            "brand": brand,
            "report_logo_src": brand.logo_data_url if pdf else brand.logo_url,
            "pdf": pdf,
            "pdf_filename": team_report_filename(team),
        }
    )
    return context


def team_report_filename(team) -> str:
    company = slugify(team.company)[:60].strip("-") or "team"
    return f"rolefit-team-report-{company}-{team.changed_at:%Y-%m-%d}.pdf"


@require_http_methods(["GET", "HEAD"])
@never_cache
def team_report(request, token):
    """The team report's print view, for the organiser link only (never the invitation)."""
    team = or_404(selectors.team_by_organiser_token(token))
    context = _team_report_context(team, pdf=False)
    return _no_robots(render(request, "advisor/team_report.html", context))


def _team_report_pdf(html: str) -> bytes:
    return pdf.document_pdf(html, brand_stylesheet=branding.brand_current().stylesheet)


@require_http_methods(["GET", "HEAD"])
@never_cache
@rate_limit("pdf", methods=("GET",))
def team_report_pdf(request, token):
    team = or_404(selectors.team_by_organiser_token(token))
    html = render_to_string(TEAM_REPORT_PDF_TEMPLATE, _team_report_context(team, pdf=True))
    response = HttpResponse(_team_report_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{team_report_filename(team)}"'
    return _no_robots(response)


@require_http_methods(["GET", "HEAD"])
def team_result_json(request, token):
    team = or_404(selectors.team_by_organiser_token(token))
    data = team_services.team_result_json(team, selectors.team_respondents(team))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _no_robots(response)


@require_http_methods(["GET", "HEAD"])
def respondent_team(request, token):
    assessment = or_404(selectors.team_respondent(token))
    return _result_response(request, assessment.team, respondent=assessment)


def _organiser_action(request, token, action, message):
    team = or_404(selectors.team_by_organiser_token(token, with_snapshot=False))
    action(team_obj=team)
    messages.success(request, message)
    return redirect(team)


@require_POST
def team_close(request, token):
    return _organiser_action(request, token, team_services.team_close, CLOSED_MESSAGE)


@require_POST
def team_reopen(request, token):
    return _organiser_action(request, token, team_services.team_reopen, REOPENED_MESSAGE)


@require_http_methods(["GET", "HEAD", "POST"])
def team_delete(request, token):
    """Delete the team and its respondents' assessments, after a confirmation page (GET) that
    says what goes; the deletion itself is a POST (CSRF-protected like every form)."""
    team = or_404(selectors.team_by_organiser_token(token, with_snapshot=False))
    if request.method == "POST":
        company = team.company
        team_services.team_delete(team_obj=team)
        messages.success(request, DELETED_MESSAGE % {"company": company})
        return redirect("advisor:home")
    context = {
        "team": team,
        "count": team.respondents.count(),
        "action": reverse("advisor:team_delete", kwargs={"token": team.organiser_token}),
        "back": team.get_absolute_url(),
    }
    return _no_robots(render(request, "advisor/team_confirm_delete.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("submit", methods=("POST",))
def respondent_change(request, token):
    """Change a team respondent's answers (docs/product.md §8, §9): the new assessment replaces the
    old one in the team, against the pinned snapshot. Assessments outside a team: not here."""
    assessment = or_404(selectors.team_respondent(token))
    team = assessment.team
    if team.closed:
        return _unavailable(request, closed=True)
    bundle = team_services.team_bundle(team)
    status = 200
    if request.method == "POST":
        form = forms.TeamJoinForm(bundle, data=request.POST, anonymous=team.anonymous)
        if form.is_valid():
            fields = form.join_fields()
            try:
                new = team_services.team_respondent_replace(assessment=assessment, **fields)
            except team_services.TeamClosed:
                return _unavailable(request, closed=True)
            except models.Assessment.DoesNotExist:
                raise Http404 from None  # changed or deleted in between through another request
            messages.success(request, CHANGED_MESSAGE)
            return redirect(new)
        status = 400 if form.tampered else 200
    else:
        initial = dict(assessment.answers)
        initial["respondent-name"] = assessment.respondent_name
        initial["respondent-title"] = assessment.respondent_title
        form = forms.TeamJoinForm(bundle, initial=initial, anonymous=team.anonymous)
    context = _form_context(team, form, change=True)
    return _no_robots(render(request, "advisor/team_join.html", context, status=status))
