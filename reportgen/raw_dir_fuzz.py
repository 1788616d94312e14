"""The pipeline fuzz: an adversarial raw dir, then the whole `govreports refresh` on it.

`fill_raw_dir` fills a raw dir with N entries from a seed (the same seed gives the same
entries, byte for byte): mutated real reports (`reportgen/mutations.py`), reports with absurd
figures (`9223372036854775808`, `增加99999999999999999999`, run-together cells, …), files with
odd names (not UTF-8, spaces, newlines, quotes, backslashes, glob characters, leading `-`,
250 bytes, emoji, NFC/NFD twins, nested sub-directories), junk (empty files, binary blobs,
huge lines, web pages, the same bytes under several names, a file over the size cap) and
entries that must never be read (symbolic links, a named pipe, a socket).

`check_refresh` runs `govreports refresh` on it twice, as a subprocess, and checks the
README's guarantee: the refresh completes and every entry has exactly one `reports` row,
with a reason when it is not `parsed`; no loaded figure is absurd; the second refresh parses
nothing. Used by `tests/test_pipeline_fuzz.py` (a few hundred entries) and
`fuzz/fuzz_pipeline.py` (`make fuzz-pipeline`, thousands).
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import random
import re
import socket
import stat
import subprocess
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import HealthCheck, Phase, given, seed, settings

from reportgen.mutations import mutated_reports, real_reports
from reportgen.paths import FIXTURES, SHIPPED_SEEDS
from reportgen.refresh_subprocess import cli_env, cli_refresh_args, dagster_home

#: Entry classes, in the order their entries are made.
CLASSES = ("mutated", "absurd", "names", "junk", "special")
#: Share of the entries of each class (links, pipes and sockets: a few per raw dir).
WEIGHTS = {"mutated": 3, "absurd": 2, "names": 3, "junk": 2}
STATUSES = {"parsed", "partial", "rejected"}
#: No figure of the form is larger (parsers.report.MAX_FIGURE).
MAX_FIGURE = 10**12
MB = 1024 * 1024
FACT_TABLES = ("applications", "review_litigation", "active_disclosure")


@dataclass(frozen=True)
class Entry:
    """One generated entry of the raw dir."""

    rel: bytes  # its path relative to the raw dir, `/`-separated, the bytes on disk
    kind: str  # "class:what", e.g. "names:gbk", "special:fifo"
    never_read: bool = False  # a link or a special file: its row must be `rejected`

    @property
    def cls(self) -> str:
        return self.kind.split(":", 1)[0]

    @property
    def verbatim(self) -> str | None:
        """The `source_path` the row must have: the name itself when it is UTF-8 without a
        backslash; None otherwise (the pipeline escapes such names)."""
        try:
            text = self.rel.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return None if "\\" in text else text

    def __str__(self) -> str:
        return f"{os.fsdecode(self.rel)!r} ({self.kind})"


#: Not annual reports under the present form: a pre-2019 report and a web page.
LEGACY = (
    "某某县人民政府2017年政府信息公开工作年度报告\n"
    "一、概述\n二、主动公开政府信息情况\n本年度主动公开政府信息1234条。\n"
    "三、依申请公开政府信息情况\n共受理申请15件。\n"
)
WEB_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>某某县人民政府门户网站</title>'
    "<script>var menu = [];</script></head><body><nav><a href='/'>首页</a> "
    "<a href='/zwgk'>政务公开</a></nav><h1>关于报送2023年度政府信息公开工作年度报告的通知</h1>"
    "<p>各乡镇人民政府，县政府各部门：请于2024年1月31日前报送年度报告。</p>"
    "<form><input name='q'></form></body></html>"
)


# --- what goes in the files ------------------------------------------------------------

ABSURD_FIGURES = [
    "9223372036854775808",  # int64 max + 1
    "9223372036854775807",  # int64 max: fits, but no form's figure
    "-9223372036854775809",
    "18446744073709551616",
    "1,000,000,000,000,000,000,000",
    "1,000,000,000,000,001",
    "增加99999999999999999999",
    "减少99999999999999999999",
    "+9223372036854775808件",
    "9223372036854775808万元",
    "99999999999999999999.5",
    "1e308",
    "1E+308",
    "1.7976931348623157e308",
    "1" + "0" * 400,
    "9" * 400 + ".5",  # float('9…9.5') is inf
    "9" * 5000,  # over Python's int-from-text digit limit (4300)
    "1000000000001",  # just over MAX_FIGURE
    "-1000000000001",
    "1000000000000",  # MAX_FIGURE itself: a figure
    "１２３４５６７８９０１２３４５６７８９０",  # full-width digits
    "٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩",  # Arabic-Indic digits: str.isdigit(), int() reads them
    "१२३४५६७८९०१२३४५६७८९०",  # Devanagari digits
    "inf",
    "NaN",
    "-0",
    "0x7fffffffffffffff",
    "1_000_000_000_000_000",
]


def corpus() -> list[bytes]:
    """The real reports beside the repo (or the fixtures) and the shipped sample."""
    sample = sorted(SHIPPED_SEEDS.parent.glob("*/*.txt"))
    seen: set[bytes] = set()
    out = []
    for data in real_reports() + [p.read_bytes() for p in sample]:
        if data not in seen:
            seen.add(data)
            out.append(data)
    return out


def texts(reports: Iterable[bytes]) -> list[str]:
    """The reports that are UTF-8 text, decoded (the base of the absurd-figure reports)."""
    out = []
    for data in reports:
        try:
            out.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return out


def mutated_batch(reports: list[bytes], n: int, seed_value: int) -> list[bytes]:
    """n reports mutated by `reportgen.mutations` (hypothesis, seeded: the same every time)."""
    if n <= 0:
        return []
    out: list[bytes] = []

    @seed(seed_value)
    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_reports(reports))
    def collect(data: bytes) -> None:
        out.append(data)

    collect()
    if len(out) < n:  # hypothesis may stop early: repeat what it gave
        out = (out or reports[:1]) * (n // max(1, len(out)) + 1)
    return out[:n]


_NUMBER_TOKEN = r"(?<![\d.,])\d+(?![\d.,])"


def with_absurd_figures(text: str, rng: random.Random) -> str:
    """Up to four numbers of the tables (and maybe one of the narrative) replaced by absurd
    figures."""
    start = max(text.find("二、主动公开"), 0) or len(text) // 3
    spans = [m.span() for m in re.finditer(_NUMBER_TOKEN, text)]
    tables = [span for span in spans if span[0] >= start]
    narrative = [span for span in spans if span[0] < start]
    if not tables:
        return text + "\n" + rng.choice(ABSURD_FIGURES)
    chosen = rng.sample(tables, min(len(tables), rng.randint(1, 4)))
    if narrative and rng.random() < 0.3:
        chosen.append(rng.choice(narrative))
    for a, b in sorted(chosen, reverse=True):
        text = text[:a] + rng.choice(ABSURD_FIGURES) + text[b:]
    return text


def with_run_together_cells(text: str, rng: random.Random) -> str:
    """Cells printed without their separators: the numbers of one table row written as one
    (`1 0 0 0` → `1000`), or consecutive one-cell lines joined."""
    lines = text.split("\n")
    numeric = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*\d+\s*\|?\s*", line)]
    multi = [i for i, line in enumerate(lines) if len(re.findall(r"\d+", line)) >= 2]
    if numeric and (not multi or rng.random() < 0.5):
        i = rng.choice(numeric)
        run = [i]
        while len(run) < rng.randint(2, 24) and run[-1] + 1 in numeric:
            run.append(run[-1] + 1)
        digits = "".join(re.sub(r"\D", "", lines[j]) for j in run)
        lines[i] = lines[i].replace(re.sub(r"\D", "", lines[i]), digits, 1)
        del lines[run[0] + 1 : run[-1] + 1]
    elif multi:
        for i in rng.sample(multi, min(len(multi), rng.randint(1, 3))):
            lines[i] = re.sub(r"(\d)[\s|,，]+(?=\d)", r"\1", lines[i])
    return "\n".join(lines)


def encode_somehow(text: str, rng: random.Random) -> bytes:
    codec = rng.choice(["utf-8"] * 6 + ["gb18030", "utf-16", "utf-8-sig", "big5"])
    return text.encode(codec, errors="replace")


def as_html_table(text: str) -> str:
    """A report as a web page: each line a table row, cells split at `|` or tabs."""
    import html

    rows = []
    for line in text.split("\n"):
        cells = re.split(r"[|\t]", line)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return (
        '<html><head><meta charset="utf-8"><title>年度报告</title></head><body>'
        "<table border=1>" + "\n".join(rows) + "</table></body></html>"
    )


def png_blob(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(100, 30_000))


@functools.cache
def documents() -> tuple[bytes, ...]:
    """The committed PDF and Word reports (real PDFs, generated PDFs, filled Word files)."""
    fixtures = FIXTURES
    paths = [
        *sorted((fixtures / "reports" / "corpus" / "pdf").glob("*.pdf")),
        *sorted((fixtures / "pdf_generated").glob("*.pdf")),
        *sorted((fixtures / "word").glob("*.doc*")),
        *sorted((fixtures / "word").glob("*.wps")),
    ]
    if len(paths) < 8:  # a missing fixture is a failure, never a smaller fuzz
        raise FileNotFoundError(f"PDF and Word fixtures missing under {fixtures}")
    return tuple(p.read_bytes() for p in paths)


def damaged_document(rng: random.Random) -> bytes:
    """A PDF or Word file cut short, or with some bytes overwritten."""
    data = bytearray(rng.choice(documents()))
    if rng.random() < 0.5:
        return bytes(data[: rng.randint(1, len(data) - 1)])
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(data))
        data[at : at + 8] = rng.randbytes(8)
    return bytes(data)


def zip_blob(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("2023年报告.txt", (2024, 1, 31, 0, 0, 0)), data)
    return buffer.getvalue()


# --- names -----------------------------------------------------------------------------

#: File names that are UTF-8 (some with a backslash, which the pipeline escapes).
ODD_NAMES = [
    "report with spaces.txt", " leading space.txt", "trailing space.txt ", "   ",
    "tab\there.txt", "new\nline.txt", "\n", "carriage\rreturn.txt", "crlf\r\n.txt",
    "quote'single.txt", 'quote"double.txt', "'", '"', "x'); DROP TABLE reports; --.txt",
    'a"b\'c.txt', "back\\slash.txt", "\\", "\\xff.txt", "\\x5c.txt", "\\\\server\\share.txt",
    "what?.txt", "?", "star*.txt", "*", "[abc].txt", "[", "]", "[!a]*?.txt",
    "{{warehouse_dir}}.txt", "{0}{1}.txt", "%s%n%x%d.txt", "%2F..%2F.txt", "%00.txt", "100%",
    "-", "-rf", "--raw-dir", "--help.txt", "-n.txt", "--",
    "😀.txt", "报告📄2023.txt", "👨\u200d👩\u200d👧\u200d👦", "\u202eexe.txt", "zero\u200bwidth.txt",
    "\ufeffbom.txt", "full／width／slash.txt", "$(id).txt", "`id`.txt", "$HOME.txt",
    "a;b|c&d.txt", "<tag>.txt", "a:b.txt", "CON", "nul.txt", "aux.txt", "COM1.txt",
    "null", "NULL", "None", "nan", "0", "-1", "9223372036854775808",
    "\x01\x02\x1f.txt", "\x7f.txt", "控制\x1b[31m红.txt", "2023年政府信息公开工作年度报告.txt",
    "report.TXT", "Report.txt", "REPORT.txt", "report.txt", "report.txt.exe", "report..txt",
    "report.", "no_extension", "~", "~user.txt", "a b\tc\nd\re\\f'g\"h?i*j[k%l.txt",
]  # fmt: skip

#: Names that are not UTF-8: what a zip made on Windows unpacks to, and worse.
BYTE_NAMES = [
    "2023年报告.txt".encode("gbk"),
    "政府信息公开工作年度报告.txt".encode("gb18030"),
    "年度報告.txt".encode("big5"),
    "表.txt".encode("shift_jis"),  # 0x95 0x5c: a backslash byte inside a character
    "报告\\2023.txt".encode("gbk"),  # a backslash and bytes that are not UTF-8
    "résumé.txt".encode("latin-1"),
    b"\xff",
    b"\xff.txt",  # beside the UTF-8 name `\xff.txt`
    b"\xff\xfe.txt",
    b"\x80\x81.txt",
    b"\xc0\xaf.txt",  # an overlong `/`
    b"\xed\xa0\x80.txt",  # an encoded surrogate
    b"\xf4\x90\x80\x80.txt",  # beyond U+10FFFF
    "mixed-报".encode() + "告".encode("gbk") + b".txt",
    "报".encode()[:2] + b".txt",  # a character cut short
    b"\\x\xff",
    b"\\\xff\\xff.txt",
]

#: Names that differ only in Unicode normalisation (NFC / NFD) or compatibility (NFKC).
TWIN_NAMES = [
    ("café.txt", "NFD"),
    ("한국어 보고서.txt", "NFD"),
    ("Ångström.txt", "NFD"),
    ("がぎぐ報告.txt", "NFD"),
    ("ｶﾞ.txt", "NFKC"),
    ("①.txt", "NFKC"),
    ("ﬁle.txt", "NFKC"),
    ("２０２３年报告.txt", "NFKC"),
]

LONG_NAMES = [
    "长" * 83 + "x",  # 250 bytes
    "a" * 250,
    "b" * 255,  # the longest a name can be
    "😀" * 62 + "xx",  # 250 bytes
    "报".encode("gbk") * 125,  # 250 bytes, not UTF-8
]

#: Sub-directories the odd names are put in (some odd themselves).
DIRS = [
    b"sub dir",
    "子目录".encode(),
    b"a'b\"c",
    b"-x",
    b"[d]*?",
    b"back\\slash",
    "年报目录".encode("gbk"),
    "café".encode(),
    unicodedata.normalize("NFD", "café").encode(),
    b"new\nline",
    b"/".join([b"deep"] * 40),
    b"x/y/z",
    b"%s{{warehouse_dir}}",
]


class RawDirFuzzer:
    """Fills one raw dir; `entries` lists what it made, in order."""

    def __init__(self, raw_dir: Path, seed_value: int, reports: list[bytes] | None = None):
        self.raw = os.fsencode(raw_dir)
        self.outside = os.fsencode(raw_dir.parent / f"{raw_dir.name}-outside")
        self.rng = random.Random(seed_value)
        self.seed = seed_value
        self.reports = reports if reports is not None else corpus()
        self.texts = texts(self.reports)
        self.entries: list[Entry] = []
        self.files: set[bytes] = set()
        self.dirs: set[bytes] = set()
        self.counter = 0

    # -- writing entries --

    def _parent_is_a_file(self, rel: bytes) -> bool:
        parts = rel.split(b"/")
        return any(b"/".join(parts[:i]) in self.files for i in range(1, len(parts)))

    def _unique(self, rel: bytes) -> bytes:
        """rel, or a name beside it (or under another dir) that is not taken yet."""
        while rel in self.files or rel in self.dirs or self._parent_is_a_file(rel):
            self.counter += 1
            if self._parent_is_a_file(rel):
                rel = b"clash-%d/" % self.counter + rel
                continue
            head, _, name = rel.rpartition(b"/")
            name = (b"%d-" % self.counter + name)[:255]
            rel = head + b"/" + name if head else name
        return rel

    def _parent(self, rel: bytes) -> None:
        head = rel.rpartition(b"/")[0]
        if head:
            os.makedirs(os.path.join(self.raw, head), exist_ok=True)
            parts = head.split(b"/")
            self.dirs.update(b"/".join(parts[:i]) for i in range(1, len(parts) + 1))

    def add_file(self, rel: bytes, data: bytes, kind: str) -> Entry:
        rel = self._unique(rel)
        self._parent(rel)
        fd = os.open(os.path.join(self.raw, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return self._record(rel, kind)

    def add_special(
        self, rel: bytes, kind: str, make: Callable[[bytes], None], never_read: bool = True
    ) -> Entry | None:
        rel = self._unique(rel)
        self._parent(rel)
        try:
            make(os.path.join(self.raw, rel))
        except OSError:  # e.g. a socket path over the kernel's 108 bytes
            return None
        return self._record(rel, kind, never_read)

    def _record(self, rel: bytes, kind: str, never_read: bool = False) -> Entry:
        entry = Entry(rel, kind, never_read)
        self.files.add(rel)
        self.entries.append(entry)
        return entry

    def name(self, stem: str, ext: str = ".txt") -> bytes:
        self.counter += 1
        return f"{stem}/{self.counter:05d}{ext}".encode()

    # -- the classes --

    def fill(self, n: int, classes: Iterable[str] = CLASSES) -> list[Entry]:
        wanted = set(classes)
        unknown = wanted - set(CLASSES)
        classes = [c for c in CLASSES if c in wanted]
        if unknown or not classes:
            raise ValueError(f"classes: {sorted(unknown) or 'none'}; known: {CLASSES}")
        quota = self._quota(n, classes)
        for cls in classes:
            getattr(self, f"fill_{cls}")(quota[cls])
        return self.entries

    @staticmethod
    def _quota(n: int, classes: list[str]) -> dict[str, int]:
        quota = {c: 0 for c in classes}
        if "special" in classes:
            quota["special"] = n if len(classes) == 1 else min(max(16, n // 100), n // 3)
        rest = n - quota["special"] if "special" in classes else n
        weighted = [c for c in classes if c != "special"]
        total = sum(WEIGHTS[c] for c in weighted)
        for c in weighted:
            quota[c] = rest * WEIGHTS[c] // total
        if weighted:
            quota[weighted[0]] += rest - sum(quota[c] for c in weighted)
        return quota

    def fill_mutated(self, n: int) -> None:
        for data in mutated_batch(self.reports, n, self.rng.getrandbits(32)):
            self.add_file(self.name("mutated"), data, "mutated:mutations")

    def fill_absurd(self, n: int) -> None:
        for i in range(n):
            text = self.rng.choice(self.texts)
            if i % 3 == 2:
                text, kind = with_run_together_cells(text, self.rng), "absurd:run-together"
            else:
                text, kind = with_absurd_figures(text, self.rng), "absurd:figures"
            if self.rng.random() < 0.2:
                text = with_absurd_figures(with_run_together_cells(text, self.rng), self.rng)
            self.add_file(self.name("absurd"), encode_somehow(text, self.rng), kind)

    def _content(self) -> bytes:
        """What a file with an odd name holds: mostly a report, some of them identical."""
        data = self.rng.choice(self.reports)
        roll = self.rng.random()
        if roll < 0.2:
            return data  # the same bytes as other files
        if roll < 0.8:
            self.counter += 1
            return data + b"\n" * (1 + self.counter % 4000)  # a distinct, readable copy
        if roll < 0.9:
            return mutated_batch(self.reports, 1, self.rng.getrandbits(32))[0]
        return b""

    def _odd_name_kinds(self) -> list[tuple[str, Callable[[], list[tuple[bytes, str]]]]]:
        """Each kind of odd name, as a function giving one or more (rel, kind)."""
        kinds: list[tuple[str, Callable[[], list[tuple[bytes, str]]]]] = []
        for name in ODD_NAMES:
            group = "backslash" if "\\" in name else "odd"
            kinds.append(
                (group, lambda name=name, group=group: [(name.encode(), f"names:{group}")])
            )
        for raw in BYTE_NAMES:
            kinds.append(("bytes", lambda raw=raw: [(raw, "names:not-utf8")]))
        for name, form in TWIN_NAMES:

            def twins(name=name, form=form) -> list[tuple[bytes, str]]:
                other = unicodedata.normalize(form, name)
                nfc = unicodedata.normalize("NFC", name)
                return [(nfc.encode(), "names:twin"), (other.encode(), f"names:twin-{form}")]

            kinds.append(("twin", twins))
        for name in LONG_NAMES:
            raw = name if isinstance(name, bytes) else name.encode()
            kinds.append(("long", lambda raw=raw: [(raw, "names:long")]))
        for folder in DIRS:

            def nested(folder=folder) -> list[tuple[bytes, str]]:
                leaf = self.rng.choice(ODD_NAMES).encode()
                byte_leaf = self.rng.choice(BYTE_NAMES)
                return [
                    (folder + b"/" + leaf, "names:nested"),
                    (folder + b"/" + byte_leaf, "names:nested-not-utf8"),
                    (folder + b"/report.txt", "names:nested"),
                ]

            kinds.append(("dir", nested))
        return kinds

    def fill_names(self, n: int) -> None:
        kinds = self._odd_name_kinds()
        # the names a pipeline most easily gets wrong first (not UTF-8, backslashes, twins,
        # 250 bytes: each of them in the suite's 300 entries), then the rest; all before repeats
        first = ("bytes", "backslash", "twin", "long")
        order = [k for k in kinds if k[0] in first]
        rest = [k for k in kinds if k[0] not in first]
        self.rng.shuffle(order)
        self.rng.shuffle(rest)
        order += rest
        made, i = 0, 0
        while made < n:
            _, make = order[i % len(order)]
            pairs = make()
            if i >= len(order):  # a repeat: somewhere else
                folder = self.rng.choice(DIRS + [b"more", b"more/names"])
                pairs = [(folder + b"/" + rel, kind) for rel, kind in pairs]
            for rel, kind in pairs[: n - made]:
                self.add_file(rel, self._content(), kind)
                made += 1
            i += 1

    def _junk_kinds(self) -> list[tuple[str, Callable[[], list[tuple[bytes, bytes]]]]]:
        rng = self.rng

        def one(ext: str, data: bytes) -> list[tuple[bytes, bytes]]:
            return [(self.name("junk", ext), data)]

        def seed_text() -> str:
            return rng.choice(self.texts)

        def duplicate() -> list[tuple[bytes, bytes]]:
            data = rng.choice(self.reports)
            return [(self.name(f"dup/{k}"), data) for k in range(rng.randint(2, 4))]

        def huge_line_report() -> list[tuple[bytes, bytes]]:
            line = seed_text().replace("\n", " ")
            return one(".txt", (line * (MB // len(line.encode()) + 1)).encode())

        return [
            ("empty", lambda: one(".txt", b"")),
            ("empty", lambda: one(".txt", rng.choice([b"\n", b"\r\n", b" \t ", b"\x00"]))),
            ("empty", lambda: one(".txt", rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))),
            ("binary", lambda: one(".png", png_blob(rng))),
            ("binary", lambda: one(".zip", zip_blob(rng.choice(self.reports)))),
            ("binary", lambda: one(".gz", gzip.compress(rng.choice(self.reports), mtime=0))),
            ("binary", lambda: one(".pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(5000))),
            ("binary", lambda: one(".bin", b"\x7fELF\x02\x01\x01" + rng.randbytes(3000))),
            ("binary", lambda: one(".jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + rng.randbytes(4000))),
            ("binary", lambda: one(".bin", rng.randbytes(rng.randint(1, 20_000)))),
            ("binary", lambda: one(".bin", b"\x00" * 65_536)),
            # PDF and Word reports, named right, wrong or not at all, whole or damaged
            (
                "document",
                lambda: one(rng.choice([".pdf", ".doc", ".html", ""]), rng.choice(documents())),
            ),
            ("document", lambda: one(rng.choice([".pdf", ".docx", ".doc"]), damaged_document(rng))),
            ("huge-line", huge_line_report),
            ("huge-line", lambda: one(".txt", b"0123456789" * (MB // 10))),
            ("huge-line", lambda: one(".txt", "收到申请|".encode() * (MB // 13))),
            ("huge-line", lambda: one(".txt", b"|\t" * (MB // 2))),
            ("html", lambda: one(".html", WEB_PAGE.encode())),
            ("html", lambda: one(".html", as_html_table(seed_text()).encode())),
            (
                "html",
                lambda: one(
                    ".html", as_html_table(with_absurd_figures(seed_text(), rng)).encode("gb18030")
                ),
            ),
            ("html", lambda: one(".htm", b"<html><body><table><tr><td>" * 2000)),
            ("html", lambda: one(".html", b"<script>" + b"var a = 1;\n" * 20_000)),
            ("text", lambda: one(".txt", LEGACY.encode())),
            ("text", lambda: one(".txt", seed_text()[: len(seed_text()) // 5].encode())),
            ("text", lambda: one(".csv", b"agency,year,received\n" + b"x,2023,1\n" * 500)),
            ("text", lambda: one(".json", b'{"status": "parsed", "year": 99999999999999999999}')),
            ("text", lambda: one(".txt", ("一、总体情况\n" * 5000).encode())),
            ("dup", duplicate),
        ]

    def fill_junk(self, n: int) -> None:
        kinds = self._junk_kinds()
        order = list(kinds)
        self.rng.shuffle(order)
        made, i = 0, 0
        if n >= 20:  # one file over the size cap (sparse: no disk, nothing read)
            entry = self.add_file(self.name("junk", ".txt"), b"", "junk:too-large")
            os.truncate(os.path.join(self.raw, entry.rel), 17 * MB)
            made += 1
        while made < n:
            kind, make = order[i % len(order)]
            for rel, data in make()[: n - made]:
                self.add_file(rel, data, f"junk:{kind}")
                made += 1
            i += 1

    def fill_special(self, n: int) -> None:
        """Links (to a file inside, outside, a dir outside, the raw dir itself, nowhere), pipes,
        a socket: listed, never followed or opened; and a file no one may read (as root: any
        file can be read, so it is not required to be rejected)."""
        os.makedirs(self.outside, exist_ok=True)
        outside_file = os.path.join(self.outside, b"report.txt")
        with open(outside_file, "wb") as fh:
            fh.write(self.reports[0])
        inside = next((e.rel for e in self.entries if not e.never_read), None)

        def link(target: bytes) -> Callable[[bytes], None]:
            return lambda path: os.symlink(target, path)

        def sock(path: bytes) -> None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.bind(path)

        def unreadable(path: bytes) -> None:
            with open(path, "wb") as fh:
                fh.write(self.reports[-1] + b"\n\n\n")
            os.chmod(path, 0)

        kinds: list[tuple[bytes, str, Callable[[bytes], None]]] = [
            (b"links/to-file-outside.txt", "link-outside-file", link(outside_file)),
            (b"links/to-dir-outside", "link-outside-dir", link(self.outside)),
            (b"links/dangling.txt", "link-dangling", link(b"does-not-exist.txt")),
            (b"links/loop", "link-to-raw-dir", link(b"..")),
            (b"links/self", "link-to-itself", link(b"self")),
            (b"links/ping", "link-cycle", link(b"pong")),
            (b"links/pong", "link-cycle", link(b"ping")),
            (b"links/chain", "link-chain", link(b"../" + b"/".join([b"."] * 60) + b"/links/chain")),
            (b"links/odd-target", "link-odd-target", link(b"\xff\xfe\\n'\"\n.txt")),
            (b"pipe", "fifo", os.mkfifo),
            (b"pipes/nested pipe", "fifo", os.mkfifo),
            (b"sock", "socket", sock),
            (b"unreadable.txt", "unreadable", unreadable),
        ]
        if inside is not None:  # the link sits in links/
            kinds.insert(0, (b"links/to-file-inside", "link-inside-file", link(b"../" + inside)))
        made = tries = 0
        while made < n and tries < 10 * (n + len(kinds)):
            rel, kind, make = kinds[tries % len(kinds)]
            if tries >= len(kinds):
                rel = b"%s-%d" % (rel, tries)
            tries += 1
            if self.add_special(rel, f"special:{kind}", make, kind != "unreadable"):
                made += 1


def fill_raw_dir(
    raw_dir: Path,
    n: int,
    seed_value: int,
    classes: Iterable[str] = CLASSES,
    reports: list[bytes] | None = None,
) -> list[Entry]:
    """Fill raw_dir (created if missing) with about n entries; the entries made."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    return RawDirFuzzer(raw_dir, seed_value, reports).fill(n, classes)


def listed_entries(raw_dir: Path) -> list[bytes]:
    """What is in raw_dir as the pipeline must list it (dot-names aside; links and special
    files listed, not followed), relative `/`-separated bytes: a check of the generator."""
    root = os.fsencode(raw_dir)
    found = []
    pending = [b""]
    while pending:
        rel = pending.pop()
        for name in os.listdir(os.path.join(root, rel) if rel else root):
            if name.startswith(b"."):
                continue
            child = rel + b"/" + name if rel else name
            mode = os.lstat(os.path.join(root, child)).st_mode
            if stat.S_ISDIR(mode):
                pending.append(child)
            else:
                found.append(child)
    return sorted(found)


# --- the refresh and its checks ----------------------------------------------------------


class FuzzFailure(AssertionError):
    """A broken guarantee; the message says which, with the refresh's output."""


@dataclass
class Refresh:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def tail(self, lines: int = 30) -> str:
        """The summary, the one-line errors (`govreports: …`) and the end of stderr."""
        err = self.stderr.rstrip("\n").split("\n")
        errors = [line for line in err[:-lines] if line.startswith("govreports:")]
        return "\n".join(
            [f"--- stdout ---\n{self.stdout.strip()}"]
            + ([f"--- stderr: errors ---\n{chr(10).join(errors)}"] if errors else [])
            + [f"--- stderr (last {lines} lines) ---\n" + "\n".join(err[-lines:])]
        )


@dataclass
class Result:
    entries: int
    statuses: Counter = field(default_factory=Counter)
    first: float = 0.0
    second: float = 0.0

    def line(self) -> str:
        counts = " · ".join(f"{s} {n}" for s, n in sorted(self.statuses.items()))
        return f"{self.entries} entries ({counts}); refresh {self.first:.1f} s, again {self.second:.1f} s"


def run_refresh_cli(
    raw_dir: Path, warehouse_dir: Path, home: Path, workers: int = 2, timeout: float = 900
) -> Refresh:
    started = time.perf_counter()
    proc = subprocess.Popen(
        cli_refresh_args(raw_dir, warehouse_dir, workers),
        env=cli_env(dagster_home(home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="backslashreplace",
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n[fuzz] killed after {timeout:.0f} s"
    return Refresh(proc.returncode, out, err, time.perf_counter() - started)


def _fail(message: str, run: Refresh | None = None) -> None:
    __tracebackhide__ = True  # pytest: show the caller
    raise FuzzFailure(message + (f"\n{run.tail()}" if run else ""))


def _show(rows: list, limit: int = 8) -> str:
    more = f"\n  … and {len(rows) - limit} more" if len(rows) > limit else ""
    return (
        "\n".join(f"  {row if isinstance(row, str) else repr(row)}" for row in rows[:limit]) + more
    )


def check_warehouse(warehouse_dir: Path, entries: list[Entry], run: Refresh) -> pa.Table:
    """The guarantees on one refresh's warehouse; its `reports` table."""
    reports = pq.read_table(warehouse_dir / "reports.parquet")
    paths = reports.column("source_path").to_pylist()
    statuses = reports.column("status").to_pylist()
    reasons = reports.column("status_reason").to_pylist()
    if len(paths) != len(entries):
        made = Counter(e.cls for e in entries)
        missing = [e for e in entries if e.verbatim is not None and e.verbatim not in set(paths)]
        _fail(
            f"reports has {len(paths)} rows for {len(entries)} raw entries ({dict(made)}); "
            f"entries with a UTF-8 name and no row:\n{_show([str(e) for e in missing])}",
            run,
        )
    if None in paths or len(set(paths)) != len(paths):
        twice = [p for p, n in Counter(paths).items() if n > 1 or p is None]
        _fail(f"source_path null or not unique:\n{_show(twice)}", run)
    by_path = dict(zip(paths, zip(statuses, reasons, strict=True), strict=True))
    missing = [str(e) for e in entries if e.verbatim is not None and e.verbatim not in by_path]
    if missing:
        _fail(f"entries with a UTF-8 name shown otherwise or not at all:\n{_show(missing)}", run)
    bad_status = [(p, s) for p, s in zip(paths, statuses, strict=True) if s not in STATUSES]
    if bad_status:
        _fail(f"statuses outside {sorted(STATUSES)}:\n{_show(bad_status)}", run)
    no_reason = [
        (p, s) for p, s, r in zip(paths, statuses, reasons, strict=True) if s != "parsed" and not r
    ]
    if no_reason:
        _fail(f"rows not parsed and without a reason:\n{_show(no_reason)}", run)
    read = [
        (str(e), *by_path[e.verbatim])
        for e in entries
        if e.never_read and e.verbatim is not None and by_path[e.verbatim][0] != "rejected"
    ]
    if read:
        _fail(f"links or special files not rejected:\n{_show(read)}", run)
    _check_figures(warehouse_dir, reports, run)
    _check_database(warehouse_dir, reports, run)
    return reports


def _check_figures(warehouse_dir: Path, reports: pa.Table, run: Refresh) -> None:
    ids, paths = reports.column("report_id").to_pylist(), reports.column("source_path").to_pylist()
    where = dict(zip(ids, paths, strict=True))
    for table_name in FACT_TABLES:
        table = pq.read_table(warehouse_dir / f"{table_name}.parquet")
        value = table.column("value")
        if pa.types.is_floating(value.type):
            absurd = pc.or_kleene(
                pc.invert(pc.is_finite(value)), pc.greater(pc.abs(value), float(MAX_FIGURE))
            )
        else:
            absurd = pc.or_kleene(pc.greater(value, MAX_FIGURE), pc.less(value, -MAX_FIGURE))
        bad = table.filter(pc.fill_null(absurd, False))
        if bad.num_rows:
            rows = [
                (where.get(r["report_id"]), r["value"], (r.get("raw") or "")[:60], r.get("line"))
                for r in bad.select(["report_id", "value", "raw", "line"]).to_pylist()
            ]
            _fail(
                f"{table_name}: {bad.num_rows} values beyond ±{MAX_FIGURE:,} "
                f"(source_path, value, raw, line):\n{_show(rows)}",
                run,
            )


def _check_database(warehouse_dir: Path, reports: pa.Table, run: Refresh) -> None:
    """warehouse.duckdb agrees: one reports_all_files row per file, each one not parsed flagged."""
    not_parsed = {
        p
        for p, s in zip(
            reports.column("source_path").to_pylist(),
            reports.column("status").to_pylist(),
            strict=True,
        )
        if s != "parsed"
    }
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    try:
        (n,) = con.execute("SELECT count(*) FROM reports_all_files").fetchone()
        flagged = {
            p
            for (p,) in con.execute(
                "SELECT source_path FROM consistency_flags WHERE check_name = 'not_parsed'"
            ).fetchall()
        }
    finally:
        con.close()
    if n != reports.num_rows:
        _fail(f"reports_all_files has {n} rows, reports.parquet {reports.num_rows}", run)
    if flagged != not_parsed:
        _fail(
            "not_parsed flags differ from the rows not parsed: "
            f"unflagged {_show(sorted(not_parsed - flagged))}, "
            f"flagged but parsed {_show(sorted(flagged - not_parsed))}",
            run,
        )


def _rows(reports: pa.Table) -> list[tuple]:
    cols = ["source_path", "report_id", "status", "status_reason"]
    return sorted(tuple(r.values()) for r in reports.select(cols).to_pylist())


def check_refresh(
    raw_dir: Path,
    warehouse_dir: Path,
    home: Path,
    entries: list[Entry],
    workers: int = 2,
    log: Callable[[str], None] = lambda _msg: None,
) -> Result:
    """Refresh twice and check the guarantees; raises `FuzzFailure` saying what broke."""
    listed = listed_entries(raw_dir)
    if listed != sorted(e.rel for e in entries):
        extra = sorted(set(listed) - {e.rel for e in entries})
        lost = sorted({e.rel for e in entries} - set(listed))
        _fail(f"generator bug: raw dir holds {extra[:5]} not listed, lacks {lost[:5]}")
    first = run_refresh_cli(raw_dir, warehouse_dir, home, workers)
    log(f"refresh: exit {first.returncode} in {first.seconds:.1f} s")
    if first.returncode != 0:
        _fail(f"refresh exited {first.returncode} on {len(entries)} entries", first)
    reports = check_warehouse(warehouse_dir, entries, first)
    result = Result(len(entries), Counter(reports.column("status").to_pylist()), first.seconds)

    second = run_refresh_cli(raw_dir, warehouse_dir, home, workers)
    log(f"refresh again: exit {second.returncode} in {second.seconds:.1f} s")
    result.second = second.seconds
    if second.returncode != 0:
        _fail(f"second refresh exited {second.returncode}", second)
    if "parsing   0 parsed now" not in second.stdout:
        _fail("second refresh parsed again (expected `parsing   0 parsed now`)", second)
    again = check_warehouse(warehouse_dir, entries, second)
    if _rows(again) != _rows(reports):
        changed = sorted(set(_rows(again)) ^ set(_rows(reports)))
        _fail(f"second refresh changed reports rows:\n{_show(changed)}", second)
    return result
