"""Shared column helpers."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, as an aware UTC moment: the form every timestamp is stored in."""
    return dt.datetime.now(dt.UTC)
