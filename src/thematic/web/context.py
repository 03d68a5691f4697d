"""What every page's layout needs: whether to show a lead's links in the navigation."""
from __future__ import annotations

from django.http import HttpRequest

from thematic.web.visibility import is_lead


def navigation(request: HttpRequest) -> dict[str, bool]:
    return {"lead": is_lead(request.user) if hasattr(request, "user") else False}
