from django.urls import path

from advisor import reports, views, workspace

app_name = "advisor"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("assessments/", workspace.workspace_list, name="workspace"),
    path("assessments/export.csv", workspace.workspace_export, name="workspace_export"),
    path("assessments/<str:token>/", workspace.workspace_detail, name="workspace_detail"),
    path("a/<str:token>/report/", reports.report, name="report"),
    path("a/<str:token>/report.pdf", reports.report_pdf, name="report_pdf"),
]
