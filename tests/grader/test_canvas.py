"""grader.canvas: matching rules, the Points Possible row, scaling, column choice, on Canvas-format CSVs."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from grader.canvas import CanvasError, Graded, find_column, merge, read_roster, to_csv

ROSTER = Path(__file__).resolve().parents[1] / "fixtures" / "canvas" / "gradebook_export.csv"
COLUMN = "HW03 Neural networks (118203)"


def roster_from(text: str, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return read_roster(path)


def column_of(merged, name: str) -> str:
    table = merged.table
    return table.loc[table["Student"] == name, merged.column].iloc[0]


def test_the_fixture_reads_as_canvas_writes_it():
    roster = read_roster(ROSTER)  # UTF-8 BOM, CRLF, quoted "Last, First" names, a two-section student
    assert list(roster.columns[:5]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert roster.iloc[0]["Student"] == "    Points Possible" and roster.iloc[0]["ID"] == ""
    assert "Evans, Eli" in set(roster["Student"]) and "CPE 486-01, CPE 586-01" in set(roster["Section"])


def test_each_rule_matches_in_order(tmp_path):
    roster = read_roster(ROSTER)
    graded = [Graded("adams", 90, 100, "graded"), Graded("chen", 80, 100, "graded", canvas_user_id="48213"),
              Graded("fischer", 70, 100, "graded"), Graded("OkaforNgozi", 60, 100, "graded")]
    merged = merge(roster, graded, COLUMN, 100)
    assert merged.matched == {"adams": ("Adams, Ada", "SIS Login ID"),
                              "chen": ("Chen, Wei", "Canvas user id in the file name"),
                              "fischer": ("Fischer, Fritz", "SIS User ID"), "OkaforNgozi": ("Okafor, Ngozi", "name")}
    assert merged.unmatched == () and [column_of(merged, n) for n in ("Adams, Ada", "Chen, Wei", "Fischer, Fritz",
                                                                      "Okafor, Ngozi")] == ["90.00", "80.00", "70.00", "60.00"]


def test_two_students_claiming_one_row_by_the_same_rule_get_neither(tmp_path):
    roster = read_roster(ROSTER)
    merged = merge(roster, [Graded("okaforngozi", 60, 100, "graded"), Graded("okafor.ngozi", 70, 100, "graded")],
                   COLUMN, 100)
    assert merged.matched == {} and set(merged.unmatched) == {"okaforngozi", "okafor.ngozi"}
    assert column_of(merged, "Okafor, Ngozi") == "0.00" and "Okafor, Ngozi" in merged.missing


def test_an_earlier_rule_wins_a_row(tmp_path):
    roster = read_roster(ROSTER)
    # "fischer" is Fischer's SIS User ID (rule 3); "ffischer2" his login (rule 1): the login wins the row
    merged = merge(roster, [Graded("fischer", 50, 100, "graded"), Graded("ffischer2", 75, 100, "graded")], COLUMN, 100)
    assert merged.matched == {"ffischer2": ("Fischer, Fritz", "SIS Login ID")} and merged.unmatched == ("fischer",)
    assert column_of(merged, "Fischer, Fritz") == "75.00"


def test_points_possible_scales_and_rounds(tmp_path):
    text = ROSTER.read_text(encoding="utf-8-sig").replace(",10.00,10.00,100.00,", ",10.00,10.00,12.00,", 1)
    merged = merge(roster_from(text, tmp_path), [Graded("adams", 87.654, 100, "graded")], COLUMN, 100)
    assert merged.scale == pytest.approx(0.12) and column_of(merged, "Adams, Ada") == f"{87.654 * 0.12:.2f}"
    assert column_of(merged, "    Points Possible") == "12.00"


def test_a_manual_posting_row_is_kept_as_a_header_row(tmp_path):
    lines = ROSTER.read_text(encoding="utf-8-sig").splitlines()
    posting = ",,,,,,,Manual Posting,,,,,,,,"
    merged = merge(roster_from("\n".join(lines[:2] + [posting] + lines[2:]) + "\n", tmp_path),
                   [Graded("adams", 50, 100, "graded")], COLUMN, 100)
    out = pd.read_csv(io.StringIO(to_csv(merged)), dtype=str, keep_default_na=False)
    assert list(out[COLUMN][:3]) == ["100.00", "Manual Posting", "50.00"]


def test_a_new_column_gets_the_assignment_maximum_as_points_possible():
    roster = read_roster(ROSTER)
    name = find_column(roster, "hw03", "HW03 autograded")
    merged = merge(roster, [Graded("adams", 40, 100, "graded")], name, 100)
    out = pd.read_csv(io.StringIO(to_csv(merged)), dtype=str, keep_default_na=False)
    assert list(out.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW03 autograded"]
    assert out.iloc[0]["HW03 autograded"] == "100.00" and out.iloc[1]["HW03 autograded"] == "40.00"


def test_column_choice():
    roster = read_roster(ROSTER)
    assert find_column(roster, "hw03", None) == COLUMN
    assert find_column(roster, "HW-03", None) == COLUMN
    assert find_column(roster, "hw03", "HW03 Neural networks") == COLUMN
    assert find_column(roster, "hw03", "HW02 Linear models (118202)") == "HW02 Linear models (118202)"
    with pytest.raises(CanvasError, match="no column for hw04"):
        find_column(roster, "hw04", None)
    with pytest.raises(CanvasError, match="several columns could be hw0"):
        find_column(roster, "hw0", None)
    with pytest.raises(CanvasError, match="identity columns"):
        find_column(roster, "hw03", "SIS Login ID")


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    with pytest.raises(CanvasError, match="not a Canvas gradebook export: no column Student, ID, Section"):
        roster_from("student,total\nadams,100\n", tmp_path)
    with pytest.raises(CanvasError, match="cannot read"):
        read_roster(tmp_path / "missing.csv")


def test_read_only_and_other_assignment_columns_are_not_exported():
    merged = merge(read_roster(ROSTER), [], COLUMN, 100)
    assert list(merged.table.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", COLUMN]
    assert len(merged.missing) == 11 and set(merged.table[COLUMN][1:]) == {"0.00"}
