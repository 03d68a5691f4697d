"""The Django application of the workspace (label `web`)."""
from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "thematic.web"
    label = "web"
    verbose_name = "thematic workspace"
    default_auto_field = "django.db.models.BigAutoField"
