"""Use-cases shared by the window and the command line.

Every function takes the database session as the keyword-only ``session``
argument; it validates what it is given and raises :class:`FieldError` naming
the field and the problem, before anything is written.
"""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input for one field; ``str(error)`` is a sentence for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotFound(LookupError):
    """The record asked for does not exist; ``str(error)`` is for the user."""
