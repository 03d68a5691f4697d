"""The workspace's URLs for findings (included by `thematic.web.urls`; docs/web.md lists who may open each)."""
from __future__ import annotations

from django.urls import URLPattern, path

from thematic.web import views_findings as views

urlpatterns: list[URLPattern] = [
    path("inspections/<slug:inspection>/findings", views.findings, name="findings"),
    path("inspections/<slug:inspection>/reports", views.produce_report, name="produce_report"),
    path("inspections/<slug:inspection>/reports/<str:job>", views.report_status, name="report_status"),
    path("inspections/<slug:inspection>/reports/<str:job>/<str:name>", views.report_file, name="report_file"),
]
urlpatterns += [
    path("programme", views.programme, name="programme"),
    path("programme/rounds/<int:year>", views.programme_round, name="programme_round"),
    path("programme/forces/<slug:force>", views.programme_force, name="programme_force"),
    path("programme/reports/<slug:scope>/<str:job>", views.programme_report, name="programme_report"),
    path("programme/reports/<slug:scope>/<str:job>/<str:name>", views.programme_file, name="programme_file"),
]
