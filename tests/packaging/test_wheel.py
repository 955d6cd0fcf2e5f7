"""The wheel: built from the checkout, installed (not editable) into a fresh virtual
environment, and run from a folder outside the checkout, where it issues a receipt.

No network: the wheel is built without an isolated build environment (setuptools and wheel
come with the dev extra) and installed with ``--no-deps --no-index``; the new environment
borrows this one's dependencies through a ``.pth`` file naming our site-packages as a plain
path. A plain path line does not run the ``.pth`` files of that folder, so the editable
``amudesk`` of this environment stays out: what runs is the installed copy, with the fonts
and the catalogs it carries inside the package.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from amudesk import i18n

ROOT = Path(__file__).resolve().parents[2]
# What the build reads: copied to a scratch folder, so that the build writes nothing into the
# checkout and no stale build/lib of an earlier build slips a deleted file into the wheel.
SOURCES = ("pyproject.toml", "README.md", "amudesk", "resources", "translations")
PASSPHRASE = "a wheel test passphrase – ünïcödé 42"
TIMEOUT = 120


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }
    env.update(AMUDESK_PASSPHRASE=PASSPHRASE, PYTHONIOENCODING="utf-8", HOME=str(tmp / "home"))
    env.update(XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "share"))
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    env = _clean_env(out)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    _run([*command, "--no-index", "--quiet", "-w", out, source], cwd=out, env=env)
    (built,) = out.glob("amudesk-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    env = _clean_env(venv)
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv, env=env)
    python = _bin(venv, "python")
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet"]
    _run([*install, "--no-deps", "--no-index", wheel], cwd=venv, env=env)
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=venv,
        env=env,
    ).strip()
    ours = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (Path(purelib) / "amudesk_dev_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    return venv


def test_the_wheel_carries_every_resource_and_catalog(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder in ("resources", "translations"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(ROOT / folder).as_posix()
                assert f"amudesk/{folder}/{relative}" in names
    assert {"amudesk/migrations/env.py", "amudesk/migrations/script.py.mako"} <= names
    assert any(name.startswith("amudesk/migrations/versions/0001_") for name in names)
    assert not any(name.startswith(("tests/", "scripts/", "resources/")) for name in names)


def test_every_subpackage_is_listed_in_pyproject() -> None:
    """The packages are listed by hand (resources/ and translations/ are mapped in): a new
    folder of modules under amudesk/ that is not listed would be missing from the wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(module.parent.relative_to(ROOT).parts)
        for module in (ROOT / "amudesk").rglob("*.py")
        if "__pycache__" not in module.parts
    }
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"


def test_installed_wheel_issues_a_french_receipt(venv: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"  # not the checkout: nothing found there by accident
    outside.mkdir()
    env = _clean_env(tmp_path)
    python = _bin(venv, "python")

    where = _run(
        [
            python,
            "-c",
            "import amudesk, amudesk.bundled as b; "
            "print(amudesk.__file__); print(b.resources_dir()); print(b.translations_dir())",
        ],
        cwd=outside,
        env=env,
    ).split("\n")[:3]
    for path in where:
        assert Path(path).resolve().is_relative_to(venv.resolve()), where

    amudesk = _bin(venv, "amudesk")
    data = tmp_path / "data"
    _run([amudesk, "--data-dir", data, "demo", "--count", "1"], cwd=outside, env=env)
    exported = _run([amudesk, "--data-dir", data, "export", "-"], cwd=outside, env=env)
    reference = exported.lstrip("\ufeff").splitlines()[1].split(",")[0]
    pdf = outside / "receipt.pdf"
    said = _run(
        [amudesk, "--data-dir", data, "--lang", "fr", "document", "receipt"]
        + ["--reference", reference, "--lang", "fr", "-o", pdf],
        cwd=outside,
        env=env,
    )
    written = i18n.translator("fr").gettext("{number} written to {path}")
    assert written != "{number} written to {path}"
    assert written.split("{path}")[0].split("}")[1] in said  # " écrit dans "

    assert pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    page = PdfReader(pdf).pages[0]
    text = " ".join(page.extract_text().split())
    for message in ("The applicant", "Birth date", "File reference"):
        translated = i18n.translator("fr").gettext(message)
        assert translated != message  # the catalog has it: its absence would pass unseen
        assert translated in text
    fonts = [str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in font for font in fonts), fonts
