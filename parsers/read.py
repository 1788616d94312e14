"""Grid rows + a form → tidy facts for tables 2, 3 and 4, read once for every layout.

Identities are used only to choose among the splits of run-together digits; a printed
number is never changed. Whatever cannot be read exactly is left out and named in
`problems`, which makes the report `partial`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from parsers.forms import (
    MONEY_MEASURES,
    T4_GROUPS,
    T4_HEADER_WORDS,
    T4_OUTCOMES,
    TABLE2_START,
    TABLE3_START,
    TABLE4_END,
    TABLE4_START,
    Form,
    FormRow,
)
from parsers.grid import Cell, Row
from parsers.model import (
    APPLICANT_TYPES,
    METHOD_LABEL,
    METHOD_POSITION,
    METHOD_RECONSTRUCTED,
    METHOD_SPLIT,
    ApplicationFact,
    DisclosureFact,
    ReviewFact,
    new_application_fact,
    new_disclosure_fact,
    new_review_fact,
)
from parsers.reconstruct import TooAmbiguous, plain_tokens, readings
from parsers.runsplit import split_runs
from parsers.values import Value, parse_value

T3_COLUMNS = len(APPLICANT_TYPES)
MAX_COMBINATIONS = 200_000


@dataclass
class Tables:
    applications: list[ApplicationFact] = field(default_factory=list)
    active_disclosure: list[DisclosureFact] = field(default_factory=list)
    review_litigation: list[ReviewFact] = field(default_factory=list)
    found: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Losses:
    """What the text shows its table structure may have lost (`reconstruct.py`)."""

    run_together: bool = False  # digits glued together (a run-together crawler dump)
    merged: bool = False  # identical consecutive lines collapsed (no two are the same)
    broken: bool = False  # one cell per line: a number may be broken across lines

    @property
    def lossy_lines(self) -> bool:
        return self.merged or self.broken


@dataclass
class _Slot:
    """The printed cells of one form row: a value (or None) per column."""

    values: list[tuple[Value, int] | None]
    runs: list[Cell] | None = None  # run-together digits still to be split


# ------------------------------------------------------------------ locating the tables
def _find(rows: list[Row], pattern, start: int, stop: int | None = None) -> int | None:
    for i in range(start, len(rows) if stop is None else stop):
        if pattern.search(rows[i].label or rows[i].text):
            return i
    return None


def locate(rows: list[Row]) -> tuple[int | None, int | None, int | None]:
    t2 = _find(rows, TABLE2_START, 0)
    t3 = _find(rows, TABLE3_START, t2 or 0)
    t4 = None
    if t3 is not None:
        t4 = _find(rows, TABLE4_START, t3 + 1)
    return t2, t3, t4


def read_tables(rows: list[Row], form: Form, losses: Losses) -> Tables:
    out = Tables()
    t2, t3, t4 = locate(rows)
    t2_end = t3 if t3 is not None else (t4 if t4 is not None else len(rows))
    if t2 is not None:
        _read_table2(rows[t2:t2_end], form, losses, out)
    else:
        out.problems.append("table 2 (主动公开) not found")
    if t3 is not None:
        _read_table3(rows[t3 : t4 if t4 is not None else len(rows)], form, losses, out)
    else:
        out.problems.append("table 3 (收到和处理申请) not found")
    if t4 is not None:
        _read_table4(rows[t4:], losses, out)
    else:
        out.problems.append("table 4 (行政复议、行政诉讼) not found")
    return out


# ------------------------------------------------------------------ shared row matching
@functools.cache
def _any_row(form_rows: tuple[FormRow, ...]) -> re.Pattern[str]:
    """One pattern that matches wherever some row's pattern does: a label it misses names
    no row of the form, and needs no look at each row's pattern."""
    return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in form_rows))


def _match(form_rows: tuple[FormRow, ...], label: str, start: int) -> int | None:
    for i in range(start, len(form_rows)):
        if form_rows[i].pattern.search(label):
            return i
    return None


def _values_of(cells: list[Cell]) -> list[tuple[Value, Cell]]:
    out = []
    for c in cells:
        v = parse_value(c.text)
        if v is not None:
            out.append((v, c))
    return out


def _fit(cells: list[Cell], width: int) -> tuple[list[Cell] | None, str | None]:
    """The `width` value cells of a row: blanks kept, padding at the ends trimmed.

    Padding is only ever an empty cell at either end. When the empty cells could be
    trimmed in more than one way that puts a blank on a different column, the row is
    ambiguous and is not read.
    """
    if len(cells) == width:
        return list(cells), None
    if len(cells) > width:
        excess = len(cells) - width
        options = []
        for lead in range(excess + 1):
            trail = excess - lead
            removed = cells[:lead] + (cells[len(cells) - trail :] if trail else [])
            if all(not c.text for c in removed):
                options.append(cells[lead : len(cells) - trail])
        readings = {tuple(c.text for c in option) for option in options}
        if len(readings) == 1:
            return options[0], None
        if len(readings) > 1:
            return None, "a blank cell at the row's edge cannot be told from padding"
        extra = cells[width:]
        if all(c.value is not None and not c.value.number for c in extra):
            return cells[
                :width
            ], f"{len(extra)} extra zero/blank cell(s) after the last column ignored"
        return None, f"{len(cells)} values printed for {width} columns"
    return None, f"{len(cells)} of {width} values printed"


def _fit_reported(
    where: str, cells: list[Cell], width: int, out: Tables
) -> tuple[list[Cell] | None, bool]:
    """`_fit`, with what it could not read filed as a problem and what it trimmed as a
    warning; and whether it trimmed value cells (the rest is then placed by position)."""
    fitted, note = _fit(cells, width)
    if note:
        (out.warnings if fitted is not None else out.problems).append(f"{where}: {note}")
    return fitted, fitted is not None and note is not None


def _assign_rows(
    rows: list[Row],
    form_rows: tuple[FormRow, ...],
    widths: dict[str, int],
    losses: Losses | None = None,
    short_rows: dict[str, str] | None = None,
) -> tuple[dict[str, list[Cell]], list[str], set[str]]:
    """Pair each form row with the value cells printed for it.

    A row printing a recognised label and its values is an anchor. Rows of numbers with
    no recognisable label (labels detached by PDF or OCR conversion) are paired by
    position only where that is certain: between two anchors, the label-less rows must
    be exactly as many as the form rows still missing there, in the form's order.
    Anything else is left unpaired and reported, never guessed. Returns the cells of each
    form row found, notes, and the rows paired by position (their facts say so);
    `short_rows` gets the numbers of a label printed with too few of them to be its row.
    """
    found: dict[str, list[Cell]] = {}
    notes: list[str] = []
    by_position: set[str] = set()
    pointer = 0
    any_row = _any_row(form_rows)
    # events in document order: (form index or None for an orphan, cells)
    events: list[tuple[int | None, list[Cell]]] = []
    for row in rows:
        label = row.label
        values = row.value_cells()
        if label and any_row.search(label) is None:
            label = ""  # labels no form row: the same as a row without a label
        idx = _match(form_rows, label, pointer) if label else None
        if idx is None and label:
            idx = next(
                (
                    i
                    for i in range(len(form_rows))
                    if form_rows[i].code not in found and form_rows[i].pattern.search(label)
                ),
                None,
            )
        printed = any(c.text for c in values)
        if idx is not None:
            width = widths[form_rows[idx].code]
            blank_row = len(values) >= width  # every cell printed blank (null, not 0)
            short = len(values) < width and not _is_run(values, width)
            if short and losses is not None and losses.merged:
                short = not plain_tokens([c.text for c in values])  # merged lines: rebuilt
            if printed and not row.explicit and short:
                shown = " ".join(c.text for c in values)
                notes.append(
                    f"stray number(s) {shown!r} after a label of {form_rows[idx].code} ignored"
                )
                if short_rows is not None:
                    short_rows.setdefault(form_rows[idx].code, shown)
                continue
            if printed or blank_row:
                found[form_rows[idx].code] = values
                events.append((idx, values))
                pointer = max(pointer, idx + 1)
            continue
        if printed and _could_be_row(values, widths):
            events.append((None, values))
    _pair_orphans(events, form_rows, widths, found, notes, by_position)
    return found, notes, by_position


def _could_be_row(values: list[Cell], widths: dict[str, int]) -> bool:
    """A label-less run of numbers that can stand for a whole form row."""
    printed = [c for c in values if c.text]
    if len(printed) == 1 and printed[0].text.lstrip("-").isdigit() and len(printed[0].text) > 1:
        return True  # run-together digits
    return (
        len(values) >= min(widths.values())
        and len(printed) >= 1
        and (max(widths.values()) == 1 or len(values) > 1)
    )


def _pair_orphans(
    events: list[tuple[int | None, list[Cell]]],
    form_rows: tuple[FormRow, ...],
    widths: dict[str, int],
    found: dict[str, list[Cell]],
    notes: list[str],
    by_position: set[str],
) -> None:
    if not any(idx is None for idx, _ in events):
        return
    anchors = [(k, idx) for k, (idx, _) in enumerate(events) if idx is not None]
    bounds = [(-1, -1)] + anchors + [(len(events), len(form_rows))]
    unpaired = 0
    for (k0, i0), (k1, i1) in itertools.pairwise(bounds):
        orphans = [events[k][1] for k in range(k0 + 1, k1)]
        if not orphans:
            continue
        slots = [r for r in form_rows[i0 + 1 : i1] if r.code not in found] if i1 > i0 else []
        if not slots and k1 == len(events):
            # after the table's last row, with every row found: the prose that follows
            # the table in a crawler dump (`…收费5949.09(二)…107条…22条`), not its cells
            shown = " ".join(c.text for cells in orphans for c in cells if c.text)
            notes.append(f"stray number(s) {shown!r} after the table's last row ignored")
            continue
        required = [r for r in slots if not r.optional]
        chosen = required if len(required) == len(orphans) else slots
        if len(chosen) != len(orphans) or not all(
            _fit(cells, widths[r.code])[0] is not None or _is_run(cells, widths[r.code])
            for r, cells in zip(chosen, orphans, strict=False)
        ):
            unpaired += len(orphans)
            continue
        for r, cells in zip(chosen, orphans, strict=True):
            found[r.code] = cells
            by_position.add(r.code)
        notes_rows = ", ".join(r.code for r in chosen)
        notes.append(f"paired by position (their labels are detached): {notes_rows}")
    if unpaired:
        notes.append(f"{unpaired} row(s) of numbers could not be paired with a label for certain")


# ------------------------------------------------------------------ table 3
def _read_table3(rows: list[Row], form: Form, losses: Losses, out: Tables) -> None:
    run_together = losses.run_together
    form_rows = form.table3
    found, notes, by_position = _assign_rows(
        rows, form_rows, {r.code: T3_COLUMNS for r in form_rows}, losses
    )
    if not found:
        out.problems.append("table 3: no row could be read")
        return
    out.found.add("applications")
    _file_notes("table 3", notes, out)
    fixed: dict[str, list[tuple[Value, Cell] | None]] = {}
    to_split: dict[str, list[Cell]] = {}
    to_rebuild: dict[str, list[Cell]] = {}
    for row in form_rows:
        cells = found.get(row.code)
        if cells is None:
            continue
        if run_together and _is_run(cells, T3_COLUMNS):
            to_split[row.code] = [c for c in cells if c.text]
            continue
        if _rebuildable(cells, T3_COLUMNS, losses):
            to_rebuild[row.code] = [c for c in cells if c.text]
            continue
        if _too_many_lines(f"table 3 row {row.code}", cells, T3_COLUMNS, losses, out):
            continue
        if _glued(f"table 3 row {row.code}", cells, losses, out):
            continue
        fitted, trimmed = _fit_reported(f"table 3 row {row.code}", cells, T3_COLUMNS, out)
        if fitted is not None:
            fixed[row.code] = [_cell_value(c) for c in fitted]
            if trimmed:
                by_position.add(row.code)
    if to_split or to_rebuild:
        _solve_table3_runs(to_split, to_rebuild, losses, fixed, form_rows, out)
    missing = [
        r.code for r in form_rows if not r.optional and r.code not in fixed and r.code not in found
    ]
    other_printed = any(c.startswith("result.other") for c in fixed)
    missing = [
        c
        for c in missing
        if not (c.startswith("result.other.") and "result.other" in fixed)
        and not (c == "result.other" and other_printed)
    ]
    if missing:
        out.problems.append("table 3 rows not found: " + ", ".join(missing))
    for row in form_rows:
        vals = fixed.get(row.code)
        if vals is None:
            continue
        method = _method(row.code, by_position, to_split, to_rebuild)
        for col, cell in zip(APPLICANT_TYPES, vals, strict=True):
            if cell is None:
                continue
            value, src = cell
            number = value.number
            if isinstance(number, float):
                # a count printed with a decimal point: `6.0` may be a wrapped label's item
                # number glued to the figure after it (`6. 0` rejoined as a cut number)
                out.problems.append(
                    f"table 3 row {row.code}/{col}: {value.raw!r} printed with a decimal "
                    "point where counts belong"
                )
                continue
            out.applications.append(
                new_application_fact(row.code, col, number, value.raw, src.line, method)
            )


def _method(
    code: str,
    by_position: set[str],
    split: Collection[str],
    rebuilt: Collection[str] = frozenset(),
) -> str:
    """How a row's figures were read: placed by position is the least sure, then
    reconstructed, then split."""
    if code in by_position:
        return METHOD_POSITION
    if code in rebuilt:
        return METHOD_RECONSTRUCTED
    return METHOD_SPLIT if code in split else METHOD_LABEL


def _rebuildable(cells: list[Cell], width: int, losses: Losses) -> bool:
    """A row a lossy dump may have printed with another number of lines than cells, that
    `_fit` cannot read as printed: its tokens are to be rebuilt (`reconstruct.py`)."""
    if not losses.lossy_lines:
        return False
    tokens = [c.text for c in cells if c.text]
    if not (plain_tokens(tokens) and len(tokens) == len(cells)):
        return False
    # merged: even a row of `width` lines may hide a merge and a break; broken: a row of more
    # lines than cells is a broken number, not padding or stray zeros to trim
    return losses.merged or len(tokens) > width or _fit(cells, width)[0] is None


def _too_many_lines(where: str, cells: list[Cell], width: int, losses: Losses, out: Tables) -> bool:
    """A row a lossy dump may have changed that cannot be rebuilt (a blank cell among its
    lines): more lines than cells where numbers may be broken across lines (trimming them
    as padding would misplace its cells), or any number of lines where lines may also have
    been merged (a merge and a break leave as many lines as cells)."""
    if (losses.broken and len(cells) > width) or (losses.broken and losses.merged):
        shown = " / ".join(c.text for c in cells)
        out.problems.append(
            f"{where}: {len(cells)} lines {shown!r} for {width} cells, where lines may be "
            "merged or numbers broken, with blanks: not rebuilt"
        )
        return True
    return False


def _rebuilt_readings(
    where: str,
    cells: list[Cell],
    width: int,
    losses: Losses,
    accept,
    out: Tables,
) -> list[tuple[int, ...]]:
    """The readings of a lossy row its own identity allows; [] (and the problem filed)
    when there are none or too many to try."""
    tokens = [c.text for c in cells]
    shown = " / ".join(tokens)
    try:
        found = readings(tokens, width, losses.merged, losses.broken, accept)
    except TooAmbiguous as exc:
        out.problems.append(f"{where}: lines {shown!r} are too ambiguous to try ({exc})")
        return []
    if not found:
        out.problems.append(
            f"{where}: lines {shown!r} fit no reading of {width} cells that satisfies its "
            "identities"
        )
    return found


def _file_notes(table: str, notes: list[str], out: Tables) -> None:
    for note in notes:
        benign = note.startswith(("paired by position", "stray number"))
        (out.warnings if benign else out.problems).append(f"{table}: {note}")


_GLUED = re.compile(r"-?0\d")


def _glued(where: str, cells: list[Cell], losses: Losses, out: Tables) -> bool:
    """A run-together dump's `02025` is the digits of more than one cell (or of a cell and
    the prose after it), never one number: filed as a problem, and the row left unread."""
    if not losses.run_together:
        return False
    glued = [c.text for c in cells if _GLUED.match(c.text)]
    if glued:
        out.problems.append(f"{where}: {glued[0]!r} starts with 0, so it is not one number")
    return bool(glued)


def _cell_value(cell: Cell) -> tuple[Value, Cell] | None:
    v = cell.value  # parse_value(cell.text), parsed when the cell was made
    return (v, cell) if v is not None else None


def _is_run(cells: list[Cell], width: int) -> bool:
    printed = [c for c in cells if c.text]
    return (
        0 < len(printed) < width
        and all(c.text.lstrip("-").isdigit() for c in printed)
        and sum(len(c.text.lstrip("-")) for c in printed) >= width
    )


def _solve_table3_runs(
    to_split: dict[str, list[Cell]],
    to_rebuild: dict[str, list[Cell]],
    losses: Losses,
    fixed: dict[str, list[tuple[Value, Cell] | None]],
    form_rows: tuple[FormRow, ...],
    out: Tables,
) -> None:
    """One step for every row whose cells must be inferred: digits run together, lines a
    lossy dump merged or broke. Each row's own readings (its total holds), then one
    reading of them all that the table's column identities allow, kept only if unique.

    The identities choose a lossy row's reading only while nothing shows the report
    breaks them: a lossy row none of whose readings has its printed total, or a row read
    as printed whose total is off, means the identities cannot be trusted to choose (a
    reading would "repair" the print), and each lossy row is then kept only where its
    printed lines allow a single reading on their own."""
    candidates: dict[str, list[tuple[int, ...]]] = {}
    printed_rows = [[v[0].number if v else None for v in vals] for vals in fixed.values()]
    untrusted = any(
        len(row) == T3_COLUMNS and None not in row and not _row_total_holds(tuple(row))  # type: ignore[arg-type]
        for row in printed_rows
    )
    own: dict[str, list[tuple[int, ...]]] = {}
    for code, cells in to_rebuild.items():
        fits = _rebuilt_readings(
            f"table 3 row {code}", cells, T3_COLUMNS, losses, _row_total_holds, out
        )
        untrusted = untrusted or not fits
        own[code] = fits
    for code, fits in own.items():
        if untrusted:  # only what the printed lines say by themselves
            alone = _rebuilt_readings(
                f"table 3 row {code}", to_rebuild[code], T3_COLUMNS, losses, lambda _: True, out
            )
            fits = alone if len(alone) == 1 else []
            shown = " / ".join(c.text for c in to_rebuild[code])
            if fits and not _row_total_holds(fits[0]):
                # the one reading the lines allow breaks the row's own total: the loss
                # assumed (merged lines) may not be what happened (a pipe row of blank
                # cells read as one line '26' became seven 26s): not rebuilt
                out.problems.append(
                    f"table 3 row {code}: lines {shown!r} allow one reading, and it breaks "
                    "the row's own total: not rebuilt"
                )
                fits = []
            if len(alone) > 1:
                out.problems.append(
                    f"table 3 row {code}: lines {shown!r} "
                    "allow several readings and the table breaks its own identities, so they "
                    "cannot choose"
                )
        if fits:
            candidates[code] = fits
    for code, cells in to_split.items():
        fits = split_runs([c.text for c in cells], T3_COLUMNS, [T3_COLUMNS])
        if not fits:
            out.problems.append(
                f"table 3 row {code}: run-together digits {' '.join(c.text for c in cells)!r} "
                "fit no split that satisfies the row total"
            )
            continue
        candidates[code] = fits
    known = {code: [v[0].number if v else None for v in vals] for code, vals in fixed.items()}
    codes = list(candidates)
    combos = 1
    for code in codes:
        combos *= len(candidates[code])
    solutions: list[dict[str, tuple[int, ...]]] = []
    if combos <= MAX_COMBINATIONS:
        for choice in itertools.product(*(candidates[c] for c in codes)):
            table = dict(known)
            table.update({c: list(v) for c, v in zip(codes, choice, strict=True)})
            if _table3_identities_hold(table, form_rows):
                solutions.append(dict(zip(codes, choice, strict=True)))
    else:
        out.problems.append(f"table 3: too many possible splits ({combos}) to check")
    if not solutions:
        # fall back to run-together rows whose own split is unique (their digits are all
        # there: a row total alone pins them); rebuilt lossy rows need the whole table
        solutions = [
            {
                c: candidates[c][0]
                for c in codes
                if len(candidates[c]) == 1 and (c in to_split or untrusted)
            }
        ]
        if any(len(candidates[c]) > 1 or c in to_rebuild for c in codes):
            out.problems.append(
                "table 3: no reading of the run-together digits or lossy lines satisfies "
                "all identities"
            )
    for code in codes:
        source = to_split.get(code) or to_rebuild[code]
        options = {s[code] for s in solutions if code in s}
        if len(options) == 1:
            (vals,) = options
            fixed[code] = [(Value(v, str(v)), source[0]) for v in vals]
        elif options:
            shown = " or ".join("/".join(map(str, o)) for o in sorted(options)[:4])
            more = f" and {len(options) - 4} more" if len(options) > 4 else ""
            printed = (
                f"run-together digits {''.join(c.text for c in source)!r}"
                if code in to_split
                else f"lines {' / '.join(c.text for c in source)!r}"
            )
            out.problems.append(f"table 3 row {code}: {printed} are ambiguous ({shown}{more})")


def _row_total_holds(values: tuple[int, ...]) -> bool:
    return sum(values[:-1]) == values[-1]


def _groups_hold(values: tuple[int, ...]) -> bool:
    """Table 4: each group's four outcomes add up to its 总计."""
    n = len(T4_OUTCOMES)
    return all(sum(values[g : g + n - 1]) == values[g + n - 1] for g in range(0, len(values), n))


def _table3_identities_hold(table: dict[str, list], form_rows: tuple[FormRow, ...]) -> bool:
    results = [
        r.code
        for r in form_rows
        if r.code.startswith("result.") and r.code != "result.total" and r.code in table
    ]
    # a group row (2019's single 其他处理) and its parts are never both present
    blank: list = [None] * T3_COLUMNS  # (a list of Any: the checks below skip the Nones)
    for col in range(T3_COLUMNS):
        new, carried, total, forward = (
            (table.get(code) or blank)[col]
            for code in ("received.new", "received.carried_over", "result.total", "carried_forward")
        )
        if None not in (new, carried, total, forward) and new + carried != total + forward:
            return False
        parts = [(table.get(c) or blank)[col] for c in results]
        if total is not None and None not in parts and sum(parts) != total:
            return False
    return True


# ------------------------------------------------------------------ table 2
def _read_table2(rows: list[Row], form: Form, losses: Losses, out: Tables) -> None:
    run_together = losses.run_together
    short_rows: dict[str, str] = {}
    found, notes, by_position = _assign_rows(
        rows, form.table2, {r.code: len(r.measures) for r in form.table2}, losses, short_rows
    )
    if not found:
        out.problems.append("table 2: no row could be read")
        return
    out.found.add("active_disclosure")
    _file_notes("table 2", notes, out)
    header_text = " ".join(r.text for r in rows)
    for row in form.table2:
        cells = found.get(row.code)
        if cells is None:
            if row.code in short_rows:  # its label with too few numbers: `82059.2090万元`
                out.problems.append(
                    f"table 2 row {row.code}: {short_rows[row.code]!r} is fewer cells than "
                    f"its {len(row.measures)} (printed run together?)"
                )
            else:
                out.problems.append(f"table 2 row {row.code} not found")
            continue
        width = len(row.measures)
        split = run_together and width > 1 and _is_run(cells, width)
        rebuilt = not split and _rebuildable(cells, width, losses)
        if split or rebuilt:
            printed = [c for c in cells if c.text]
            if split:
                digits = repr("".join(c.text for c in printed))
                fits = [
                    f
                    for f in split_runs([c.text for c in printed], width)
                    if all(v >= 0 or m == "change" for v, m in zip(f, row.measures, strict=True))
                ]
                if not fits:
                    out.problems.append(f"table 2 row {row.code}: digits {digits} fit no split")
                    continue
                what = f"run-together digits {digits}"
            else:
                fits = _rebuilt_readings(
                    f"table 2 row {row.code}", printed, width, losses, lambda _: True, out
                )
                if not fits:
                    continue
                what = f"lines {' / '.join(c.text for c in printed)!r}"
            pairs: list[tuple[Value, Cell] | None] = []
            for k, measure in enumerate(row.measures):
                options = sorted({f[k] for f in fits})
                if len(options) == 1:
                    pairs.append((Value(options[0], str(options[0])), printed[0]))
                else:
                    pairs.append(None)
                    shown = "/".join(map(str, options[:6])) + (" …" if len(options) > 6 else "")
                    out.problems.append(
                        f"table 2 {row.code}.{measure}: {what} "
                        f"are ambiguous ({len(options)} possible values: {shown})"
                    )
        else:
            if _too_many_lines(f"table 2 row {row.code}", cells, width, losses, out):
                continue
            if _glued(f"table 2 row {row.code}", cells, losses, out):
                continue
            fitted, trimmed = _fit_reported(f"table 2 row {row.code}", cells, width, out)
            if fitted is None:
                continue
            if trimmed:
                by_position.add(row.code)
            pairs = [(c.value, c) for c in fitted]  # type: ignore[misc]  # value cells
        method = _method(
            row.code, by_position, {row.code} if split else set(), {row.code} if rebuilt else set()
        )
        for measure, pair in zip(row.measures, pairs, strict=True):
            if pair is None:
                continue
            value, src = pair
            number = value.number
            if number is not None and measure in MONEY_MEASURES:
                number = _to_unit(number, value.unit, header_text, MONEY_MEASURES[measure])
            out.active_disclosure.append(
                new_disclosure_fact(
                    row.code,
                    measure,
                    None if number is None else float(number),
                    value.raw,
                    src.line,
                    method,
                )
            )


def _to_unit(number: float, unit: str | None, header: str, target_yuan: int) -> float:
    """Convert a printed money amount to the measure's unit (元 or 万元)."""
    if unit is None:
        unit = "万元" if "万元" in header else "元"
    yuan = number * (10_000 if unit == "万元" else 1)
    result = yuan / target_yuan
    return round(result, 6)


# ------------------------------------------------------------------ table 4
def _read_table4(rows: list[Row], losses: Losses, out: Tables) -> None:
    run_together = losses.run_together
    cells: list[Cell] = []
    for k, row in enumerate(rows):
        if TABLE4_END.search(row.text) and cells:
            break
        if row.label and TABLE4_END.search(row.label):
            break
        if k and T4_HEADER_WORDS.sub("", row.label):
            if cells:
                break
            continue  # a row of another table or of the narrative
        row_values = row.value_cells()
        if not any(c.text for c in row_values):
            continue
        cells.extend(row_values)
        if len([c for c in cells if c.text]) >= 15 and not (run_together or losses.lossy_lines):
            break
    width = len(T4_GROUPS) * len(T4_OUTCOMES)
    if not cells:
        out.problems.append("table 4: no values found")
        return
    if run_together and _is_run(cells, width):
        printed = [c for c in cells if c.text]
        fits = split_runs([c.text for c in printed], width, [5, 5, 5])
        if len(fits) != 1:
            out.problems.append(
                f"table 4: run-together digits {''.join(c.text for c in printed)!r} "
                + (f"are ambiguous ({len(fits)} splits fit)" if fits else "fit no split")
            )
            return
        pairs = [(Value(v, str(v)), printed[0]) for v in fits[0]]
        method = METHOD_SPLIT
    elif _rebuildable(cells, width, losses):
        printed = [c for c in cells if c.text]
        fits = _rebuilt_readings("table 4", printed, width, losses, _groups_hold, out)
        if len(fits) != 1:
            if fits:
                shown = " or ".join("/".join(map(str, f)) for f in fits[:3])
                out.problems.append(
                    f"table 4: lines {' / '.join(c.text for c in printed)!r} are ambiguous "
                    f"({len(fits)} readings: {shown}{' …' if len(fits) > 3 else ''})"
                )
            return
        pairs = [(Value(v, str(v)), printed[0]) for v in fits[0]]
        method = METHOD_RECONSTRUCTED
    else:
        if _too_many_lines("table 4", cells, width, losses, out) or _glued(
            "table 4", cells, losses, out
        ):
            return
        method = METHOD_LABEL
        fitted, note = _fit(cells, width)
        if fitted is None:
            nonblank = [c for c in cells if c.text]
            if len(nonblank) == width:  # its blank cells closed up: placed by order
                fitted, note, method = nonblank, None, METHOD_POSITION
            else:
                out.problems.append(f"table 4: {note}")
                return
        if note:
            out.warnings.append(f"table 4: {note}")
            method = METHOD_POSITION
        pairs = [(c.value, c) for c in fitted]  # type: ignore[misc]  # value cells
    if any(isinstance(v.number, float) for v, _ in pairs):  # (see table 3's)
        out.problems.append("table 4: a value printed with a decimal point where counts belong")
        return
    out.found.add("review_litigation")
    for i, (value, src) in enumerate(pairs):
        group, outcome = T4_GROUPS[i // 5], T4_OUTCOMES[i % 5]
        number = None if value.number is None else int(value.number)
        out.review_litigation.append(
            new_review_fact(group, outcome, number, value.raw, src.line, method)
        )
