"""Serve the workspace with gunicorn (a production server; never Django's development server)."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from thematic.web.wsgi import application

        return application


def serve(host: str, port: int, workers: int) -> None:
    """Run until stopped (Ctrl-C or SIGTERM). Django must be set up for the data folder already."""
    from django.db import connections

    connections.close_all()  # workers are forked: none may inherit the master's database connection
    _Gunicorn({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        # Paths carry only opaque ids; never log query strings or bodies.
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "proc_name": "thematic-serve",
        # One control socket per user is shared by every gunicorn: two servers (tests) would fight over it.
        "control_socket_disable": True,
    }).run()
