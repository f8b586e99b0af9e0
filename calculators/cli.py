"""Command line: `python -m calculators consequence ...` and `python -m calculators absentee ...`.

Exit status: 0 with an answer; 2 with the reason (in the requested language) when the input is bad;
1 when the compiled handbook data is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .absentee import AbsenteeResult, absentee_tier
from .consequence import ConsequenceResult, behavior_options, lookup_consequence
from .data import load_data
from .errors import CalculatorDataError, CalculatorInputError
from .numbers import excerpt
from .words import LANGUAGES, word
from . import deadline  # part: deadlines (issue 14)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m calculators",
                                     description="Handbook calculators: consequence lookup and absentee-rate tier.")
    parser.add_argument("--data", metavar="FILE", help="compiled handbook JSON (default: the packaged data)")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", default=LANGUAGES[0], help=f"language of the answer ({', '.join(LANGUAGES)})")
        p.add_argument("--json", action="store_true", help="print the full result as JSON")

    c = sub.add_parser("consequence", help="the matrix's response to an offense")
    c.add_argument("behavior", help="behavior name as printed, one of its codes, or its row id")
    c.add_argument("--level", required=True, help="school level (e.g. elementary, secondary)")
    c.add_argument("--offense", default="1", help="offense number: 1, 2, 3, ... (default 1)")
    c.add_argument("--damage", help="value in dollars, for behaviors whose response depends on it")
    common(c)
    a = sub.add_parser("absentee", help="absentee rate and tier")
    a.add_argument("--absent", required=True, help="days absent, excused and unexcused (decimals allowed: 17.9)")
    a.add_argument("--enrolled", required=True, help="days enrolled")
    common(a)
    o = sub.add_parser("behaviors", help="list the behaviors of a school level's matrix")
    o.add_argument("--level", required=True, help="school level")
    common(o)
    deadline.add_parser(sub, common)  # part: deadlines
    return parser


def _consequence_text(r: ConsequenceResult) -> str:
    def w(key: str, **values: object) -> str:
        return word(r.lang, key, **values)

    first = [note.text for note in r.notes if note.kind in ("status", "value")]
    lines = [f"{r.behavior} ({', '.join(r.codes)})" if r.codes else r.behavior,
             f"{r.matrix_title}, {r.level_title}, {r.printed_offense_header}", "",
             *first, *([""] if first else []),
             f"{w('label_handbook_text')}: {r.handbook_text}",
             f"{w('label_plain')}: {r.plain_language}"]
    for option in r.band_options:
        lines.append(f"  - {option.handbook_text}")
    for d in r.definitions:
        lines.append(f"{w('label_definitions')}: {d.title} ({w('label_see', page=d.page_title)})")
    if r.meanings:
        lines.append(f"{w('label_meanings')}:")
        lines += [f"  {m.code}: {m.title or m.name}" for m in r.meanings]
    lines.append(f"{w('label_notes')}:")
    for note in r.notes:
        if note.kind in ("status", "value"):
            continue
        lines.append(f"  * {note.title}: {note.text}")
        lines += [f"      {step.text}" for step in note.steps]
        lines += [f"      “{q.text}” ({q.page_title})" for q in note.quotes]
    return "\n".join(lines)


def _absentee_text(t: AbsenteeResult) -> str:
    def w(key: str, **values: object) -> str:
        return word(t.lang, key, **values)

    lines = [t.summary, "", f"{w('label_rate')}: {t.rate_text}", f"{w('label_tier')}: {t.heading} ({t.printed_range})",
             f"  {t.rule_text}", f"{w('label_handbook_text')}: {t.handbook_text}", t.chronic_text,
             t.absences_counted_text]
    if t.next_tier:
        lines.append(f"{w('label_next_tier')}: {t.next_tier.text}")
    if t.referral:
        lines.append(f"{w('label_referral')}: {t.referral.title}")
        lines += [f"  - {item}" for item in t.referral.items]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        data = load_data(args.data)
        result: Any
        if args.command == "deadline":  # part: deadlines
            return deadline.main(args, data)
        if args.command == "consequence":
            result = lookup_consequence(args.behavior, args.level, args.offense, args.damage, args.lang, data=data)
            text = _consequence_text(result)
        elif args.command == "absentee":
            result = absentee_tier(args.absent, args.enrolled, args.lang, data=data)
            text = _absentee_text(result)
        else:
            options = behavior_options(args.level, args.lang, data=data)
            text = json.dumps(options, ensure_ascii=False, indent=2) if args.json else \
                "\n".join(f"{o['id']}\t{', '.join(o['codes'])}\t{o['label']}" for o in options)
            return _output(text)
    except CalculatorInputError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except CalculatorDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - data of the right schema but the wrong shape: a message, no traceback
        where = args.data or "the packaged calculator data"
        print(f"{where}: not calculator data the calculators can read ({type(exc).__name__}: {excerpt(str(exc))}); "
              "compile it with `python -m build_scripts calculator-data`", file=sys.stderr)
        return 1
    return _output(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if args.json else text)


def _output(text: str) -> int:
    """Prints the answer; a reader that stops reading (`| head`) is no error of ours and gets no traceback."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit raises nothing
    return 0
