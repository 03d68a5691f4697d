"""The workspace's URLs (named; docs/web.md lists them with who may open each)."""
from __future__ import annotations

from django.urls import path

from thematic.web import urls_findings, urls_forces, urls_moderation, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in", views.sign_in, name="sign_in"),
    path("sign-out", views.sign_out, name="sign_out"),
    path("", views.home, name="home"),
    path("import", views.import_page, name="import"),
    path("accounts", views.accounts, name="accounts"),
    path("inspections/<slug:inspection>", views.inspection, name="inspection"),
    path("inspections/<slug:inspection>/cases", views.my_cases, name="my_cases"),
    path("inspections/<slug:inspection>/assign", views.assign_cases, name="assign"),
    path("inspections/<slug:inspection>/spread", views.spread_cases, name="spread"),
    path("inspections/<slug:inspection>/double-score", views.double_score_cases, name="double_score"),
    path("inspections/<slug:inspection>/export", views.export_download, name="export"),
    path("assignments/<int:pk>", views.case, name="case"),
    path("assignments/<int:pk>/reopen", views.reopen_case, name="reopen"),
    # The team's pages (issue 15), one module each.
    *urls_moderation.urlpatterns,
    *urls_findings.urlpatterns,
    *urls_forces.urlpatterns,
]

handler404 = "thematic.web.views.not_found"
