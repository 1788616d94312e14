#!/usr/bin/env python
"""govreports benchmark (issue 4): parse throughput against its floor, full and incremental
refreshes at several N, SQL model build time, and how each step grows with N.

    make bench                                # N = 1k, 3k, 10k (a few minutes)
    make bench BENCH_ARGS=--big               # … and 100k (+1k incremental into it)
    make bench BENCH_ARGS=--smoke             # N = 50, refreshes in-process (seconds)
    .venv/bin/python bench/run_bench.py --sizes 1000,10000 --profile --keep

One run: generate the corpus (bench/corpus.py, reusing reportgen/generator.py) into a temp dir;
measure `parsers.parse_report` over the files' bytes in this process and in a pool of
`--workers` processes, against the floor (decode + normalise + one regex scan of the same
bytes); then, for each N, a full refresh into an empty warehouse, +1% new files, and a rerun
with nothing new, each as `govreports refresh --raw-dir … --warehouse-dir … --workers W` in a
subprocess (wall time, peak memory of its process tree, per-step times from its progress
lines), plus the SQL models rebuilt directly in DuckDB. Prints a Markdown report and writes it
to --out (default bench/out/results.md). `--profile` adds cProfile summaries of the parser and
of a refresh. A PDF case (bench/pdf_bench.py) measures `parse_report` on PDF reports against
PDFium's own text extraction of the same files, and (not with --smoke) an OCR case
(bench/ocr_bench.py): the real PDFs scanned, their figures' accuracy and pages/s, and a
fan-out case (bench/fanout_bench.py): N scanned reports through a refresh on the in-process,
multiprocess (1 and 2 workers) and Dask executors. No numbers are asserted: the targets are
reported ✅/❌.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import functools
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # reportgen.generator, bench.corpus

from bench.corpus import spec, write_range  # noqa: E402
from bench.fanout_bench import markdown as fanout_markdown  # noqa: E402
from bench.fanout_bench import measure_fanout  # noqa: E402
from bench.ocr_bench import markdown as ocr_markdown  # noqa: E402
from bench.ocr_bench import measure_ocr  # noqa: E402
from bench.pdf_bench import markdown as pdf_markdown  # noqa: E402
from bench.pdf_bench import measure_pdf  # noqa: E402
from parsers import parse_report  # noqa: E402
from parsers.decode import decode  # noqa: E402
from parsers.normalise import normalise_text  # noqa: E402

DEFAULT_SIZES = (1_000, 3_000, 10_000)
BIG_SIZE = 100_000
SMOKE_SIZE = 50
DEFAULT_PARSE_SAMPLE = 2_000
INCREMENT_SHARE = 0.01
PARSE_ONLY_FILES_PER_SAMPLE = 2  # ≈60% of the files are UTF-8 reports of typical size
#: The floor's regex scan: every number-like token, what any reader of the tables must find.
FLOOR_PATTERN = re.compile(r"\d[\d,.]*")
STEP_LINE = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)\s+(ok|FAILED|skipped)(?:\s+([\d.]+)s)?")
PARSED_LINE = re.compile(r"^parsing\s+(\d+) parsed now")
SEEN_LINE = re.compile(r"^files\s+(\d+) seen · (\d+) new")
STEP_GROUPS = ("manifest", "parse", "tidy", "agencies", "sql", "checks", "publish")
MB = 1e6

TARGETS = {
    "parse_rate": 1_000,  # reports/s with the pool, UTF-8 reports of typical size
    "parse_floor_ratio": 3.0,  # parse time / decode+normalise+regex time
    "full_100k_s": 180.0,
    "full_100k_mem_mb": 1_500.0,
    "incr_1k_into_100k_s": 30.0,
    "rerun_s": 10.0,
}


# ---------------------------------------------------------------------------- corpus
def generate(pool_dir: Path, n: int, workers: int) -> float:
    """Files 0..n-1 under pool_dir (kept between runs with --workdir); returns seconds."""
    started = time.perf_counter()
    chunk = 500
    ranges = [(str(pool_dir), a, min(a + chunk, n)) for a in range(0, n, chunk)]
    if workers > 1 and n > 2 * chunk:
        with ProcessPoolExecutor(workers, mp_context=_mp_context()) as pool:
            list(pool.map(_write_range, ranges))
    else:
        for job in ranges:
            _write_range(job)
    return time.perf_counter() - started


def _write_range(job: tuple[str, int, int]) -> int:
    return write_range(*job)


def link_files(pool_dir: Path, raw_dir: Path, start: int, stop: int) -> None:
    """Put files [start, stop) of the pool into raw_dir (hard links: no copying)."""
    for i in range(start, stop):
        rel = spec(i).rel_path
        target = raw_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            try:
                os.link(pool_dir / rel, target)
            except OSError:
                shutil.copy2(pool_dir / rel, target)


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


# ---------------------------------------------------------------------------- parse throughput
@dataclass
class ParseResult:
    case: str
    files: int
    mb: float
    workers: int
    seconds: float
    floor_seconds: float | None = None  # single process, same files
    statuses: Counter = field(default_factory=Counter)
    per_file: list[tuple[int, float, float, int]] = field(default_factory=list)  # i, s, floor, B
    seconds_each: list[float] = field(default_factory=list)  # every repetition (seconds: median)

    @property
    def rate(self) -> float:
        return self.files / self.seconds

    @property
    def mb_rate(self) -> float:
        return self.mb / self.seconds

    @property
    def rate_range(self) -> tuple[float, float]:
        each = self.seconds_each or [self.seconds]
        return self.files / max(each), self.files / min(each)


def _median_run(runs: list, seconds) -> object:
    """The run whose time is the median (the lower one of an even count)."""
    return sorted(runs, key=seconds)[(len(runs) - 1) // 2]


def _parse_chunk(datas: list[bytes]) -> list[str]:
    return [parse_report(d).status for d in datas]


def _floor_one(data: bytes) -> int:
    lines = normalise_text(decode(data).text)
    return len(FLOOR_PATTERN.findall("\n".join(lines)))


def time_floor(datas: list[bytes]) -> list[float]:
    """Seconds per file of the floor (decode + normalise + one regex scan)."""
    times = []
    for d in datas:
        started = time.perf_counter()
        _floor_one(d)
        times.append(time.perf_counter() - started)
    return times


def time_parse(datas: list[bytes], workers: int) -> tuple[float, Counter, list[float]]:
    """Seconds to parse every file (a warm pool: start-up is not counted), the statuses, and
    (in one process) the seconds per file."""
    if workers <= 1:
        statuses, times = Counter(), []
        for d in datas:
            started = time.perf_counter()
            statuses[parse_report(d).status] += 1
            times.append(time.perf_counter() - started)
        return sum(times), statuses, times
    chunk = max(1, min(64, len(datas) // (workers * 4)))
    chunks = [datas[i : i + chunk] for i in range(0, len(datas), chunk)]
    with ProcessPoolExecutor(workers, mp_context=_mp_context()) as pool:
        list(pool.map(_parse_chunk, [datas[:1]] * workers * 2))  # start and import in each
        started = time.perf_counter()
        statuses = Counter(s for part in pool.map(_parse_chunk, chunks) for s in part)
        return time.perf_counter() - started, statuses, []


def measure_parse(
    pool_dir: Path, n_files: int, sample: int, workers: int, repeat: int = 1
) -> list[ParseResult]:
    """Each case `repeat` times (the host is shared and noisy): the median run is reported,
    with the range of all runs."""
    indices = list(range(min(sample, n_files)))
    mixed = [(pool_dir / spec(i).rel_path).read_bytes() for i in indices]
    headline_idx = [i for i in range(n_files) if spec(i).headline][:sample]
    headline = [(pool_dir / spec(i).rel_path).read_bytes() for i in headline_idx]
    results = []
    for case, idx, datas in (("utf-8 typical", headline_idx, headline), ("mixed", indices, mixed)):
        if not datas:
            continue
        mb = sum(map(len, datas)) / MB
        for d in datas[:50]:  # one-time costs (chardet's tables, lazy imports) are not timed
            _floor_one(d)
            parse_report(d)
        floor = _median_run([time_floor(datas) for _ in range(repeat)], sum)
        for w in (1, workers):
            runs = [time_parse(datas, w) for _ in range(repeat)]
            seconds, statuses, times = _median_run(runs, lambda run: run[0])
            result = ParseResult(case, len(datas), mb, w, seconds, sum(floor), statuses)
            result.seconds_each = [run[0] for run in runs]
            if times:
                result.per_file = list(zip(idx, times, floor, map(len, datas), strict=True))
            results.append(result)
    return results


def cost_by_kind(results: list[ParseResult]) -> list[str]:
    """Parse and floor time per file by layout and by encoding (mixed sample, 1 process)."""
    mixed = next((r for r in results if r.case == "mixed" and r.per_file), None)
    if mixed is None:
        return []
    total = sum(t for _, t, _, _ in mixed.per_file)
    lines = [
        "| by | value | files | mean KB | parse ms/file | floor ms/file | parse / floor "
        "| share of parse time |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for by, key in (("layout", lambda s: s.layout), ("encoding", lambda s: s.encoding)):
        groups: dict[str, list] = {}
        for i, t, f, size in mixed.per_file:
            s = spec(i)
            name = "(not a report)" if s.kind == "junk" else key(s)
            groups.setdefault(name, []).append((t, f, size))
        for name, rows in sorted(groups.items(), key=lambda kv: -sum(t for t, _, _ in kv[1])):
            t = sum(r[0] for r in rows)
            f = sum(r[1] for r in rows)
            lines.append(
                f"| {by} | {name} | {len(rows)} | {sum(r[2] for r in rows) / len(rows) / 1e3:.1f} "
                f"| {1e3 * t / len(rows):.1f} | {1e3 * f / len(rows):.1f} | {t / f:.1f}× "
                f"| {100 * t / total:.0f}% |"
            )
    return lines


def profile_parser(pool_dir: Path, n_files: int, sample: int, top: int = 25) -> str:
    """cProfile of parse_report over the headline files: the functions that cost most."""
    idx = [i for i in range(n_files) if spec(i).headline][:sample]
    datas = [(pool_dir / spec(i).rel_path).read_bytes() for i in idx]
    prof = cProfile.Profile()
    prof.enable()
    for d in datas:
        parse_report(d)
    prof.disable()
    return summarise_profile(prof, top, f"parse_report over {len(datas)} UTF-8 reports")


def measure_parse_step(pool_dir: Path, n_files: int, sample: int) -> list[tuple[str, float]]:
    """What the pipeline's parse step does per report besides parsing, in one process:
    (stage, seconds per 1k reports). Mirrors pipelines.core.parse_file and
    pipelines.core.parse_step."""
    import hashlib
    import pickle

    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.core.parse_records import report_batch
    from pipelines.core.parse_step import MAX_CHUNK
    from pipelines.core.tables import PARSED_SCHEMA, PartWriter

    paths = [pool_dir / spec(i).rel_path for i in range(min(sample, n_files))]
    stages: dict[str, float] = {}

    def timed(stage: str, fn):
        started = time.perf_counter()
        value = fn()
        stages[stage] = time.perf_counter() - started
        return value

    warm = parse_report(paths[0].read_bytes())  # one-time costs (imports, Arrow init)
    with tempfile.TemporaryDirectory() as tmp:
        first = pa.Table.from_batches([report_batch([("0", warm)], datetime.now(UTC))])
        pq.write_table(first, Path(tmp) / "warm.parquet")
    datas = timed("read file", lambda: [p.read_bytes() for p in paths])
    shas = timed(
        "sha256 (again: the manifest hashed it)",
        lambda: [hashlib.sha256(d).hexdigest() for d in datas],
    )
    reports = timed(
        "parse_report", lambda: [parse_report(d, str(p)) for d, p in zip(datas, paths, strict=True)]
    )
    now = datetime.now(UTC)
    chunks = [
        list(zip(shas[i : i + MAX_CHUNK], reports[i : i + MAX_CHUNK], strict=True))
        for i in range(0, len(reports), MAX_CHUNK)
    ]
    batches = timed(
        "rows → Arrow record batch per chunk (parse_records.report_batch, in the worker)",
        lambda: [report_batch(chunk, now) for chunk in chunks],
    )
    blobs = timed("pickle to the pool's parent", lambda: [pickle.dumps(b, -1) for b in batches])
    batches = timed("unpickle in the parent", lambda: [pickle.loads(b) for b in blobs])
    with tempfile.TemporaryDirectory() as tmp:

        def write_part() -> None:
            with PartWriter(Path(tmp) / "part.parquet", PARSED_SCHEMA) as part:
                for batch in batches:
                    part.write(batch)
                part.commit()

        timed("Parquet write (PartWriter)", write_part)
    per_k = 1000 / len(paths)
    return [(stage, seconds * per_k) for stage, seconds in stages.items()]


def parse_step_table(stages: list[tuple[str, float]]) -> list[str]:
    parse = dict(stages).get("parse_report") or 1.0
    total = sum(s for _, s in stages)
    lines = [
        "| stage (1 process, mixed sample) | s per 1k reports | vs parse_report |",
        "|---|---:|---:|",
    ]
    lines += [f"| {stage} | {sec:.3f} | {100 * sec / parse:.0f}% |" for stage, sec in stages]
    lines.append(f"| total | {total:.3f} | {100 * total / parse:.0f}% |")
    return lines


def summarise_profile(prof: cProfile.Profile | str, top: int, title: str) -> str:
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = stats.total_tt
    rows = []
    for (path, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((tottime, cumtime, ncalls, _where(path, line, name)))
    out = [f"#### {title}: {total:.2f} s profiled", ""]
    for key, label in ((0, "own time (tottime)"), (1, "including callees (cumtime)")):
        out += [
            f"Top {top} by {label}:",
            "",
            "| function | calls | own s | cum s | own % |",
            "|---|---:|---:|---:|---:|",
        ]
        for tottime, cumtime, ncalls, where in sorted(rows, key=lambda r: -r[key])[:top]:
            out.append(
                f"| `{where}` | {ncalls} | {tottime:.2f} | {cumtime:.2f} | "
                f"{100 * tottime / total:.1f} |"
            )
        out.append("")
    own = [r for r in rows if r[3].startswith(("parsers/", "pipelines/"))]
    if own:
        out += [
            "The project's own functions (parsers/, pipelines/) by cumtime:",
            "",
            "| function | calls | own s | cum s | cum % |",
            "|---|---:|---:|---:|---:|",
        ]
        for tottime, cumtime, ncalls, where in sorted(own, key=lambda r: -r[1])[:top]:
            out.append(
                f"| `{where}` | {ncalls} | {tottime:.2f} | {cumtime:.2f} | "
                f"{100 * cumtime / total:.1f} |"
            )
        out.append("")
    return "\n".join(out)


def _where(path: str, line: int, name: str) -> str:
    if path == "~":
        return name  # a builtin
    p = Path(path)
    with contextlib.suppress(ValueError):
        return f"{p.relative_to(REPO)}:{line} {name}"
    parts = p.parts
    for top in ("parsers", "pipelines", "bench"):  # also from a snapshot of the repository
        if top in parts and "site-packages" not in parts:
            return f"{'/'.join(parts[parts.index(top) :])}:{line} {name}"
    if "site-packages" in parts:
        return f"{'/'.join(parts[parts.index('site-packages') + 1 :])}:{line} {name}"
    return f"{p.name}:{line} {name}"


# ---------------------------------------------------------------------------- refresh runs
@dataclass
class RunResult:
    run: str  # full | +1% | nothing new
    n: int  # files in the raw dir
    new_files: int
    parsed: int | None
    wall: float
    peak_tree_mb: float | None  # sum of RSS over the refresh's process tree, sampled
    max_rss_mb: float  # the largest single process (sampled RSS; in-process: ru_maxrss)
    steps: dict[str, float]  # step key → seconds (progress lines)
    ok: bool
    step_peak_mb: dict[str, float] = field(default_factory=dict)  # step key → tree peak
    size: int = 0  # the N whose full / +1% / nothing-new series this run belongs to
    sql_models: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # direct

    @property
    def sql_direct(self) -> float | None:
        """SQL models rebuilt directly in DuckDB (no Dagster), seconds."""
        return sum(b for _, b, _ in self.sql_models.values()) if self.sql_models else None

    error: str = ""

    def group(self, name: str) -> float:
        return sum(s for k, s in self.steps.items() if step_group(k) == name)

    def group_peak(self, name: str) -> float | None:
        peaks = [m for k, m in self.step_peak_mb.items() if step_group(k) == name]
        return max(peaks) if peaks else None

    @property
    def overhead(self) -> float:
        """Wall time outside the steps: interpreter, imports, Dagster start-up and run bookkeeping."""
        return max(0.0, self.wall - sum(self.steps.values()))


@dataclass
class Child:
    wall: float
    returncode: int
    peak_tree_mb: float | None
    max_rss_mb: float
    stdout: str
    stderr: str
    step_peak_mb: dict[str, float] = field(default_factory=dict)


def sql_model_names() -> set[str]:
    return {
        p.stem
        for folder in ("staging", "checks", "marts")
        for p in (REPO / "sql" / folder).glob("*.sql")
    }


@functools.cache
def _sql_names() -> frozenset[str]:
    return frozenset(sql_model_names())


def step_group(step: str) -> str:
    groups = {
        "raw_manifest": "manifest",
        "parsed_reports": "parse",
        "tidy_tables": "tidy",
        "agencies": "agencies",
    }
    step = step.split(".", 1)[0]  # a step inside a graph asset: `parsed_reports.plan_parse`
    if step in groups:
        return groups[step]
    if step in _sql_names():
        return "sql"
    if "publish" in step:
        return "publish"  # the snapshot published by one rename (crash-safety)
    return "checks" if "check" in step else "other"


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped, and the
    largest RSS of any one of them. (Not `ru_maxrss` from wait4: Linux keeps a process's
    high-water mark across fork and exec, so a child would report the benchmark's own.)"""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []  # (monotonic time, kB)
        self.largest_kb = 0  # one process
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            with contextlib.suppress(Exception):
                kbs = [_memory_kb(pid) for pid in _tree(self.pid)]
                self.samples.append((time.monotonic(), sum(kbs)))
                self.largest_kb = max(self.largest_kb, *kbs)
            self.stopped.wait(self.interval)

    def stop(self) -> float | None:
        self.stopped.set()
        self.join()
        return self.peak_mb(0.0, math.inf)

    def peak_mb(self, start: float, end: float) -> float | None:
        inside = [kb for t, kb in self.samples if start <= t <= end]
        return max(inside) / 1e3 if inside else None


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _memory_kb(pid: int) -> int:
    """Resident set size (statm: cheap; smaps_rollup's PSS costs ~0.1 s on a 6 GB process)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * _PAGE_KB


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def govreports_command() -> list[str]:
    script = Path(sys.executable).parent / "govreports"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from pipelines.cli import main; sys.exit(main())"]


def refresh_subprocess(
    raw_dir: Path, warehouse_dir: Path, cwd: Path, workers: int, profile_to: Path | None = None
) -> Child:
    """Run `govreports refresh` as a child process, sampling the memory of its process tree
    and timestamping its progress lines (so each step gets its own peak)."""
    cmd = govreports_command()
    if profile_to is not None:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(profile_to), *cmd]
    cmd += ["refresh", "--raw-dir", str(raw_dir), "--warehouse-dir", str(warehouse_dir)]
    cmd += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env.pop("DAGSTER_HOME", None)  # the project's dagster.yaml, history under cwd/.dagster_home
    # this checkout's code, also when the bench runs from a snapshot of the repository
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    lines: list[tuple[float, str]] = []
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE)
        sampler = TreeMemory(proc.pid)
        sampler.start()

        def read_stderr() -> None:
            for raw in proc.stderr:
                lines.append((time.monotonic(), raw.decode("utf-8", "replace")))

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        _, status, _usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
        proc.stderr.close()
        peak = sampler.stop()
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    step_peaks = {}
    for at, line in lines:  # a step's line is printed when it ends, with its duration
        m = STEP_LINE.match(line.strip())
        if m and m.group(3):
            mb = sampler.peak_mb(at - float(m.group(3)) - 0.1, at)
            if mb is not None:
                step_peaks[m.group(1)] = mb
    return Child(
        wall,
        proc.returncode,
        peak,
        sampler.largest_kb / 1e3,
        stdout,
        "".join(line for _, line in lines),
        step_peaks,
    )


def refresh_in_process(raw_dir: Path, warehouse_dir: Path, workers: int) -> Child:
    """The smoke mode's refresh: the same job in this process, on an ephemeral instance."""
    import dagster as dg

    from pipelines.runner import run_refresh

    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err):
        outcome = run_refresh(raw_dir, warehouse_dir, workers, dg.DagsterInstance.ephemeral())
    wall = time.perf_counter() - started
    parsed = outcome.metadata.get("parsed_reports", {}).get("parsed")
    failures = "".join(f"step {s} failed: {m}\n" for s, m in outcome.failures)
    return Child(
        wall,
        0 if outcome.success else 1,
        None,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
        f"parsing   {parsed} parsed now\n",
        err.getvalue() + failures,
    )


def refresh(
    label: str,
    n: int,
    new_files: int,
    raw_dir: Path,
    warehouse_dir: Path,
    cwd: Path,
    workers: int,
    in_process: bool,
) -> RunResult:
    if in_process:
        child = refresh_in_process(raw_dir, warehouse_dir, workers)
    else:
        child = refresh_subprocess(raw_dir, warehouse_dir, cwd, workers)
    steps: dict[str, float] = {}
    for line in child.stderr.splitlines():
        m = STEP_LINE.match(line.strip())
        if m and m.group(3):
            steps[m.group(1)] = float(m.group(3))
    parsed = None
    for line in child.stdout.splitlines():
        m = PARSED_LINE.match(line.strip())
        if m:
            parsed = int(m.group(1))
    ok = child.returncode == 0
    failed = [ln for ln in child.stderr.splitlines() if ln.startswith("govreports: step")]
    error = "" if ok else (failed or child.stderr.strip().splitlines() or ["failed"])[0][:300]
    return RunResult(
        label,
        n,
        new_files,
        parsed,
        child.wall,
        child.peak_tree_mb,
        child.max_rss_mb,
        steps,
        ok,
        step_peak_mb=child.step_peak_mb,
        error=error,
    )


def time_sql_models(warehouse_dir: Path) -> dict[str, tuple[str, float, float]]:
    """`dbt build --full-refresh` of the whole project (no Dagster) on a copy of the published
    database, in this process: node → (its kind: table, view, incremental, seed, test;
    seconds dbt spent on it; 0.0, no separate row count)."""
    from pipelines.core import dbt_project
    from pipelines.core.paths import WarehouseFiles

    timings: dict[str, tuple[str, float, float]] = {}
    with tempfile.TemporaryDirectory(dir=warehouse_dir.parent, prefix=".sql-bench-") as tmp:
        copy = Path(tmp)
        shutil.copyfile((warehouse_dir / "warehouse.duckdb").resolve(), copy / "warehouse.duckdb")
        os.chmod(copy / "warehouse.duckdb", 0o644)  # (published read-only)
        for parquet in warehouse_dir.glob("*.parquet"):
            (copy / parquet.name).symlink_to(parquet.resolve())
        result = dbt_project.run(["build", "--full-refresh"], WarehouseFiles(copy))
        if not result.success:
            raise RuntimeError(dbt_project.failure_text(result))
        for node in result.result.results:
            kind = node.node.resource_type
            kind = node.node.config.materialized if kind == "model" else kind
            timings[node.node.name] = (str(kind), node.execution_time, 0.0)
    return timings


def measure_size(
    n: int, pool_dir: Path, work: Path, workers: int, in_process: bool, log
) -> list[RunResult]:
    raw_dir, warehouse_dir = work / f"raw-{n}", work / f"warehouse-{n}"
    shutil.rmtree(raw_dir, ignore_errors=True)
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    link_files(pool_dir, raw_dir, 0, n)
    extra = max(1, round(n * INCREMENT_SHARE))
    runs = []
    log(f"N={n}: full refresh")
    full = refresh("full", n, n, raw_dir, warehouse_dir, work, workers, in_process)
    if full.ok:
        full.sql_models = time_sql_models(warehouse_dir)
    runs.append(full)
    link_files(pool_dir, raw_dir, n, n + extra)
    log(f"N={n}: +{extra} new files")
    runs.append(refresh("+1%", n + extra, extra, raw_dir, warehouse_dir, work, workers, in_process))
    log(f"N={n}: rerun with nothing new")
    runs.append(
        refresh("nothing new", n + extra, 0, raw_dir, warehouse_dir, work, workers, in_process)
    )
    for run in runs:
        run.size = n
    return runs


def profile_refresh(n: int, pool_dir: Path, work: Path, workers: int, top: int = 25) -> str:
    """cProfile of the refresh's own process (parsing runs in the pool: only its wait shows)."""
    raw_dir, warehouse_dir = work / f"raw-{n}", work / f"profile-warehouse-{n}"
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    link_files(pool_dir, raw_dir, 0, n)
    out = []
    for label in ("full refresh", "rerun with nothing new"):
        prof = work / f"refresh-{n}-{label.split()[0]}.prof"
        child = refresh_subprocess(raw_dir, warehouse_dir, work, workers, profile_to=prof)
        if child.returncode == 0 and prof.exists():
            title = f"{label}, N={n:,} ({child.wall:.1f} s wall)"
            out.append(summarise_profile(str(prof), top, title))
    return "\n".join(out)


# ---------------------------------------------------------------------------- report
def machine() -> dict[str, str]:
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for mod in ("duckdb", "pyarrow", "dagster"):
        with contextlib.suppress(Exception):
            versions[mod] = __import__(mod).__version__
    from parsers import PARSER_VERSION

    revision = os.environ.get("GOVREPORTS_BENCH_REVISION", "")
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        revision = (
            revision
            or subprocess.run(
                ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    return {
        "revision": revision,
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "parser": PARSER_VERSION,
        **versions,
    }


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def parse_table(results: list[ParseResult]) -> list[str]:
    lines = [
        "| case | files | MB | mean KB | processes | reports/s (median) | range of runs | MB/s "
        "| floor reports/s (1 process) | parse / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        floor_rate = r.files / r.floor_seconds if r.floor_seconds else None
        ratio = r.seconds / r.floor_seconds if r.floor_seconds and r.workers == 1 else None
        low, high = r.rate_range
        lines.append(
            f"| parse {r.case} | {r.files} | {r.mb:.1f} | {1000 * r.mb / r.files:.1f} | "
            f"{r.workers} | {_fmt(r.rate, 0)} | {_fmt(low, 0)}–{_fmt(high, 0)} "
            f"({len(r.seconds_each)}) | {_fmt(r.mb_rate, 2)} | {_fmt(floor_rate, 0)} | "
            f"{_fmt(ratio, 1)}× |"
        )
    return lines


def refresh_table(runs: list[RunResult]) -> list[str]:
    lines = [
        "| run | N | new files | parsed | wall s | peak MB (tree) | max RSS MB (1 process) "
        "| manifest s | parse s | tidy s | agencies s | SQL models s (steps) | SQL in DuckDB s "
        "| checks s | publish s | other steps s | start-up + overhead s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        status = "" if r.ok else f" (FAILED: {r.error})"
        lines.append(
            f"| {r.run}{status} | {r.n:,} | {r.new_files:,} | "
            f"{'–' if r.parsed is None else f'{r.parsed:,}'} | {r.wall:.1f} | "
            f"{_fmt(r.peak_tree_mb, 0)} | {_fmt(r.max_rss_mb, 0)} | "
            + " | ".join(f"{r.group(g):.1f}" for g in ("manifest", "parse", "tidy", "agencies"))
            + f" | {r.group('sql'):.1f} | {_fmt(r.sql_direct, 2)} | {r.group('checks'):.1f} | "
            f"{r.group('publish'):.1f} | {r.group('other'):.1f} | {r.overhead:.1f} |"
        )
    return lines


def memory_table(runs: list[RunResult]) -> list[str]:
    if not any(r.step_peak_mb for r in runs):
        return []
    groups = [*STEP_GROUPS]
    lines = [
        "| run | N | peak MB (tree) | " + " | ".join(groups) + " | heaviest step |",
        "|---|---:|---:|" + "---:|" * len(groups) + "---|",
    ]
    for r in runs:
        heavy = max(r.step_peak_mb.items(), key=lambda kv: kv[1], default=None)
        lines.append(
            f"| {r.run} | {r.n:,} | {_fmt(r.peak_tree_mb, 0)} | "
            + " | ".join(_fmt(r.group_peak(g), 0) for g in groups)
            + f" | {f'{heavy[0]} ({heavy[1]:,.0f} MB)' if heavy else '–'} |"
        )
    lines += [
        "",
        "Peak of the process tree's summed RSS while each step ran (MB); the rest of the run "
        "(start-up) is in the first column only.",
    ]
    return lines


def slowest_steps(runs: list[RunResult], top: int = 10) -> list[str]:
    ok = [r for r in runs if r.ok and r.steps]
    if not ok:
        return []
    n = max(r.size for r in ok)
    chosen = [r for r in ok if r.size == n]
    lines = [f"## Slowest steps at the largest N ({n:,})", ""]
    for r in chosen:
        lines += [
            f"{r.run} ({r.wall:.1f} s wall):",
            "",
            "| step | group | s | peak MB (tree) |",
            "|---|---|---:|---:|",
        ]
        for step, sec in sorted(r.steps.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(
                f"| {step} | {step_group(step)} | {sec:.1f} | {_fmt(r.step_peak_mb.get(step), 0)} |"
            )
        lines.append("")
    return lines


def sql_models_table(runs: list[RunResult]) -> list[str]:
    done = [r for r in runs if r.sql_models]
    if not done:
        return []
    big = max(done, key=lambda r: r.n)
    dagster = big.steps
    lines = [
        f"## dbt nodes at N={big.n:,}: `dbt build --full-refresh` on a copy, no Dagster",
        "",
        "| model | kind | build s (create + row count) | a row count alone s | "
        "Dagster step s (full refresh) |",
        "|---|---|---:|---:|---:|",
    ]
    rows = sorted(big.sql_models.items(), key=lambda kv: -kv[1][1])
    for name, (kind, built, count) in rows:
        lines.append(
            f"| {name} | {kind} | {built:.2f} | {count:.2f} | {_fmt(dagster.get(name), 1)} |"
        )
    total_build = sum(b for _, b, _ in big.sql_models.values())
    total_count = sum(c for _, _, c in big.sql_models.values())
    steps = sum(dagster.get(n, 0.0) for n in big.sql_models)
    lines.append(f"| total | | {total_build:.2f} | {total_count:.2f} | {steps:.1f} |")
    return lines


def growth_table(runs: list[RunResult], run_label: str) -> list[str]:
    chosen = sorted((r for r in runs if r.run == run_label and r.ok), key=lambda r: r.n)
    if len(chosen) < 2:
        return []
    metrics: list[tuple[str, callable]] = [
        ("wall", lambda r: r.wall),
        *((g, functools.partial(RunResult.group, name=g)) for g in STEP_GROUPS),
        ("SQL in DuckDB", lambda r: r.sql_direct),
        ("start-up + overhead", lambda r: r.overhead),
        ("peak MB (tree)", lambda r: r.peak_tree_mb),
    ]
    head = " | ".join(f"N={r.n:,}" for r in chosen)
    lines = [
        f"| {run_label}: step | {head} | exponent b (cost ∝ N^b, first→last) | per 1k reports at largest N |",
        "|---|" + "---:|" * (len(chosen) + 2),
    ]
    for name, get in metrics:
        values = [get(r) for r in chosen]
        cells = " | ".join(_fmt(v, 0 if "MB" in name else 2) for v in values)
        first, last = values[0], values[-1]
        b = None
        if first and last and first > 0.05 and last > 0:
            b = math.log(last / first) / math.log(chosen[-1].n / chosen[0].n)
        per_k = last / (chosen[-1].n / 1000) if last is not None else None
        lines.append(f"| {name} | {cells} | {_fmt(b, 2)} | {_fmt(per_k, 3)} |")
    return lines


def targets(parse: list[ParseResult], runs: list[RunResult], workers: int) -> list[tuple]:
    """(target, measured, ✅/❌/–) rows."""
    out = []
    head_pool = next((r for r in parse if r.case == "utf-8 typical" and r.workers == workers), None)
    head_one = next((r for r in parse if r.case == "utf-8 typical" and r.workers == 1), None)
    if head_pool:
        out.append(
            (
                f"parse ≥{TARGETS['parse_rate']:,} reports/s with the pool (UTF-8, typical size)",
                f"{head_pool.rate:,.0f} reports/s ({workers} processes)",
                _mark(head_pool.rate >= TARGETS["parse_rate"]),
            )
        )
    if head_one and head_one.floor_seconds:
        ratio = head_one.seconds / head_one.floor_seconds
        out.append(
            (
                f"parse within {TARGETS['parse_floor_ratio']:.0f}× of the decode+normalise+regex floor",
                f"{ratio:.1f}× (1 process, same files)",
                _mark(ratio <= TARGETS["parse_floor_ratio"]),
            )
        )
    full = [r for r in runs if r.run == "full" and r.ok]
    big = max(full, key=lambda r: r.n, default=None)
    at = f" (at N={big.n:,}: the 100k case needs --big)" if big and big.n < BIG_SIZE else ""
    exact = big is not None and big.n >= BIG_SIZE
    if big:
        out.append(
            (
                f"full refresh of 100k ≤{TARGETS['full_100k_s']:.0f} s",
                f"{big.wall:,.1f} s{at}",
                _mark(big.wall <= TARGETS["full_100k_s"]) if exact else "– (not measured)",
            )
        )
        mem = big.peak_tree_mb or big.max_rss_mb
        out.append(
            (
                f"full refresh of 100k: peak memory ≤{TARGETS['full_100k_mem_mb']:,.0f} MB",
                f"{mem:,.0f} MB{at}",
                _mark(mem <= TARGETS["full_100k_mem_mb"]) if exact else "– (not measured)",
            )
        )
    incr = max((r for r in runs if r.run == "+1%" and r.ok), key=lambda r: r.n, default=None)
    if incr:
        exact = incr.n - incr.new_files >= BIG_SIZE
        out.append(
            (
                f"+1k new reports into a 100k warehouse ≤{TARGETS['incr_1k_into_100k_s']:.0f} s wall",
                f"{incr.wall:.1f} s for +{incr.new_files:,} into {incr.n - incr.new_files:,}"
                + ("" if exact else " (100k needs --big)"),
                _mark(incr.wall <= TARGETS["incr_1k_into_100k_s"]) if exact else "– (not measured)",
            )
        )
    reruns = [r for r in runs if r.run == "nothing new"]
    if reruns:
        worst = max(reruns, key=lambda r: r.wall)
        parsed_nothing = all(r.ok and r.parsed == 0 for r in reruns)
        out.append(
            (
                f"a rerun with nothing new ≤{TARGETS['rerun_s']:.0f} s and parses nothing",
                f"{worst.wall:.1f} s at N={worst.n:,}; parsed "
                + ", ".join(str(r.parsed) for r in reruns),
                _mark(worst.wall <= TARGETS["rerun_s"] and parsed_nothing),
            )
        )
    return out


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def render(
    args,
    command: str,
    corpus: dict,
    parse: list[ParseResult],
    runs: list[RunResult],
    profiles: list[str],
    parse_step: list[tuple[str, float]],
) -> str:
    m = machine()
    lines = [
        f"# govreports benchmark ({'parse only' if args.parse_only else 'smoke' if args.smoke else 'full'})",
        "",
        f"- command: `{command}`",
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "- machine: "
        + ", ".join(f"{k} {v}" for k, v in m.items() if v)
        + f"; pool and refresh with {args.workers} worker processes",
        f"- load average (1 min) at start / end: {corpus.get('load_start', 0):.2f} / "
        f"{os.getloadavg()[0]:.2f} (other work on the machine skews every number)",
        f"- corpus: {corpus['files']:,} generated files ({corpus['mb']:.0f} MB, generated in "
        f"{corpus['seconds']:.0f} s); parse statuses of the mixed sample: "
        + (", ".join(f"{k} {v}" for k, v in sorted(corpus["statuses"].items())) or "–"),
        "",
        "## Parse throughput",
        "",
        *parse_table(parse),
        "",
        "Floor: `decode` + `normalise_text` + one `re.findall` of number tokens over the same "
        "bytes, no parsing, in one process; parse / floor compares the 1-process times. "
        "Each case ran as many times as the range's count says (`--repeat`); the median run "
        "is shown (the host is shared: identical runs differ by 10–20%).",
        "",
        *cost_by_kind(parse),
        "",
    ]
    if not args.parse_only:
        lines += [
            "## The pipeline's parse step, per report",
            "",
            "What `parsed_reports` does per report besides `parse_report` (pipelines.core.parse_file, "
            "pipelines.core.parse_step), timed stage by stage in one process:",
            "",
            *parse_step_table(parse_step),
            "",
            "## Refresh",
            "",
            *refresh_table(runs),
            "",
            "Step times are the refresh's own progress lines (Dagster steps, serial); "
            "start-up + overhead is the rest of the wall time (interpreter, imports, Dagster "
            "start-up, run bookkeeping). SQL in DuckDB: every model rebuilt directly after the full "
            "refresh. Peak MB (tree): sum of RSS over the refresh's processes (an upper bound: "
            "shared pages count once per process), sampled every 0.2 s; max RSS (1 process): "
            "the largest RSS of any one of them in the same samples"
            + (" (not sampled in-process: ru_maxrss of this process)" if args.smoke else "")
            + ".",
            "",
        ]
    memory = memory_table(runs)
    if memory:
        lines += ["## Memory by step", "", *memory, ""]
    slow = slowest_steps(runs)
    if slow:
        lines += [*slow, ""]
    sql = sql_models_table(runs)
    if sql:
        lines += [*sql, ""]
    for label in ("full", "+1%", "nothing new"):
        g = growth_table(runs, label)
        if g:
            if label == "full":
                lines += ["## Growth with N", ""]
            lines += [*g, ""]
    lines += ["## Targets (issue 4)", "", "| target | measured | holds |", "|---|---|---|"]
    lines += [f"| {t} | {v} | {ok} |" for t, v, ok in targets(parse, runs, args.workers)]
    lines.append("")
    if profiles:
        lines += ["## Profiles", "", *profiles]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", help="comma-separated N (default 1000,3000,10000)")
    ap.add_argument("--big", action="store_true", help=f"add N={BIG_SIZE:,}")
    ap.add_argument("--smoke", action="store_true", help=f"N={SMOKE_SIZE}, refreshes in-process")
    ap.add_argument(
        "--parse-sample", type=int, help=f"files per parse case (default {DEFAULT_PARSE_SAMPLE})"
    )
    ap.add_argument("--workers", type=int, default=2, help="pool / refresh processes (default 2)")
    ap.add_argument(
        "--repeat",
        type=int,
        help="runs of each parse case, the median reported (default 3; 1 with --smoke)",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile the parser and a refresh")
    ap.add_argument(
        "--parse-only",
        action="store_true",
        help="only the parse throughput and floor cases (and the parser's profile): no refresh",
    )
    ap.add_argument(
        "--fanout-reports",
        type=int,
        default=6,
        help="scanned reports parsed on each executor in the fan-out case (default 6; 0: "
        "skip it; not with --smoke or --parse-only)",
    )
    ap.add_argument("--workdir", help="keep the corpus and warehouses here (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="do not delete the temp dir")
    ap.add_argument("--out", help="Markdown report (default bench/out/results.md, smoke.md)")
    ap.add_argument(
        "--quiet", action="store_true", help="no progress on stderr, no table on stdout"
    )
    args = ap.parse_args(argv)

    if args.parse_only:
        sizes = []
    elif args.smoke:
        sizes = [SMOKE_SIZE]
    elif args.sizes:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    else:
        sizes = list(DEFAULT_SIZES)
    if args.big and BIG_SIZE not in sizes:
        sizes.append(BIG_SIZE)
    sample = args.parse_sample or (SMOKE_SIZE if args.smoke else DEFAULT_PARSE_SAMPLE)
    out_path = (
        Path(args.out)
        if args.out
        else REPO / "bench" / "out" / ("smoke.md" if args.smoke else "results.md")
    )
    command = " ".join(["bench/run_bench.py", *(argv if argv is not None else sys.argv[1:])])

    def log(msg: str) -> None:
        if not args.quiet:
            print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    work = (
        Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="govreports-bench-"))
    )
    work.mkdir(parents=True, exist_ok=True)
    pool_dir = work / "pool"
    load_start = os.getloadavg()[0]
    try:
        if sizes:
            n_files = max(max(sizes) + max(1, round(max(sizes) * INCREMENT_SHARE)), sample)
        else:  # parse only: enough files for `sample` UTF-8 reports of typical size
            n_files = PARSE_ONLY_FILES_PER_SAMPLE * sample
        log(f"generating {n_files:,} reports into {pool_dir}")
        gen_seconds = generate(pool_dir, n_files, args.workers)
        corpus_mb = sum((pool_dir / spec(i).rel_path).stat().st_size for i in range(n_files)) / MB
        log(f"parse throughput on {sample:,} files per case")
        repeat = args.repeat or (1 if args.smoke else 3)
        parse = measure_parse(pool_dir, n_files, sample, args.workers, repeat)
        mixed_statuses = next((r.statuses for r in parse if r.case == "mixed"), Counter())
        log("PDF reports: parse against PDFium's own text extraction")
        pdf = measure_pdf(12 if args.smoke else 120, args.workers, repeat)
        ocr = fanout = None
        if not args.smoke:  # (minutes of OCR: not in the suite's smoke run)
            log("scanned reports: OCR accuracy and throughput")
            ocr = measure_ocr(150, args.workers, 1)
            if not args.parse_only and args.fanout_reports:
                log(f"the parse fanned out: {args.fanout_reports} scanned reports per executor")
                fanout = measure_fanout(args.fanout_reports, 150, log)
        parse_step = []
        if not args.parse_only:
            log("the pipeline's parse step, stage by stage")
            parse_step = measure_parse_step(pool_dir, n_files, sample)
        runs: list[RunResult] = []
        for n in sizes:
            runs += measure_size(n, pool_dir, work, args.workers, args.smoke, log)
        profiles = []
        if args.profile:
            log("profiling the parser")
            profiles.append(profile_parser(pool_dir, n_files, sample))
            if sizes:
                n_prof = min(max(sizes), 10_000)
                log(f"profiling a refresh at N={n_prof:,}")
                profiles.append(profile_refresh(n_prof, pool_dir, work, args.workers))
        corpus = {
            "files": n_files,
            "mb": corpus_mb,
            "seconds": gen_seconds,
            "statuses": mixed_statuses,
            "load_start": load_start,
        }
        report = render(args, command, corpus, parse, runs, profiles, parse_step)
        report += "\n## PDF reports\n\n" + "\n".join(pdf_markdown(pdf)) + "\n"
        if ocr is not None:
            report += "\n## Scanned reports (OCR)\n\n" + ocr_markdown(ocr) + "\n"
        if fanout is not None:
            report += "\n## Parse fan-out (scanned reports)\n\n" + fanout_markdown(fanout) + "\n"
        raw = {
            "command": command,
            "machine": machine(),
            "corpus": {**corpus, "statuses": dict(mixed_statuses)},
            "parse": [
                {**dataclasses.asdict(r), "statuses": dict(r.statuses), "per_file": len(r.per_file)}
                for r in parse
            ],
            "parse_step": parse_step,
            "pdf": pdf,
            "ocr": ocr,
            "fanout": fanout,
            "runs": [dataclasses.asdict(r) for r in runs],
        }
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.quiet:
            log(f"kept {work}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(report, encoding="utf-8")
    out_path.with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
    if not args.quiet:
        print(report)
        log(f"written to {out_path}")
    return report


if __name__ == "__main__":
    main()
