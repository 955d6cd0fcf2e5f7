"""``amudesk stats``: the figures, the extract, the merge; exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amudesk import stats
from tests.unit.test_deadlines_cli import filled, run

__all__ = ["filled"]  # the fixture of three cases

PERIOD = ("--from", "2026-01-01", "--to", "2026-11-30")


def test_stats_json_of_a_small_office(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["period"] == {"from": "2026-01-01", "to": "2026-11-30"}
    (group,) = data["groups"]
    assert group["group"] == "CPAS de Schaerbeek"
    assert (group["filed"], group["decided"], group["waiting"]) == ("<5", "<5", "<5")
    assert group["median_days_to_decision"] == "<5"
    assert group["refusals_by_reason"] == {}
    assert group["appeals"] == 0
    assert data["total"]["group"] == "total"
    assert any("<5" in note for note in data["notes"])


def test_stats_table_csv_xlsx_and_extract(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, filled: dict[str, str]
) -> None:
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--by", "month")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split()[:3] == ["group", "filed", "decided"]
    assert any(line.startswith("2026-07") for line in out.splitlines())
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--csv", str(tmp_path / "f.csv"))
    assert (code, err) == (0, "")
    text = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("group,filed,decided,waiting,")
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--xlsx", str(tmp_path / "f.xlsx"))
    assert (code, err) == (0, "")
    assert (tmp_path / "f.xlsx").read_bytes()[:2] == b"PK"
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--extract", str(tmp_path / "e.csv"))
    assert (code, err) == (0, "")
    assert "3 requests written" in out
    rows = stats.read_extract(tmp_path / "e.csv")
    assert len(rows) == 3 and {r.age_band for r in rows} == {"<5"}
    assert "Coulibaly" not in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    code, out, err = run(
        capsys,
        data_dir,
        "stats",
        "--merge",
        str(tmp_path / "e.csv"),
        str(tmp_path / "e.csv"),
        "--json",
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["total"]["filed"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-02-30"), "--from: “2026-02-30” is not a date"),
        (("--to", "tomorrow"), "--to: “tomorrow” is not a date"),
        (("--from", "2026-05-01", "--to", "2026-04-01"), "--to: the period ends before it starts"),
        (("--to", "2999-01-01"), "--to: the period cannot end after today"),
        (("--by", "person"), "--by: invalid choice"),
        (("--json", "--csv", "x.csv"), "not allowed with argument"),
        (
            ("--merge", "a.csv", "--from", "2026-01-01"),
            "--merge: the extracts hold their own period",
        ),
    ],
)
def test_bad_options_say_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    try:
        code, out, err = run(capsys, data_dir, "stats", *args)
    except SystemExit as exit_:
        code, err = int(exit_.code or 0), capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_extract_refuses_the_merge_naming_every_bad_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    lines = stats.extract_lines([stats.CaseRow("CPAS de Test", "2026-03", "post", "18-29")] * 5)
    lines[2][1] = "9"
    lines[4][7] = "=1+1"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(",".join(line) for line in lines) + "\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_bytes(
        stats.extract_bytes([stats.CaseRow("CPAS de Test", "2026-03", "post", "18-29")] * 5)
    )
    code, out, err = run(capsys, data_dir, "stats", "--merge", str(good), str(bad), "--json")
    assert code == 2
    assert out.splitlines() == [
        f"{bad}: line 3: version: version 9, this desk reads version 1",
        f"{bad}: line 5: days_to_decision: a formula, or a value starting like one",
    ]
    assert err.count("\n") == 1
    assert "--merge: nothing was computed; 2 problems, the first:" in err
    code, out, err = run(capsys, data_dir, "stats", "--merge", str(tmp_path / "none.csv"))
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_the_period_starts_on_1_january_of_the_year_of_to(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    code, out, err = run(capsys, data_dir, "stats", "--to", "2025-12-31", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert data["groups"] == [] and data["total"]["filed"] == 0


def test_stats_pdf_from_the_store_and_from_extracts(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, filled: dict[str, str]
) -> None:
    from pypdf import PdfReader

    report = tmp_path / "report.pdf"
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--pdf", str(report), "--lang", "nl")
    assert (code, err) == (0, "") and "report.pdf" in out
    text = " ".join(page.extract_text() for page in PdfReader(report).pages)
    assert "<5" in text and "Coulibaly" not in text
    code, _out, err = run(capsys, data_dir, "stats", *PERIOD, "--extract", str(tmp_path / "e.csv"))
    assert code == 0
    merged = tmp_path / "merged.pdf"
    code, out, err = run(
        capsys, data_dir, "stats", "--merge", str(tmp_path / "e.csv"), "--pdf", str(merged)
    )
    assert (code, err) == (0, "") and merged.read_bytes().startswith(b"%PDF")
    code, out, err = run(capsys, data_dir, "stats", *PERIOD, "--pdf", str(tmp_path / "r.txt"))
    assert code == 2 and err.count("\n") == 1 and "--pdf" in err
    assert not (tmp_path / "r.txt").exists()


def test_figures_in_dutch_name_the_cpas_in_dutch(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    code, out, _err = run(capsys, data_dir, "stats", *PERIOD, "--json", "--lang", "nl")
    assert code == 0
    (group,) = json.loads(out)["groups"]
    assert group["group"] == "OCMW Schaarbeek"
    code, out, _err = run(capsys, data_dir, "stats", *PERIOD, "--json", "--lang", "fr")
    assert json.loads(out)["groups"][0]["group"] == "CPAS de Schaerbeek"
