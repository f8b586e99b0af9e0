"""Command line: python -m receiver serve | migrate | add-staff | import-roster | retention.
Every command takes --database URL (or DATABASE_URL); errors are one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jsonschema.exceptions import SchemaError
from sqlalchemy.exc import OperationalError

from . import migrate, store
from .db import DatabaseURLError, database_url, make_engine


def _engine(args: argparse.Namespace):  # noqa: ANN202
    return make_engine(database_url(args.database))


def cmd_migrate(args: argparse.Namespace) -> int:
    migrate.upgrade(_engine(args))
    print("database schema is current")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import Settings, create_app

    url = database_url(args.database)
    engine = make_engine(url)
    migrate.upgrade(engine)
    origins = tuple(o.strip().rstrip("/") for o in (args.allow_origin or []) +
                    os.environ.get("RECEIVER_ALLOWED_ORIGINS", "").split(",") if o.strip())
    secret = os.environ.get("RECEIVER_SESSION_SECRET")
    settings = Settings(database_url=url, allowed_origins=origins, rate_limit=args.rate_limit,
                        secure_cookies=args.secure_cookies, edition=args.edition,
                        **({"session_secret": secret} if secret else {}),
                        **({"schema_file": Path(args.schema)} if args.schema else {}))
    app = create_app(settings, engine)
    print(f"receiver: http://{args.host}:{args.port}/ (staff pages at /staff/; CORS for: "
          f"{', '.join(origins) or 'no other origin'})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True,
                forwarded_allow_ips=args.forwarded_allow_ips, log_level=args.log_level, access_log=False,
                server_header=False, timeout_graceful_shutdown=10)
    return 0


def cmd_add_staff(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass(f"Password for {args.name}: ")
    if len(password) < 10:
        print("error: the password must have at least 10 characters", file=sys.stderr)
        return 2
    created = store.add_staff(_migrated(args), args.name, password)
    print(f"staff account {args.name!r} {'created' if created else 'given a new password'}")
    return 0


def _migrated(args: argparse.Namespace):  # noqa: ANN202
    engine = _engine(args)
    migrate.upgrade(engine)
    return engine


def cmd_import_roster(args: argparse.Namespace) -> int:
    rows = store.read_roster(Path(args.file))
    count = store.import_roster(_migrated(args), rows)
    print(f"roster: {count} students imported (the previous roster was replaced)")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    result = store.apply_retention(_migrated(args), args.keep_years, args.dry_run)
    verb = "deleted" if result.deleted else "would delete (dry run)"
    print(f"records received before {result.cutoff.date().isoformat()}: {verb} {result.records} records "
          f"and {result.audit_events} audit log entries")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m receiver", description="The Sign-Off form's acknowledgement receiver.")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--database", help="sqlite:///path/file.sqlite3 or postgresql://user@host/db (default: $DATABASE_URL)")
        return c

    serve = command("serve", "migrate, then serve the API and the staff pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--allow-origin", action="append", metavar="ORIGIN",
                       help="the site's origin the form posts from, e.g. https://handbook.example.org (repeatable; "
                            "also $RECEIVER_ALLOWED_ORIGINS, comma-separated)")
    serve.add_argument("--rate-limit", default="20/minute", help="records per client address (default 20/minute)")
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                       help="proxies whose X-Forwarded-For is trusted for the client's address (default 127.0.0.1)")
    serve.add_argument("--secure-cookies", action="store_true", help="session cookie over HTTPS only (behind TLS)")
    serve.add_argument("--edition", help="edition the staff overview opens with (default: newest with records)")
    serve.add_argument("--schema", help="the record's JSON Schema (default: the form's, site_templates/assets/)")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(run=cmd_serve)

    command("migrate", "create or upgrade the database schema").set_defaults(run=cmd_migrate)

    staff = command("add-staff", "create a staff account (or set its password)")
    staff.add_argument("name")
    staff.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    staff.set_defaults(run=cmd_add_staff)

    roster = command("import-roster", "replace the roster from a CSV: student_id,name,school,grade")
    roster.add_argument("file")
    roster.set_defaults(run=cmd_import_roster)

    retention = command("retention", "delete records older than N school years (July to June)")
    retention.add_argument("--keep-years", type=int, required=True, help="school years kept, the current one included")
    retention.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    retention.set_defaults(run=cmd_retention)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (DatabaseURLError, store.RosterError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"error: cannot reach the database: {exc.orig}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. --schema pointing at no file
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"error: the record's schema is not a valid JSON Schema: {exc.message}", file=sys.stderr)
        return 2
