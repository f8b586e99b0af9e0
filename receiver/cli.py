"""Command line: python -m receiver serve | migrate | add-staff | disable-staff | remove-staff | import-roster | retention.
Every command takes --database URL (or DATABASE_URL); errors are one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jsonschema.exceptions import SchemaError
from sqlalchemy.exc import OperationalError

import ipaddress

from . import migrate, sessions, store
from .db import DatabaseURLError, database_url, make_engine
from .publications import Publication, PublicationError, from_site
from .validation import PROJECT

BUILT_SITE = PROJECT / "site"  # `make site`'s output, the default --site in a checkout


def _engine(args: argparse.Namespace):  # noqa: ANN202
    return make_engine(database_url(args.database))


def cmd_migrate(args: argparse.Namespace) -> int:
    migrate.upgrade(_engine(args))
    print("database schema is current")
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def publications(args: argparse.Namespace) -> tuple[Publication, ...]:
    """--site (each language's edition, text, title, district and statements, read from the built site's Sign-Off
    form), else --edition (the edition only; repeatable)."""
    if args.site:
        return from_site(Path(args.site))
    editions = args.edition or [e for e in os.environ.get("RECEIVER_EDITIONS", "").split(",") if e.strip()]
    if editions:
        return tuple(Publication(e.strip()) for e in editions)
    if (BUILT_SITE / "index.html").exists():  # in a checkout after `make site`: that site is what is published
        return from_site(BUILT_SITE)
    raise PublicationError("say which edition families sign: --site site/ (the built site, best: it also gives "
                           "each language's content fingerprint and statements) or --edition 2024-2026")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import Settings, create_app

    if args.insecure_cookies and not _loopback(args.host):
        print(f"error: --insecure-cookies is for a preview on this machine only; --host {args.host} is reachable "
              "from elsewhere: serve behind TLS with the default Secure cookies", file=sys.stderr)
        return 2
    url = database_url(args.database)
    published = publications(args)
    secret = os.environ.get("RECEIVER_SESSION_SECRET")
    if secret:
        sessions.check_secret(secret)
    else:
        secret_file = Path(args.secret_file) if args.secret_file else sessions.default_secret_file(url)
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret = sessions.secret_from_file(secret_file)
    engine = make_engine(url)
    migrate.upgrade(engine)
    origins = tuple(o.strip().rstrip("/") for o in (args.allow_origin or []) +
                    os.environ.get("RECEIVER_ALLOWED_ORIGINS", "").split(",") if o.strip())
    settings = Settings(database_url=url, session_secret=secret, allowed_origins=origins,
                        rate_limit=args.rate_limit, secure_cookies=not args.insecure_cookies,
                        publications=published, edition=published[0].school_years,
                        **({"schema_file": Path(args.schema)} if args.schema else {}))
    app = create_app(settings, engine)
    print(f"receiver: http://{args.host}:{args.port}/ (staff pages at /staff/; CORS for: "
          f"{', '.join(origins) or 'no other origin'}; editions: "
          f"{', '.join(dict.fromkeys(p.school_years for p in published))})", flush=True)
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
    problem = store.password_problem(password, args.name)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    created = store.add_staff(_migrated(args), args.name, password)
    print(f"staff account {args.name!r} {'created' if created else 'given a new password (its sessions ended)'}")
    return 0


def cmd_disable_staff(args: argparse.Namespace) -> int:
    remove = args.command == "remove-staff"
    ended = store.disable_staff(_migrated(args), args.name, remove=remove)
    store.audit(_engine(args), "(command line)", "staff_removed" if remove else "staff_disabled", via="command_line",
                account=args.name)
    print(f"staff account {args.name!r} {'removed' if remove else 'disabled'}; {ended} sessions ended")
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
    serve.add_argument("--rate-limit", default="1200/minute",
                       help="records per client address (default 1200/minute: a school behind one address)")
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                       help="proxies whose X-Forwarded-For is trusted for the client's address (default 127.0.0.1)")
    serve.add_argument("--insecure-cookies", action="store_true",
                       help="cookies without Secure and no HSTS: only for a preview over http on 127.0.0.1 "
                            "(refused with another --host)")
    # Kept so an older command line still starts; Secure cookies are the default now.
    serve.add_argument("--secure-cookies", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--secret-file", help="the session secret's file (made once, 0600, when missing; default: "
                                             "beside the SQLite file, var/receiver-session.secret for PostgreSQL); "
                                             "$RECEIVER_SESSION_SECRET (32 bytes at least) wins")
    serve.add_argument("--site", help="the built site: the editions, texts and statements families sign (default: "
                                      "this checkout's site/ when built and no --edition is given)")
    serve.add_argument("--edition", action="append",
                       help="an edition families sign, e.g. 2024-2026, when there is no --site (repeatable; "
                            "the first opens the staff overview)")
    serve.add_argument("--schema", help="the record's JSON Schema (default: the form's, site_templates/assets/)")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(run=cmd_serve)

    command("migrate", "create or upgrade the database schema").set_defaults(run=cmd_migrate)

    staff = command("add-staff", "create a staff account (or set its password)")
    staff.add_argument("name")
    staff.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    staff.set_defaults(run=cmd_add_staff)

    for name, help_text in (("disable-staff", "disable a staff account: it cannot sign in, its sessions end"),
                            ("remove-staff", "remove a staff account (its audit entries stay); its sessions end")):
        account = command(name, help_text)
        account.add_argument("name")
        account.set_defaults(run=cmd_disable_staff)

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
    except (DatabaseURLError, store.RosterError, PublicationError, ValueError) as exc:
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
