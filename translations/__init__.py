"""The message catalogs (fr, nl, en) and their template.

Installed as the package ``amudesk.translations`` (see pyproject.toml); found through
``amudesk.bundled``.
"""
