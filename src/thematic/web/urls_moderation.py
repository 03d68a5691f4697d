"""The workspace's URLs for moderation (included by `thematic.web.urls`; docs/web.md lists who may open each)."""
from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
