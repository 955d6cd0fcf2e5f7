"""The house rules of docs/design.md, checked on the source: which layer may import which.

Read from the files (``ast``), not from what happens to be imported at run time, so a rule broken in
a branch nobody runs in the tests is still caught.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "amudesk"
UI = PACKAGE / "ui"
KIT = UI / "kit"
# What a screen or the kit may share without being "another screen": the kit itself and the
# plumbing that turns a service's progress callback into signals.
UI_SHARED = {"amudesk.ui.kit", "amudesk.ui.workers"}
SCREEN_BASES = {"QDialog", "QMainWindow", "FormDialog", "TaskDialog"}
# `amudesk` alone opens the window: the one arrow up, from the entry point, imported only when
# the window is asked for.
WINDOW_LAUNCH = {("amudesk.launch", "amudesk.ui.app")}
UI_FILE_LINES = 800
UI_CLASS_LINES = 500


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(tree: ast.Module, module: str) -> Iterator[tuple[int, str, list[str]]]:
    """Every import in ``tree``: (line, absolute module, names taken from it)."""
    package = module.rsplit(".", 1)[0] if not module.endswith("__init__") else module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            yield node.lineno, source, [alias.name for alias in node.names]


def is_ui(module: str) -> bool:
    return module == "amudesk.ui" or module.startswith("amudesk.ui.")


def is_shared_ui(module: str) -> bool:
    return any(module == shared or module.startswith(shared + ".") for shared in UI_SHARED)


def test_nothing_outside_the_windows_imports_qt() -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {source}"
        for module, path, tree in modules()
        if not is_ui(module)
        for line, source, _names in imported(tree, module)
        if (source.split(".")[0] == "PySide6" or is_ui(source))
        and (module, source) not in WINDOW_LAUNCH
    ]
    assert not wrong, "Qt or a window imported below the windows:\n" + "\n".join(wrong)


def test_the_windows_leave_queries_to_the_services() -> None:
    """A screen asks a service; it does not build SQL (an exception class may be caught)."""
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {source}"
        for module, path, tree in modules()
        if is_ui(module)
        for line, source, _names in imported(tree, module)
        if source.split(".")[0] in {"sqlmodel", "sqlalchemy"} and source != "sqlalchemy.exc"
    ]
    assert not wrong, "query helpers imported by a window:\n" + "\n".join(wrong)


def screens() -> set[str]:
    """The ui modules that define a window or a dialog of their own."""
    found = set()
    for module, _path, tree in modules():
        if not is_ui(module) or is_shared_ui(module):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id in SCREEN_BASES for base in node.bases
            ):
                found.add(module)
    return found


def attributes_used(tree: ast.Module, name: str) -> list[str]:
    """What a file takes from a module it imported as ``name``: ``name.attribute``."""
    return sorted(
        {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        }
    )


def test_a_screen_takes_only_windows_from_another_screen() -> None:
    """Opening another screen's dialog is fine; borrowing its helpers is not: they go to the kit.

    The same holds for the kit (the photo field opens the camera dialog)."""
    pytest.importorskip("PySide6.QtWidgets")
    from PySide6.QtWidgets import QWidget

    windows = screens()
    wrong = []
    for module, path, tree in modules():
        if not is_ui(module) or module == "amudesk.ui":
            continue
        for line, source, names in imported(tree, module):
            taken: list[tuple[str, list[str]]] = [(source, names)]
            if source == "amudesk.ui":  # from amudesk.ui import mainwindow: what it uses of it
                taken = [(f"amudesk.ui.{name}", attributes_used(tree, name)) for name in names]
            for other_name, used in taken:
                if other_name not in windows or other_name == module:
                    continue
                other = importlib.import_module(other_name)
                for name in used:
                    value = getattr(other, name, None)
                    if not (isinstance(value, type) and issubclass(value, QWidget)):
                        wrong.append(
                            f"{path.relative_to(PACKAGE)}:{line} takes {name} from {other_name}"
                        )
    assert not wrong, "a helper borrowed from a screen:\n" + "\n".join(wrong)


def test_the_windows_stay_readable() -> None:
    """No file in ui/ above ~800 lines and no class above ~500 (design.md: a second idea gets its
    own widget and file)."""
    wrong = []
    for module, path, tree in modules():
        if not is_ui(module):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > UI_FILE_LINES:
            wrong.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > UI_CLASS_LINES:
                    wrong.append(f"{path.relative_to(PACKAGE)}: class {node.name}, {length} lines")
    assert not wrong, "too long to read:\n" + "\n".join(wrong)
