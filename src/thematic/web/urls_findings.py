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
