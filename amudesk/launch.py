"""The program's entry point: the ``amudesk`` command, ``python -m amudesk`` and the
PyInstaller build all start here.

It reads the arguments, then loads either the window or the commands, never both: the
window's start-up does not pay for the command line's services, nor a command for Qt.

Start-up imports make tens of thousands of objects that live as long as the program
(SQLAlchemy and the models, the services, Qt's wrappers); with the garbage collector on,
its passes over them cost a good part of a second before the window shows. So collection
is paused before anything else is imported, and resumed once those objects are set aside
(``gc.freeze``): by the window once it is up (``ui.app``), here before a command runs.
"""

import gc

gc.disable()

import sys  # noqa: E402  (below: after the pause, the point of this module)
from collections.abc import Sequence  # noqa: E402

from amudesk import arguments  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments.parse(argv)
    if args.command is None:
        from amudesk.ui.app import run  # noqa: PLC0415  (the window, or the commands below)

        try:
            return run(data_dir=args.data_dir)
        finally:
            gc.enable()
    from amudesk.cli import run_command  # noqa: PLC0415  (the commands, or the window above)

    gc.freeze()
    gc.enable()
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
