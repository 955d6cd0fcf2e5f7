"""What the log keeps of an exception: where it happened, never what it said.

An exception's message may quote what a user typed or what a file held (a name in a
spreadsheet's first line, the parameters of a refused SQL statement); the log file holds
case references and class names only. :func:`describe_exception` gives the traceback's
files, lines and functions and each exception's class, for the uncaught ones
(:class:`amudesk.ui.app.ErrorReporter`) and for those of background tasks
(:mod:`amudesk.ui.workers`).
"""

from __future__ import annotations

import traceback
from types import TracebackType


def describe_exception(
    kind: type[BaseException], error: BaseException | None, tb: TracebackType | None
) -> str:
    """The traceback without the exception messages, which may quote what a user typed."""
    lines = [f"uncaught {kind.__module__}.{kind.__qualname__}"]
    seen: set[int] = set()
    current: BaseException | None = error
    frames = traceback.extract_tb(tb)
    while True:
        # File, line and function only: a source line may quote a value.
        lines.extend(f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames)
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        cause = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if cause is None:
            break
        lines.append(
            f"while handling or caused by {type(cause).__module__}.{type(cause).__qualname__}"
        )
        frames = traceback.extract_tb(cause.__traceback__)
        current = cause
    return "\n".join(lines)
