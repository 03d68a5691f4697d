"""The workspace's URLs for moderation (included by `thematic.web.urls`; docs/web.md lists who may open each)."""
from __future__ import annotations

from django.urls import URLPattern, path

from thematic.web import views_moderation

urlpatterns: list[URLPattern] = [
    path("inspections/<slug:inspection>/moderation", views_moderation.moderation, name="moderation"),
    path("inspections/<slug:inspection>/moderators", views_moderation.moderators, name="moderators"),
    path("inspections/<slug:inspection>/agreement", views_moderation.agreement, name="agreement"),
]
