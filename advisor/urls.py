from django.urls import path, register_converter

from advisor.views import links, public, reports, workspace
from advisor.views import team as team_views


class TokenConverter:
    """An assessment token's characters (URL-safe base64), so odd paths 404 before any query."""

    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "advisor"

urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
    path("", public.home, name="home"),
    path("assess/", public.questionnaire, name="assess"),
    path("a/<token:token>/", public.result, name="result"),
    path("a/<token:token>/delete/", public.delete, name="delete"),
    path("a/<token:token>/change/", links.change, name="change"),
    path("a/<token:token>/email/", links.email_link, name="email_link"),
    path("a/<token:token>/earlier/", links.earlier, name="earlier"),
    path("favicon.ico", public.favicon, name="favicon"),
    path("a/<token:token>/team/", team_views.respondent_team, name="respondent_team"),
    path("t/new/", team_views.team_new, name="team_new"),
    path("t/<token:token>/", team_views.team_organiser, name="team"),
    path("t/<token:token>/join/", team_views.team_join, name="team_join"),
    path("t/<token:token>/result/", team_views.team_result, name="team_result"),
    path("t/<token:token>/result.json", team_views.team_result_json, name="team_result_json"),
    path("t/<token:token>/report/", team_views.team_report, name="team_report"),
    path("t/<token:token>/report.pdf", team_views.team_report_pdf, name="team_report_pdf"),
    path("t/<token:token>/close/", team_views.team_close, name="team_close"),
    path("t/<token:token>/reopen/", team_views.team_reopen, name="team_reopen"),
    path("t/<token:token>/delete/", team_views.team_delete, name="team_delete"),
    path("t/<token:token>/email/", team_views.team_email, name="team_email"),
    path("assessments/", workspace.workspace_list, name="workspace"),
    path("assessments/export.csv", workspace.workspace_export, name="workspace_export"),
    path("assessments/export.xlsx", workspace.workspace_export_xlsx, name="workspace_export_xlsx"),
    path("assessments/teams/", workspace.workspace_teams, name="workspace_teams"),
    path(
        "assessments/teams/<int:pk>/delete/",
        workspace.workspace_team_delete,
        name="workspace_team_delete",
    ),
    path("assessments/<token:token>/", workspace.workspace_detail, name="workspace_detail"),
    path("a/<token:token>/report/", reports.report, name="report"),
    path("a/<token:token>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("brand/logo-<slug:digest>.<str:extension>", public.brand_logo, name="brand_logo"),
    path("brand/<slug:digest>.css", public.brand_css, name="brand_css"),
]
