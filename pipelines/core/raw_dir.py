"""What the raw dir holds, and reading one raw file safely.

Every entry under the raw dir (dot-files and dot-directories aside) is listed, and each
one either is a regular file to read or carries the reason it is not read: symbolic links
are never followed (wherever they point), named pipes, sockets and devices are never
opened for reading, and a directory that cannot be listed is listed itself. Files are
opened with O_NOFOLLOW and O_NONBLOCK, so a file swapped for a link or a pipe after the
listing is refused rather than followed or waited on.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
}


@dataclass(frozen=True, slots=True)
class RawEntry:
    path: str  # the raw dir joined with the name on disk (plain strings: many files)
    rel: str  # relative to the raw dir, with forward slashes, as a path key (`path_key`)
    problem: str | None = None  # why it is not read, or None for a regular file


# --- file names as text ---------------------------------------------------------------
# A Linux file name is bytes; Python gives undecodable ones as lone surrogates
# (surrogateescape), which no Parquet or DuckDB string can hold. A GBK name unpacked from a
# zip made on Windows is the common case. The manifest, `reports.source_path` and every
# message therefore carry a *path key*: the name itself when it is UTF-8 without a
# backslash (nearly always), otherwise the name with each backslash doubled and, in a part
# of the path that is not UTF-8, each non-ASCII byte written `\xHH`. The key is plain UTF-8 text, one key per name and one
# name per key (`fs_name` gives the bytes back), so such a file is read like any other.


def path_key(name: str) -> str:
    """The text key of a file name (as `os` returns it: surrogateescape for stray bytes)."""
    if "\\" not in name and (name.isascii() or _is_utf8(name)):
        return name
    return "/".join(_component_key(part) for part in name.split("/"))


def _component_key(part: str) -> str:
    raw = os.fsencode(part).replace(b"\\", b"\\\\")
    if _is_utf8(part):
        return raw.decode("utf-8")
    # not UTF-8: every non-ASCII byte escaped (decoding the valid stretches would show
    # stray characters made of the other encoding's bytes)
    return raw.decode("ascii", errors="backslashreplace")


def fs_name(key: str) -> str:
    """The file name (for `os` calls) that `path_key` made `key` of."""
    if "\\" not in key:
        return key
    out = bytearray()
    i = 0
    while i < len(key):
        if key.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif key.startswith("\\x", i) and _HEX.fullmatch(key[i + 2 : i + 4]):
            out.append(int(key[i + 2 : i + 4], 16))
            i += 4
        else:
            out += key[i].encode("utf-8")
            i += 1
    return os.fsdecode(bytes(out))


def readable_name(key: str) -> str | None:
    """For a key with escaped bytes: the name as GB18030 (what a Windows zip's GBK names
    are) when its bytes read that way, else None."""
    name = fs_name(key)
    if _is_utf8(name):
        return None
    parts = []
    for part in name.split("/"):
        try:
            parts.append(part if _is_utf8(part) else os.fsencode(part).decode("gb18030"))
        except UnicodeDecodeError:
            return None
    return "/".join(parts)


def name_note(key: str) -> str:
    """What a path key that is not the name as it is stands for, in words."""
    readable = readable_name(key)
    if readable is not None:
        return (
            f"file name is not UTF-8 (its bytes are written \\xHH); as GB18030 it reads {readable}"
        )
    if _is_utf8(fs_name(key)):
        return "the file name holds backslashes (written doubled in the path)"
    return "file name is not UTF-8 (its bytes are written \\xHH)"


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_HEX = re.compile(r"[0-9a-f]{2}")


class NotRegularFile(OSError):
    pass


class FileTooLarge(OSError):
    def __init__(self, size: int, limit: int):
        super().__init__(errno.EFBIG, "file too large")
        self.size, self.limit = size, limit

    def __str__(self) -> str:
        return (
            f"file too large to parse: {self.size:,} bytes, over the limit of {self.limit:,} "
            "bytes (parse config max_file_mb; govreports refresh --max-file-mb)"
        )


def iter_raw_entries(raw_dir: Path) -> Iterator[RawEntry]:
    """Every entry under raw_dir in directory order; directories are walked, not links."""
    root = str(raw_dir)
    prefix = len(root) + (0 if root.endswith(os.sep) else 1)
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                children = list(it)
        except OSError as exc:
            if folder == root:
                raise
            yield _entry(folder, prefix, f"cannot list directory: {_why(exc)}")
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            path = child.path
            if child.is_symlink():
                yield _entry(path, prefix, _link_problem(raw_dir, Path(path)))
            elif child.is_dir(follow_symlinks=False):
                pending.append(path)
            elif child.is_file(follow_symlinks=False):
                yield _entry(path, prefix, None)
            else:
                yield _entry(path, prefix, _special_problem(Path(path)))


def scan_raw_dir(raw_dir: Path) -> list[RawEntry]:
    """Every entry under raw_dir, sorted by relative path."""
    return sorted(iter_raw_entries(raw_dir), key=lambda e: e.rel)


def has_entries(raw_dir: Path) -> bool:
    """Whether raw_dir holds any entry `scan_raw_dir` would list (stops at the first)."""
    return next(iter_raw_entries(raw_dir), None) is not None


def open_regular(path: Path, follow_links: bool = False):
    """Open a regular file for binary reading; refuse links (unless asked) and special files."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise NotRegularFile(errno.ELOOP, "a symbolic link, not followed") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise NotRegularFile(errno.EINVAL, f"{kind}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sha256_of(path: str | Path) -> str:
    """SHA-256 of a regular file's bytes, read a MiB at a time; links are not followed."""
    digest = hashlib.sha256()
    with open_regular(Path(path)) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_bytes(path: Path, max_bytes: int, follow_links: bool = False) -> bytes:
    """The file's bytes; `FileTooLarge` above max_bytes (checked before reading)."""
    with open_regular(path, follow_links) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise FileTooLarge(size, max_bytes)
        # as many bytes as the file holds, and one more to see it grow: a read of
        # max_bytes + 1 allocates that much first (50 MB for each ~10 KB report: 47 µs a
        # file against 13)
        data = fh.read(size + 1)
        if len(data) > size:  # grew since the stat: read on, up to the limit
            data += fh.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # grew while being read
        raise FileTooLarge(len(data), max_bytes)
    return data


def describe_error(exc: OSError) -> str:
    """The reason a `reports` row gives for a file that could not be read."""
    if isinstance(exc, FileTooLarge):
        return str(exc)
    return f"cannot read file: {_why(exc)}"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _entry(path: str, prefix: int, problem: str | None) -> RawEntry:
    rel = path[prefix:]
    return RawEntry(path, path_key(rel if os.sep == "/" else rel.replace(os.sep, "/")), problem)


def _link_problem(raw_dir: Path, path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError as exc:
        return f"not read: a symbolic link ({_why(exc)}); links are never followed"
    try:
        resolved = (path.parent / target).resolve()
        inside = resolved.is_relative_to(raw_dir.resolve())
        where = "inside the raw dir" if inside else "outside the raw dir"
    except (OSError, RuntimeError):  # a loop of links (3.11 raises RuntimeError)
        where = "a loop of links"
    return (
        f"not read: a symbolic link to {path_key(target)} ({where}); links are never "
        "followed, put the file itself in the raw dir"
    )


def _special_problem(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot read file: {_why(exc)}"
    kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return f"not read: {kind}, not a regular file"


def advise_will_read(paths: Iterable[str | Path]) -> None:
    """Ask the kernel to start reading these files into the page cache now (readahead),
    so that a reader that takes one file at a time (the manifest's hashing, the parse
    workers) does not wait for the disk file by file when the raw files are not cached. Only
    advice: errors are ignored (the read itself reports them)."""
    if not hasattr(os, "posix_fadvise"):
        return
    for path in paths:
        try:
            fd = os.open(
                path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
            )
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)
