"""The program's entry point: the ``amudesk`` command, ``python -m amudesk`` and the
PyInstaller build all start here.

It reads the arguments, then loads either the window or the commands, never both: the
window's start-up does not pay for the command line's services, nor a command for Qt.

Start-up imports make tens of thousands of objects that live as long as the program
(SQLAlchemy and the models, the services, Qt's wrappers); with the garbage collector on,
its passes over them cost a good part of a second before the window shows. So collection
is paused before the window or the commands are imported, and resumed once those objects
are set aside (``gc.freeze``): by the window once it is up (``ui.app``), here before a
command runs.
"""

import argparse
import gc
import sys
from collections.abc import Sequence

from amudesk import arguments


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()
    args = arguments.parse(argv)
    if args.command is None:
        return run_window(args)
    from amudesk.cli import run_command  # noqa: PLC0415  (the commands, or the window)

    gc.freeze()
    gc.enable()
    return run_command(args)


def run_window(args: argparse.Namespace) -> int:
    """The window on ``args.data_dir``; collection paused until it is up (see above)."""
    from amudesk.ui.app import run  # noqa: PLC0415  (the window, or the commands)

    gc.disable()
    try:
        return run(data_dir=args.data_dir, database=args.database)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
