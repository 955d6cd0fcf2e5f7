"""A child process for tests/unit/test_crash_safety.py: writes cases through the services.

Each unit is one transaction through ``store.transaction()``: a person (with a NISS, so
``save_person`` reads before it writes) and their request (``register_request``: the
request row and the yearly reference counter). Once the transaction has committed, one
line ``ack <unit> <person id> <request id> <reference> <notes length>`` is written to
stdout in a single ``write`` call, so a kill never leaves half a line.

``serve <scratch dir>``
    A fork server, so that 200 kills do not pay for 200 Python start-ups (about 0.6 s
    each, nearly all of it importing SQLAlchemy, SQLModel and the services). It imports
    everything and warms up once (on a store of its own in the scratch folder), then for
    each ``run <round> <cpas id> <data dir>`` line on stdin forks a worker, writes
    ``pid <pid>``, waits for it and writes ``exit <code>`` (``exit -9`` for SIGKILL).
    The worker opens the store itself (passphrase; costs read from the key file) and
    writes units until it is killed. It also says where it is inside a transaction
    (``at <unit> person``, ``at <unit> request`` once both are flushed, ``at <unit>
    commit`` as SQLAlchemy hands the commit to SQLCipher), so that the test can kill it
    there; its page cache is kept small (a connect listener) so that a large unit spills
    uncommitted pages into the WAL before it commits.
``write <data dir> <cpas id> <child> <count>``
    Opens the store, writes ``ready``, waits for a line on stdin (the start barrier),
    writes ``count`` units, writes ``done`` and exits 0. Errors are not caught: a
    "database is locked" ends the process with a traceback and a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
UNITS_PER_ROUND = 1000  # unit number = round * UNITS_PER_ROUND + n
RECEIVED = dt.datetime(2026, 1, 5, 9, 0)
SPILL_CACHE_PAGES = 16


def unit_names(unit: int) -> tuple[str, str]:
    return f"Crash{unit // UNITS_PER_ROUND:04d}", f"Unit{unit % UNITS_PER_ROUND:03d}"


def unit_niss(unit: int) -> str:
    """A valid, distinct NISS for every unit number below about 10 million."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=unit // 997)
    yymmdd = born.strftime("%y%m%d")
    counter = f"{1 + unit % 997:03d}"
    base = int(yymmdd + counter)
    return f"{yymmdd}{counter}{97 - base % 97:02d}"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def write_unit(
    store: Any, cpas_id: int, unit: int, notes: str = "", mark: Callable[[str], None] | None = None
) -> str:
    """Save one unit in one transaction; returns its acknowledgement line. ``mark`` is told
    where the transaction is: ``person`` (flushed), ``request`` (flushed, commit next)."""
    from amudesk.services.cases import RequestData, register_request
    from amudesk.services.people import PersonData, save_person

    family_name, given_names = unit_names(unit)
    with store.transaction() as session:
        person = save_person(
            PersonData(
                family_name=family_name,
                given_names=given_names,
                niss=unit_niss(unit),
                notes=notes,
            ),
            session=session,
        )
        if mark:
            mark(f"at {unit} person")
        request = register_request(
            RequestData(
                person_id=person.id,
                cpas_id=cpas_id,
                received_at=RECEIVED + dt.timedelta(minutes=unit % 100_000),
            ),
            session=session,
        )
        if mark:
            mark(f"at {unit} request")
    return f"ack {unit} {person.id} {request.id} {request.reference} {len(notes)}"


def open_test_store(data_dir: str) -> Any:
    from amudesk.services.desk import open_desk
    from tests.keys import PASSPHRASE

    return open_desk(Path(data_dir), passphrase=PASSPHRASE)  # costs from the key file


def work_until_killed(round_number: int, cpas_id: int, data_dir: str) -> None:
    from sqlalchemy import event

    rng = random.Random(round_number)
    store = open_test_store(data_dir)
    unit = round_number * UNITS_PER_ROUND

    def small_cache(dbapi_connection: Any, _record: Any) -> None:
        # 16 pages: a large unit spills uncommitted pages into the WAL before its commit.
        dbapi_connection.execute(f"PRAGMA cache_size = {SPILL_CACHE_PAGES}")

    event.listen(store.engine, "connect", small_cache)
    store.engine.dispose()
    event.listen(store.engine, "commit", lambda _connection: say(f"at {unit} commit"))
    for n in range(UNITS_PER_ROUND):
        unit = round_number * UNITS_PER_ROUND + n
        # Mostly small units; some with overflow pages; a few larger than the page cache.
        size = rng.choice((0, 0, 40, 300, 5000, 20_000, 100_000))
        say(write_unit(store, cpas_id, unit, "n" * size, mark=say))
    say("finished")


def serve(scratch_dir: str) -> None:
    from amudesk.services.desk import open_desk
    from tests.keys import FAST_KDF, PASSPHRASE

    # Warm up once, before any fork, on a store of its own: imports the services make on
    # first use, the translations, SQLAlchemy's mapper set-up. A worker's first unit then
    # costs about 20 ms instead of 100.
    warm = open_desk(Path(scratch_dir), passphrase=PASSPHRASE, kdf=FAST_KDF)
    with warm.session() as session:
        from amudesk.services.directory import list_cpas

        cpas_id = list_cpas(session=session)[0].id
    write_unit(warm, cpas_id, 0, mark=lambda _line: None)
    warm.close()  # no connection is open when the workers are forked
    say("serving")
    for line in sys.stdin:
        command, *args = line.split()
        if command == "quit":
            return
        round_number, cpas_id, data_dir = int(args[0]), int(args[1]), args[2]
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the loop
            code = 0
            try:
                work_until_killed(round_number, cpas_id, data_dir)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                code = 1
            os._exit(code)
        say(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exit {os.waitstatus_to_exitcode(status)}")


def write(data_dir: str, cpas_id: int, child: int, count: int) -> None:
    store = open_test_store(data_dir)
    say("ready")
    sys.stdin.readline()  # the start barrier: both children are open before either writes
    for n in range(count):
        say(write_unit(store, cpas_id, child * UNITS_PER_ROUND + n))
    store.close()
    say("done")


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    if argv[0] == "serve":
        serve(argv[1])
    elif argv[0] == "write":
        write(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
