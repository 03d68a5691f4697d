"""What every page's layout needs: whether to show a lead's, and the programme pages', links."""
from __future__ import annotations

from django.http import HttpRequest

from thematic.web.models import LEAD, PROGRAMME
from thematic.web.visibility import role


def navigation(request: HttpRequest) -> dict[str, bool]:
    who = role(request.user) if hasattr(request, "user") else None
    return {"lead": who == LEAD, "programme_pages": who in (LEAD, PROGRAMME)}
