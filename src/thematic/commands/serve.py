"""`thematic serve`: run the inspection workspace in the browser with a production server (gunicorn)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers

DEFAULT_DATA = "thematic-data"


def add_data(parser: argparse.ArgumentParser) -> None:
    """`--data DIR`: the workspace's data folder (shared by `serve` and every `web` command)."""
    parser.add_argument("--data", metavar="DIR", default=None,
                        help=f"the workspace's data folder: its SQLite database and secret key (default: "
                             f"./{DEFAULT_DATA}/; THEMATIC_DATABASE_URL=postgresql://... puts the database in "
                             "PostgreSQL instead)")


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("serve", help="serve the inspection workspace in the browser",
                              description="Serve the inspection workspace (sign in, cases, scoring, audit trail) "
                                          "with gunicorn, static files included. Put it behind a TLS proxy to serve "
                                          "beyond this machine (docs/web.md).")
    add_data(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--workers", type=int, default=2, help="server processes (default: 2)")
    p.add_argument("--demo", action="store_true",
                   help="make a fresh data folder (a new temporary one unless --data names a new or empty "
                        "folder) holding the fictional demo inspection and an account for every role, print "
                        "each account's one-time password, and serve it")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Prepare the data folder (and the demo), then serve until stopped."""
    import tempfile
    from pathlib import Path

    from thematic.core.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError.single("thematic serve", f"expected a port from 1 to 65535, got {args.port}", field="--port")
    if not 0 < args.workers <= 64:
        raise InputError.single("thematic serve", f"expected 1 to 64 workers, got {args.workers}", field="--workers")
    data = args.data
    if args.demo:
        if data is None:
            data = tempfile.mkdtemp(prefix="thematic-demo-")
        elif Path(data).exists() and (not Path(data).is_dir() or any(Path(data).iterdir())):
            raise InputError.single(data, "--demo needs a new or empty folder; it never changes an existing workspace",
                                    field="--data")
    from thematic.web.bootstrap import setup

    folder = setup(data or DEFAULT_DATA)
    if args.demo:
        from thematic.web.demo import build_demo

        print(f"demo workspace in {folder} (fictional data only)")
        print("accounts (role, user name, one-time password), one a line:")
        for account in build_demo(folder):
            print(f"{account.role}\t{account.name}\t{account.password}")
    else:
        from thematic.web.models import Membership

        if not Membership.objects.filter(role="lead", user__is_active=True).exists():
            print(f"no lead account yet: add one with  thematic web adduser NAME --role lead --data {folder}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("listening beyond this machine: put a TLS proxy in front and set THEMATIC_HTTPS=1 and "
              "THEMATIC_ALLOWED_HOSTS (docs/web.md)")
    print(f"serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    from thematic.web.server import serve

    serve(args.host, args.port, args.workers)
    return 0
