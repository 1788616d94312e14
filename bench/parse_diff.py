"""Guard for parser optimisations: dump `parse_report(bytes).to_dict()` for a fixed set of
inputs, then compare a later dump with it (any difference is a bug in the optimisation).

Inputs: real reports (the shared seeds and corpus, data/raw, test fixtures), a generated
bench corpus directory (`bench/corpus.py`), and deterministic mutations of those files
(cuts, swapped lines, inserted markup and bytes, wrong encodings) so that edge cases of the
readers are covered too.

    python -m bench.parse_diff dump  OUT.jsonl [--pool DIR] [--mutations N]
    python -m bench.parse_diff check OUT.jsonl [--pool DIR] [--mutations N]
        [--limit N] [--ignore FIELD ...]

`--ignore parser_version` (and e.g. `--ignore encoding_confidence`) compares a change that
is meant to alter those fields and nothing else; the summary counts the fields that differ.

A baseline from the commit before a change, without stashing it (the parser is imported
from PYTHONPATH, so the worktree's own parser writes the dump):

    git worktree add --detach /tmp/base HEAD
    PYTHONPATH=/tmp/base .venv/bin/python /tmp/base/bench/parse_diff.py dump /tmp/base.jsonl \
        --pool POOL --limit 8000
    .venv/bin/python bench/parse_diff.py check /tmp/base.jsonl --pool POOL --limit 8000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from parsers import parse_report

REPO = Path(__file__).resolve().parent.parent
REAL_DIRS = (REPO / "data" / "raw", REPO / "tests")  # tests/fixtures/reports: seeds + corpus
REAL_SUFFIXES = {".txt", ".html", ".htm", ".md", ".js", ".json"}
_HTML_BITS = (
    b"<", b">", b"</td>", b"<td>", b"<tr>", b"</tr>", b"<br>", b"<br/>", b"&nbsp;", b"&amp;",
    b"&#", b"<!--", b"-->", b"<script>", b"</script>", b'"', b"'", b"\\", b'\\"', b"<p>",
    b"</p>", b"<table>", b"</table>", b"<th colspan=2>", b"<![CDATA[", b"]]>", b"<!DOCTYPE",
    b"<?xml", b"?>", b"\n", b"\t", b"&lt;", b"&#x4e00;", b"<td rowspan='3'>", b"</ td>",
    b"<TD>", b"< td>", b"<style>", b"</style>", b"<span>", b"</span>", b"&", b"&#12288;",
)  # fmt: skip


def real_files() -> list[tuple[str, bytes]]:
    out = []
    for root in REAL_DIRS:
        root = Path(root)
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if root.name == "tests" and path.suffix in {".py", ".pyc"}:
                continue
            if (
                root.name == "tests"
                and "fixtures" not in path.parts
                and path.suffix not in REAL_SUFFIXES
            ):
                continue
            out.append((_key(path), path.read_bytes()))
    return out


def _key(path: Path) -> str:
    """The input's name in a dump: relative to the repository when inside it, so a dump
    made in another checkout (the baseline's worktree) compares with this one."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def pool_files(pool: Path | None, limit: int | None = None) -> list[tuple[str, bytes]]:
    if pool is None or not pool.exists():
        return []
    paths = sorted(pool.rglob("*.txt"))[:limit]
    return [(str(p), p.read_bytes()) for p in paths]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(9)
    n = len(data)
    if kind == 0:
        a = rng.randint(0, n)
        b = rng.randint(a, n)
        return data[:a] + data[b:]
    if kind == 1:
        return data[: rng.randint(0, n)]
    if kind == 2:
        lines = data.split(b"\n")
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if kind == 3:
        pos = rng.randint(0, n)
        return (
            data[:pos] + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))) + data[pos:]
        )
    if kind == 4 and n:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            buf[rng.randrange(n)] = rng.randrange(256)
        return bytes(buf)
    if kind == 5:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        codec = rng.choice(["gb18030", "utf-16", "utf-16-be", "big5", "latin-1"])
        return text.encode(codec, errors="replace")
    if kind == 6:
        a = rng.randint(0, n)
        b = rng.randint(a, min(n, a + 4000))
        return data[:b] + data[a:b] + data[b:]
    # markup noise, many times (stresses the HTML reader and the line grid)
    out = data
    for _ in range(rng.randint(1, 30)):
        pos = rng.randint(0, len(out))
        out = out[:pos] + rng.choice(_HTML_BITS) + out[pos:]
    return out


def mutated_files(base: list[tuple[str, bytes]], count: int) -> Iterator[tuple[str, bytes]]:
    if not base:
        return
    for k in range(count):
        rng = random.Random(f"parse-diff:{k}")
        name, data = base[rng.randrange(len(base))]
        for _ in range(rng.randint(1, 3)):
            data = _mutate(data, rng)
        yield f"mut{k}:{name}", data


def inputs(
    pool: Path | None, mutations: int, limit: int | None = None
) -> Iterator[tuple[str, bytes]]:
    real = real_files()
    generated = pool_files(pool, limit)
    yield from real
    yield from generated
    yield from mutated_files(real + generated[:400], mutations)


def dump_one(data: bytes) -> str:
    return json.dumps(parse_report(data).to_dict(), ensure_ascii=False, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["dump", "check"])
    ap.add_argument("file")
    ap.add_argument("--pool", type=Path, help="a generated corpus directory (bench/corpus.py)")
    ap.add_argument("--mutations", type=int, default=3000)
    ap.add_argument(
        "--limit", type=int, help="only the first N pool files (at least 400: mutations use them)"
    )
    ap.add_argument(
        "--ignore", action="append", default=[], help="a Report field the change may alter"
    )
    args = ap.parse_args(argv)
    if args.mode == "dump":
        n = 0
        with open(args.file, "w", encoding="utf-8") as fh:
            for name, data in inputs(args.pool, args.mutations, args.limit):
                fh.write(json.dumps([name, dump_one(data)], ensure_ascii=False) + "\n")
                n += 1
        print(f"dumped {n} inputs to {args.file}")
        return 0
    with open(args.file, encoding="utf-8") as fh:
        expected = dict(json.loads(line) for line in fh)
    diffs = n = 0
    fields: Counter[str] = Counter()
    for name, data in inputs(args.pool, args.mutations, args.limit):
        if name not in expected:
            print(f"not in the dump: {name}")
            return 2
        n += 1
        a, b = json.loads(expected[name]), parse_report(data).to_dict()
        b = json.loads(json.dumps(b, ensure_ascii=False))  # (tuples → lists, as dumped)
        keys = [k for k in {**a, **b} if a.get(k) != b.get(k) and k not in args.ignore]
        if keys:
            diffs += 1
            fields.update(keys)
            if diffs <= 10:
                print(f"DIFF {name}: {keys}")
                for k in keys[:3]:
                    print(f"   was {str(a[k])[:300]}\n   now {str(b[k])[:300]}")
    if fields:
        print("fields that differ (inputs):", dict(fields.most_common()))
    print(f"compared {n} inputs: {diffs} difference(s)")
    if args.limit is None and n < len(expected):
        print(f"only {n} of the {len(expected)} dumped inputs were found (a missing directory?)")
        return 1
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
