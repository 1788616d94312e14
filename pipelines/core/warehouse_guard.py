"""What a refresh checks before it writes: the warehouse dir holds only what refreshes made.

A refresh deletes in the warehouse dir (old snapshots, other parser versions' caches,
compacted cache parts) and replaces its links. Were one of the names it manages a link
to somewhere else (`snapshots -> ~/Documents`), a directory where a file belongs or a
pipe, that would delete or overwrite files outside the warehouse, or stop with a
traceback. `check_layout` looks at each managed name without following links (lstat)
and refuses anything a refresh would not have made, naming it; names the pipeline does
not manage (a README the user put there) are left alone. `check_dirs` refuses a
warehouse dir inside the raw dir (a refresh would read its own files as reports), or
the other way round.

Plain functions (no Dagster), so the CLI checks before it imports Dagster at all.
Anything read from the disk that a message shows (link targets, names, the lock
holder's text) goes through `printable` first.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from pipelines.core.paths import PUBLISHED, WarehouseLayout

#: How much of a text read from the disk (a lock holder's text, a link target) is shown.
MAX_SHOWN = 300

# Control (C0, DEL, C1) and format characters (bidi overrides and isolates, zero-width
# characters), separators that end a line, surrogates, private-use and unassigned ones.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))

_ADVICE = (
    "the warehouse dir holds only files the pipeline writes; move it away (or remove it) and retry"
)


class WarehouseLayoutError(RuntimeError):
    """A name the pipeline manages in the warehouse dir is not what a refresh made."""

    def __init__(self, path: Path, what: str, expected: str, advice: str = _ADVICE):
        self.path, self.what = path, what
        super().__init__(
            f"{printable(str(path), 4 * MAX_SHOWN)} is {what}, not what a refresh made "
            f"({expected}): {advice}"
        )


def printable(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` safe to print on a terminal or in a log: characters that could move the
    cursor, recolour, retitle or reorder what is shown become visible escapes (`\\x1b`,
    `\\u202e`), and past `limit` characters it is cut short with `…`."""
    out: list[str] = []
    size = 0
    for char in text:
        if unicodedata.category(char) in _HIDDEN:
            char = _escape(char)
        out.append(char)
        size += len(char)
        if size > limit:
            return "".join(out)[: limit - 1] + "…"
    return "".join(out)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _never(_mode: int) -> bool:
    return False


def describe(path: Path, st: os.stat_result) -> str:
    """What is at `path` (from its lstat), in words: "a symbolic link to …", "a directory"."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        try:
            return f"a symbolic link to {printable(os.readlink(path))}"
        except OSError:
            return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def lstat(path: Path) -> os.stat_result | None:
    """`path`'s own status (a link is not followed), or None when nothing is there."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a parent is a file: refused when that parent is checked
        return None


def check_layout(layout: WarehouseLayout) -> None:
    """Raise `WarehouseLayoutError` for the first managed name in the warehouse dir that is
    not what a refresh makes there; an absent name is fine (a refresh creates it).

    refresh.lock             a regular file
    snapshots/               a directory; in it, directories only (snapshots, `.starting-*`
                             copies of killed refreshes, `.old-marts`) and, tolerated,
                             regular files named `.…` (a cleanup removes them)
    current                  a link to `snapshots/<name>`
    <published name>         a link to `current/<the same name>`; or the layout before
                             snapshots, which the next publish migrates: a regular file
                             (`marts`: a directory)
    .<name>.link.tmp         a link (left by a refresh killed while publishing)
    cache/, cache/parsed/    directories; in cache/parsed/, directories (one per parser
                             version) and, tolerated, regular files named `.…`
    """
    root = layout.root
    if lstat(root) is None:
        return
    _expect(layout.lock, stat.S_ISREG, "the writer lock: a regular file")
    _expect_dir(layout.snapshots, "a directory of snapshots")
    _expect_children_dirs(layout.snapshots, "snapshot directories only")
    _expect_link(layout.current, _is_snapshot_link, f"a link to {layout.snapshots.name}/<run id>")
    for name in PUBLISHED:
        # (the layout before snapshots: plain files and a marts/ dir; it had no docs)
        old_layout = {"marts": stat.S_ISDIR, "docs": _never}.get(name, stat.S_ISREG)
        _expect_link(
            root / name,
            lambda target, name=name: target == f"{layout.current.name}/{name}",
            f"a link to {layout.current.name}/{name}",
            old_layout,
        )
    for name in (layout.current.name, *PUBLISHED):  # snapshots._replace_with_link
        _expect(root / f".{name}.link.tmp", stat.S_ISLNK, "a temporary link")
    parsed = layout.parse_cache("any").parent  # cache/parsed
    _expect_dir(parsed.parent, "the cache's directory")
    _expect_dir(parsed, "the parse cache's directory")
    _expect_children_dirs(parsed, "one directory per parser version")


def _expect(path: Path, is_ok, expected: str) -> os.stat_result | None:
    st = lstat(path)
    if st is not None and not is_ok(st.st_mode):
        raise WarehouseLayoutError(path, describe(path, st), expected)
    return st


def _expect_dir(path: Path, expected: str) -> None:
    _expect(path, stat.S_ISDIR, expected)


def _expect_children_dirs(folder: Path, expected: str) -> None:
    if lstat(folder) is None:
        return
    for child in folder.iterdir():
        st = os.lstat(child)
        if stat.S_ISDIR(st.st_mode):
            continue
        if stat.S_ISREG(st.st_mode) and child.name.startswith("."):
            continue  # e.g. .DS_Store: removed by a cleanup, and harmless until then
        raise WarehouseLayoutError(child, describe(child, st), expected)


def _expect_link(path: Path, target_ok, expected: str, old_layout=None) -> None:
    st = lstat(path)
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode):
        if target_ok(os.readlink(path)):
            return
    elif old_layout is not None and old_layout(st.st_mode):
        return
    raise WarehouseLayoutError(path, describe(path, st), expected)


def _is_snapshot_link(target: str) -> bool:
    """`snapshots/<name>`, exactly as `snapshots.publish` writes it."""
    folder, _, name = target.partition("/")
    return (
        folder == "snapshots"
        and name not in ("", ".", "..")
        and "/" not in name
        and not name.startswith(".")
    )


def check_dirs(raw_dir: Path, warehouse_dir: Path) -> str | None:
    """Why the raw dir and the warehouse dir cannot be used together, or None. A warehouse
    dir inside the raw dir would be read as reports (rejected ones, more each run)."""
    problem = check_warehouse_path(warehouse_dir)
    if problem:
        return problem
    if _within(warehouse_dir, raw_dir):
        if _within(raw_dir, warehouse_dir):
            return (
                f"the warehouse dir {warehouse_dir} is the raw dir: a refresh would read its "
                "own files as reports; keep the warehouse dir outside the raw dir"
            )
        return (
            f"the warehouse dir {warehouse_dir} is inside the raw dir {raw_dir}: a refresh "
            "would read its own files as reports; keep the warehouse dir outside the raw dir"
        )
    if _within(raw_dir, warehouse_dir):
        return (
            f"the raw dir {raw_dir} is inside the warehouse dir {warehouse_dir}: "
            "the warehouse dir holds only files the pipeline writes; keep them apart"
        )
    return None


def check_warehouse_path(warehouse_dir: Path) -> str | None:
    """Why DuckDB cannot keep a database under this path, or None.

    DuckDB reads `?` in a database path as the start of connection options: the database
    opens, and its first commit fails on a write-ahead log it names by cutting the path at
    the `?` (DuckDB 1.5; a link to the dir does not help, DuckDB resolves it). And a path
    that is not UTF-8 cannot be passed to it at all. Refused at start, in words, rather than
    failing every refresh at its first SQL model."""
    text = str(warehouse_dir.resolve())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return (
            f"the warehouse dir {printable(os.fsencode(text).decode('utf-8', 'backslashreplace'))} "
            "is not a UTF-8 path, which DuckDB cannot open; choose another warehouse dir"
        )
    if "?" in text:
        return (
            f"the warehouse dir {printable(text)} has a '?' in its path, which DuckDB reads as "
            "the start of connection options (its database cannot be written there); "
            "choose a warehouse dir without '?'"
        )
    return None


def _within(inner: Path, outer: Path) -> bool:
    """`inner` is `outer` or below it: by their real paths, or (a case-insensitive file
    system, a bind mount) because `inner` or one of its parents is the same dir."""
    inner, outer = inner.resolve(), outer.resolve()
    if inner.is_relative_to(outer):
        return True
    try:
        target = os.stat(outer)
    except OSError:
        return False
    for folder in (inner, *inner.parents):
        try:
            st = os.stat(folder)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False
