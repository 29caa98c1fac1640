"""`seastat actions add | list | update | export`: the Follow-up page's database from a script.
Bad input is an ActionError (a ValueError), which seastat.cli prints as one line, exit code 2."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import io
import json
import os
import sys
from pathlib import Path

from ..config import Settings
from .names import COMPARISON_LEVELS, PLACE_LEVELS, STATUSES

# The database and the statistics load only when an `actions` command runs (seastat's other
# commands start without them).

# Cells a spreadsheet would run as a formula get a leading apostrophe in CSV exports (OWASP's advice).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def _who() -> str:
    try:
        return os.environ.get("SEASTAT_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr and exit code 2, like every other input error
    (argparse would print the whole usage first); --help still shows it all."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def add_parser(sub) -> None:
    """The `actions` subcommand and its four verbs, on seastat's subparsers."""
    p = sub.add_parser("actions", help="commitments made at the meeting: add, list, update, export")
    p.error = OneLineParser.error.__get__(p)
    p.add_argument("--store", help="store folder, for checking places and showing results (default: data.store)")
    verbs = p.add_subparsers(dest="verb", required=True, parser_class=OneLineParser)

    a = verbs.add_parser("add", help="record a commitment")
    a.add_argument("--what", required=True, help="the action, in plain text")
    a.add_argument("--owner", required=True, help="unit or partner agency")
    a.add_argument("--level", required=True, choices=PLACE_LEVELS, help="the kind of place")
    a.add_argument("--place", required=True, help="the precinct, sector, beat or 100-block as the data spells it")
    a.add_argument("--dataset", default="crime", choices=["crime", "calls", "use_of_force"])
    a.add_argument("--target", default="all", help="offense group or type, call type, force level, or all")
    a.add_argument("--start", type=_date, required=True, help="first day of the action (YYYY-MM-DD)")
    a.add_argument("--due", type=_date, required=True, help="the meeting it is due back at (YYYY-MM-DD)")
    a.add_argument("--measure", required=True, help="what will judge it")
    a.add_argument("--compare-level", choices=COMPARISON_LEVELS, help="comparison area (default: rest of its precinct)")
    a.add_argument("--compare-place", default="", help="the comparison precinct, sector or beat")
    a.add_argument("--by", default=None, help="who records it (default: your user name)")
    a.set_defaults(run=cmd_add)

    ls = verbs.add_parser("list", help="list commitments")
    ls.add_argument("--status", choices=[*STATUSES, "all"], default="all")
    ls.add_argument("--due-by", type=_date, help="only those due on or before this day")
    ls.add_argument("--results", action="store_true", help="with each one's before/after result (needs the store)")
    ls.set_defaults(run=cmd_list)

    u = verbs.add_parser("update", help="change a commitment (every change is kept in its history)")
    u.add_argument("id", type=int)
    u.add_argument("--version", type=int, help="the version you looked at: refused if someone changed it since")
    u.add_argument("--status", choices=STATUSES)
    u.add_argument("--note", help="why (needed when closing as done or dropped)")
    for name in ("what", "owner", "measure", "target"):
        u.add_argument(f"--{name}")
    u.add_argument("--level", choices=PLACE_LEVELS)
    u.add_argument("--place")
    u.add_argument("--start", type=_date)
    u.add_argument("--due", type=_date)
    u.add_argument("--by", default=None)
    u.set_defaults(run=cmd_update)

    m = verbs.add_parser("migrate", help="move the database schema up or down (opening it always goes to the newest)")
    m.add_argument("--to", default="head", help="a revision: head (newest, default), base (empty), or e.g. 0001")
    m.set_defaults(run=cmd_migrate)

    e = verbs.add_parser("export", help="every commitment (or the change history) as CSV or JSON")
    e.add_argument("--format", choices=["csv", "json"], default="csv")
    e.add_argument("--history", action="store_true", help="the change history instead of the commitments")
    e.add_argument("--out", help="file to write (default: standard output)")
    e.set_defaults(run=cmd_export)


def _open(settings: Settings):
    from .db import Actions
    return Actions.open(settings.database_url)


def _known(args, settings: Settings):
    from ..store import Store
    from .check import Known
    store = Store.open(Path(args.store) if args.store else settings.store_dir)
    return store, Known.from_store(store, settings)


def cmd_add(args, settings: Settings) -> int:
    from .db import Draft
    _, known = _known(args, settings)
    actions = _open(settings)
    draft = Draft(what=args.what, owner=args.owner, place_level=args.level, place_value=args.place,
                  dataset=args.dataset, target=args.target, start_date=args.start, due_date=args.due,
                  measure=args.measure, comparison_level=args.compare_level,
                  comparison_value=args.compare_place if args.compare_level else None)
    record = actions.add(draft, by=args.by or _who(), known=known)
    print(f"added commitment #{record.id} (version {record.version}): {record.place}, {record.target_label}, "
          f"due {record.due_date}")
    return 0


def cmd_list(args, settings: Settings) -> int:
    actions = _open(settings)
    records = actions.list(status=None if args.status == "all" else args.status, due_by=args.due_by)
    if not records:
        print("no commitments")
        return 0
    verdicts = {}
    if args.results:
        from .outcome import result
        store, known = _known(args, settings)
        verdicts = {r.id: result(store, r, known, settings).text for r in records}
    for r in records:
        what = r.what.replace("\n", " ")
        print(f"#{r.id:<4} {r.status:<8} due {r.due_date}  v{r.version:<3} {r.place} · {r.target_label} · "
              f"{r.owner}: {what[:70] + ('…' if len(what) > 70 else '')}")
        if r.id in verdicts:
            print(f"      {verdicts[r.id]}")
    return 0


def cmd_update(args, settings: Settings) -> int:
    from .check import ActionError
    from .db import change_in_words
    changes = {"status": args.status, "status_note": args.note, "what": args.what, "owner": args.owner,
               "measure": args.measure, "target": args.target, "place_level": args.level, "place_value": args.place,
               "start_date": args.start, "due_date": args.due}
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise ActionError("nothing to change: give --status, --note, --what, ... (see --help)")
    if ("place_level" in changes) != ("place_value" in changes):
        raise ActionError("give --level and --place together")
    _, known = _known(args, settings)
    actions = _open(settings)
    version = args.version if args.version is not None else actions.get(args.id).version
    before = actions.get(args.id)
    record = actions.update(args.id, version=version, by=args.by or _who(), known=known, **changes)
    if record.version == before.version:
        print(f"commitment #{record.id}: nothing changed (version {record.version})")
    else:
        mine = [c for c in actions.history(record.id) if c.version == record.version]
        print(f"updated commitment #{record.id} to version {record.version}: {change_in_words(mine)}")
    return 0


def cmd_migrate(args, settings: Settings) -> int:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from .check import ActionError
    from .db import downgrade, engine_for, revision, upgrade
    engine = engine_for(settings.database_url)
    try:
        now = revision(engine)
        target = args.to
        if target == "base" or (target != "head" and now is not None and target < now):
            downgrade(engine, target)
        else:
            upgrade(engine, target)
        after = revision(engine)
    except CommandError as exc:
        raise ActionError(f"cannot migrate to {args.to!r}: {' '.join(str(exc).split())}") from None
    except SQLAlchemyError as exc:
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
        raise ActionError(f"cannot open the commitments database: {first}") from None
    finally:
        engine.dispose()
    print(f"commitments database at revision {after or 'base (no tables)'} (was {now or 'base'})")
    return 0


def records_frame(records):
    import pandas as pd

    from .db import FIELDS
    return pd.DataFrame([r.as_dict() for r in records],
                        columns=["id", *FIELDS, "created_by", "created_at", "updated_by", "updated_at", "version"])


def _safe_cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def cmd_export(args, settings: Settings) -> int:
    import pandas as pd
    actions = _open(settings)
    if args.history:
        rows = [dataclasses.asdict(c) for c in actions.history()]
        df = pd.DataFrame(rows, columns=["commitment_id", "version", "changed_by", "changed_at", "field", "old", "new"])
    else:
        rows = [r.as_dict() for r in actions.list()]
        df = records_frame(actions.list())
    if args.format == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False, default=lambda v: v.isoformat())
    else:
        buffer = io.StringIO()
        df.map(_safe_cell).to_csv(buffer, index=False)
        text = buffer.getvalue()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(df)} {'changes' if args.history else 'commitments'} to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
