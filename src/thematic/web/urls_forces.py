"""The workspace's URLs for forces (included by `thematic.web.urls`; docs/web.md lists who may open each)."""
from __future__ import annotations

from django.urls import URLPattern, path

from thematic.web import views_forces

urlpatterns: list[URLPattern] = [
    path("inspections/<slug:inspection>/self-assessment", views_forces.self_assessment, name="self_assessment"),
    path("inspections/<slug:inspection>/self-assessment/open", views_forces.open_self_assessment,
         name="self_assessment_open"),
    path("inspections/<slug:inspection>/self-assessment/comparison.json", views_forces.comparison_json,
         name="self_assessment_json"),
    path("inspections/<slug:inspection>/self-assessment/report.html", views_forces.report_html,
         name="self_assessment_html"),
    path("inspections/<slug:inspection>/self-assessment/report.pdf", views_forces.report_pdf,
         name="self_assessment_pdf"),
    path("inspections/<slug:inspection>/publish", views_forces.publish, name="publish"),
]
