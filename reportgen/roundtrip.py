"""Does a generated report read back exactly? The checks the generated-report tests (text,
PDF, Word) share: every way a parse differs from the figures a case prints, where the only
honest shortfall is a loud `partial` naming rows it could not place (never a wrong figure).
And the hand-read figures of the real reports, which the generator re-renders."""

from __future__ import annotations

import json
import re
import unicodedata

from parsers import parse_report
from reportgen.generator import Case, Figures, figures_from_expected, printed_cells, read_cells
from reportgen.paths import EXPECTED


def known_figures() -> list[Figures]:
    """Hand-read figures of the real reports (tests/expected) with every cell known."""
    out = []
    for path in sorted(EXPECTED.glob("*.json")):
        fig = figures_from_expected(json.loads(path.read_text(encoding="utf-8")))
        if fig is not None:
            out.append(fig)
    return out


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def round_trip_errors(case: Case, report=None) -> list[str]:
    """Every way the parse of `case` differs from its figures (empty: exact round trip)."""
    report = report or parse_report(case.data, f"generated/{case.seed}")
    fig = case.figures
    errors: list[str] = []
    unplaceable = _edge_blank_rows(report.status_reason)
    if report.status != "parsed" and unplaceable is None:
        errors.append(f"status {report.status}: {report.status_reason}")
    for table, code in unplaceable or ():
        # the parser may decline a row only where the printing really is ambiguous: a blank
        # first or last value next to empty padding cells
        vals = fig.table4 if table == "t4" else (fig.table3 if table == "t3" else None)
        row = list(vals) if table == "t4" else (vals or {}).get(code)
        if table == "t2":
            row = list(fig.table2.get(code, {}).values())
        if not row or (row[0] is not None and row[-1] is not None):
            errors.append(f"{table} row {code} declined as ambiguous but has no blank at an edge")
    if report.agency != fig.agency:
        errors.append(f"agency {report.agency!r}, printed {fig.agency!r}")
    if report.year != fig.year:
        errors.append(f"year {report.year}, printed {fig.year}")
    if report.format_version != fig.format:
        errors.append(f"format {report.format_version}, printed {fig.format}")

    want = printed_cells(fig)
    got = read_cells(report)
    declined = set(unplaceable or ())
    for key, v in want.items():
        fact = got.get(key)
        if fact is None and ((key[0], key[1]) in declined or (key[0], "") in declined):
            continue
        if fact is None:
            errors.append(f"{'/'.join(key)} missing, printed {v!r}")
        elif fact.value != v:
            errors.append(f"{'/'.join(key)} = {fact.value!r} (raw {fact.raw!r}), printed {v!r}")
    for key in sorted(set(got) - set(want)):
        errors.append(f"{'/'.join(key)} = {got[key].value!r} not printed")

    lines = case.text.split("\n")
    compact_lines: dict[int, str] = {}
    for fact in report.applications + report.active_disclosure + report.review_litigation:
        raw = _compact(fact.raw)
        if not raw:
            continue
        if fact.line is None or not 1 <= fact.line <= len(lines):
            errors.append(f"fact {fact!r}: line {fact.line} outside the text")
            continue
        if fact.line not in compact_lines:
            compact_lines[fact.line] = _compact(lines[fact.line - 1])
        if raw not in compact_lines[fact.line]:
            errors.append(
                f"fact {fact!r}: line {fact.line} {lines[fact.line - 1][:80]!r} "
                "does not hold its raw text"
            )
    return errors


_EDGE_BLANK = re.compile(
    r"^table (\d)(?: row ([\w.]+))?: a blank cell at the row's edge cannot be told from padding$"
)


def _edge_blank_rows(reason: str | None) -> set[tuple[str, str]] | None:
    """The rows a `partial` report declined only because a blank at a row's edge could not
    be told from padding (an honest answer for such a printing), or None if any other
    problem is named."""
    if not reason:
        return None
    rows = set()
    for clause in reason.split("; "):
        m = _EDGE_BLANK.match(clause)
        if not m:
            return None
        rows.add((f"t{m.group(1)}", m.group(2) or ""))
    return rows
