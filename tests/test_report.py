"""The consistency report finds, from the data, the places where the handbook disagrees with itself."""

from __future__ import annotations

from build_scripts.core.validate import load_and_check
from build_scripts.core.report import consistency_report, format_report


def _messages(findings, topic):
    return [f.message for f in findings if f.topic == topic]


def test_report_finds_the_known_disagreements(handbook):
    findings = consistency_report(handbook)
    days = " ".join(_messages(findings, "day-ranges"))
    assert "LTS" in days and "11 to 187" in days and "189" in days
    values = " ".join(_messages(findings, "value-ranges"))
    assert "exactly $250" in values and "exactly $1,000" in values
    assert "Larceny 1 Below $250" in values and "Larceny 1 $250 and below" in values
    codes = " ".join(_messages(findings, "codes"))
    for code in ("EXP", "GRA", "DRG", "AGV"):
        assert f"prints {code}" in codes
    assert "SAD" in codes
    contents = " ".join(_messages(findings, "contents"))
    assert "RACIALIZED AGRESSION (RA)" in contents and "PUBLIC AFFRAY (PbA)" in contents
    definitions = " ".join(_messages(findings, "definitions"))
    assert "Possession of Stolen Property" in definitions and "TARDINESS (TDY)" in definitions
    attendance = " ".join(_messages(findings, "attendance"))
    assert "unexcused" in attendance and "9.95%" in attendance


def test_report_follows_the_data(handbook_copy):
    path = handbook_copy / "handbook/pages/en/section-08.md"
    path.write_text(path.read_text(encoding="utf-8").replace("range of 11 to 187 days", "range of 11 to 189 days"), encoding="utf-8")
    _, findings = load_and_check(handbook_copy / "mkdocs.yml")
    assert _messages(findings, "day-ranges") == []
    path = handbook_copy / "handbook/data/attendance.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate_statement_absences_counted:\n- unexcused",
                                                              "rate_statement_absences_counted:\n- excused\n- unexcused"), encoding="utf-8")
    _, findings = load_and_check(handbook_copy / "mkdocs.yml")
    assert not any("counts unexcused absences" in m for m in _messages(findings, "attendance"))


def test_report_text_groups_by_topic(handbook):
    text = format_report(consistency_report(handbook))
    assert text.startswith("Consistency report:") and "Day ranges that disagree" in text
