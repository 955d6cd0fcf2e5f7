"""The files AMU Desk ships with: fonts, style sheet, the Brussels CPAS directory.

Installed as the package ``amudesk.resources`` (see pyproject.toml); found through
``amudesk.bundled``.
"""
