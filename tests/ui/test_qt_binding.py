"""Guards the PySide6 pin: 6.12.0 dropped a reference to True on every emit and aborted at exit."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QObject, Signal

class Emitter(QObject):
    fired = Signal(bool)

emitter = Emitter()
received = []
emitter.fired.connect(received.append)
for _ in range(5000):
    emitter.fired.emit(True)
assert len(received) == 5000
"""


def test_emitting_signals_many_times_does_not_abort_the_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
