"""The workspace's URLs (named; docs/web.md lists them with who may open each)."""
from __future__ import annotations

from django.urls import path

from thematic.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
