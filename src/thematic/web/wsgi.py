"""The WSGI application gunicorn serves (`thematic serve`); the data folder comes from THEMATIC_DATA."""
from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thematic.web.settings")
application = get_wsgi_application()
