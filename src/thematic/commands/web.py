"""`thematic web`: administer the inspection workspace from the command line (accounts, imports,
exports, backups); each subcommand takes `--data DIR` as `thematic serve` does."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from thematic.commands.serve import DEFAULT_DATA, add_data

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("web", help="administer the inspection workspace (accounts, import, export, backup)",
                              description="Administer the inspection workspace that `thematic serve` serves.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, help="what to do", parser_class=type(p))
    init = actions.add_parser("init", help="create the data folder, its secret key and the database")
    add_data(init)
    add = actions.add_parser("adduser", help="add an account",
                             description="Add an account. NAME is a reference such as insp-c, never a person's "
                                         "name. A lead and a programme user see every inspection; an inspector "
                                         "those they are on; a force user its own force's.")
    add.add_argument("name", metavar="NAME", help="the account's user name, such as insp-c")
    # web.models.ROLES, written out: importing it here would load Django whenever the CLI starts.
    add.add_argument("--role", required=True, choices=("lead", "inspector", "force", "programme"),
                     help="what the account may do (docs/web.md)")
    add.add_argument("--force", metavar="CODE", help="the force of a force user (its force code)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (otherwise a one-time password is printed)")
    add_data(add)
    imp = actions.add_parser("import", help="import an inspection: criteria, cases and judgements files",
                             description="Import an inspection file with the criteria, cases and judgements files it "
                                         "names, in one transaction: any problem is reported with its file and line, "
                                         "and nothing is imported.")
    imp.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    imp.add_argument("--without-answers", action="store_true",
                     help="leave out every inspector's answers and grades in the files: a fresh sample to score")
    add_data(imp)
    exp = actions.add_parser("export", help="export an inspection for `thematic run`, with its audit trail",
                             description="Write DIR/inspection.yaml, criteria.yaml, cases/, judgements/ (one file "
                                         "per scorer) and audit.jsonl: `thematic run DIR/inspection.yaml` gives the "
                                         "workspace's results.")
    exp.add_argument("inspection", metavar="INSPECTION-ID", help="the id of an imported inspection")
    exp.add_argument("-o", "--output", required=True, metavar="DIR", help="a new or empty folder")
    add_data(exp)
    back = actions.add_parser("backup", help="write a consistent snapshot of the database (safe while serving)")
    back.add_argument("-o", "--output", required=True, metavar="FILE", help="the snapshot file to write")
    add_data(back)
    restore = actions.add_parser("restore", help="put a SQLite snapshot back (stop the server first)",
                                 description="Replace the data folder's SQLite database with a snapshot made by "
                                             "`thematic web backup`. PostgreSQL dumps are restored with pg_restore "
                                             "(docs/web.md).")
    restore.add_argument("snapshot", metavar="FILE", help="a snapshot made by thematic web backup")
    add_data(restore)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Set Django up for the data folder and run the action."""
    from pathlib import Path

    from thematic.core.errors import InputError
    from thematic.web.bootstrap import setup

    data = args.data or DEFAULT_DATA
    if args.action == "restore":
        import os

        from thematic.web.backup import restore_sqlite
        from thematic.web.datadir import ENV_DATABASE_URL

        if os.environ.get(ENV_DATABASE_URL):
            raise InputError.single(args.snapshot, "restore a PostgreSQL dump with pg_restore (docs/web.md)")
        if not Path(args.snapshot).is_file():
            raise InputError.single(args.snapshot, "file not found")
        restore_sqlite(args.snapshot, data)
        setup(data)  # a snapshot from an older version gets this version's migrations
        print(f"restored {args.snapshot} into {Path(data).absolute()}")
        return 0
    folder = setup(data)
    if args.action == "init":
        print(f"workspace ready in {folder}")
    elif args.action == "adduser":
        from thematic.web.accounts import add_user

        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        user, chosen = add_user(args.name, args.role, force=args.force, password=password)
        print(f"added {args.role} {user.username}" + ("" if args.password_stdin else f"\tone-time password: {chosen}"))
    elif args.action == "import":
        from thematic.web.importing import import_inspection

        inspection = import_inspection(args.inspection, actor=None, answers=not args.without_answers)
        print(f"imported {inspection.slug}: {inspection.cases.count()} cases")
    elif args.action == "export":
        from thematic.web.exporting import export_inspection
        from thematic.web.models import Inspection

        found = Inspection.objects.filter(slug=args.inspection).first()
        if found is None:
            raise InputError.single(args.inspection, "no inspection of that id in the workspace", field="INSPECTION-ID")
        path = export_inspection(found, args.output)
        print(f"exported {found.slug} to {path.parent} (thematic run {path})")
    elif args.action == "backup":
        from thematic.web.backup import backup

        kind = backup(args.output)
        print(f"wrote {args.output} ({kind})")
    return 0
