"""Would a compiled parser meet issue 4's parse targets? A trial, not part of the product.

Builds a mypyc-compiled copy of `parsers/` (the same source, compiled to C), then, on the
benchmark's own corpus:

1. sameness: `bench/parse_diff.py` dumps the pure parser's output and checks the compiled
   copy's against it (real reports, the generated corpus and its mutations: ~7k inputs);
2. speed: `bench/run_bench.py --parse-only` with the pure and the compiled parser in turn
   (`--rounds` times each), and the parse / floor ratio of each.

    .venv/bin/python bench/compiled_trial.py [--workdir DIR] [--rounds 2] [--modules grid read …]

(mypyc comes with mypy, a dev dependency; it needs a C compiler and the Python headers.)

`html_grid` is left out by default: compiled, its HTMLParser subclass read real pages
differently (extra cells of tag text on the pingtan pages); add it with `--modules` to see.
`model` (its facts' fast constructor writes slots directly), `decode` (a surrogate in a
string literal) and `__init__` are not compilable as they are. The findings are in
docs/PERFORMANCE.md (section 1–2, "A compiled parser").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODULES = (
    "grid",
    "values",
    "normalise",
    "read",
    "segment",
    "metadata",
    "forms",
    "runsplit",
    "report",
)


def _run(cmd: list[str], env: dict[str, str], log: Path | None = None) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if log is not None:
        log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return done.stdout


def build(src: Path, modules: list[str]) -> None:
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copytree(REPO / "parsers", src / "parsers")
    files = [f"parsers/{m}.py" for m in modules]
    cmd = [sys.executable, "-m", "mypyc", "--ignore-missing-imports", *files]
    done = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
    (src / "build.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        sys.exit(f"mypyc failed: see {src / 'build.log'}\n{done.stdout[-2000:]}")


def parse_rates(results_json: Path) -> dict[tuple[str, int], tuple[float, float | None]]:
    """(case, processes) → (reports/s of the median run, parse / floor for 1 process)."""
    out = {}
    for r in json.loads(results_json.read_text())["parse"]:
        ratio = r["seconds"] / r["floor_seconds"] if r["workers"] == 1 else None
        out[(r["case"], r["workers"])] = (r["files"] / r["seconds"], ratio)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/govreports-compiled-trial"))
    ap.add_argument("--modules", nargs="+", default=list(DEFAULT_MODULES))
    ap.add_argument("--rounds", type=int, default=2, help="parse-only runs of each parser")
    ap.add_argument("--limit", type=int, default=8000, help="parse_diff: generated inputs")
    args = ap.parse_args()
    try:
        import mypyc  # noqa: F401
    except ImportError:
        sys.exit("mypyc is not installed: it comes with mypy (`make test` installs the dev extras)")
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    src = work / "compiled"
    print(f"compiling {', '.join(args.modules)} into {src} …", flush=True)
    build(src, args.modules)

    pure_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # (the repo after the copy: run_bench puts the repo first when it is not on the path)
    compiled_env = {**pure_env, "PYTHONPATH": os.pathsep.join([str(src), str(REPO)])}
    where = [sys.executable, "-P", "-c", "import parsers.report as r; print(r.__file__)"]
    print("compiled parser:", _run(where, compiled_env).strip())

    bench = [sys.executable, "bench/run_bench.py", "--parse-only", "--workdir", str(work / "b")]
    print("generating the benchmark corpus …", flush=True)
    _run(
        [*bench, "--quiet", "--repeat", "1", "--out", str(work / "gen.md")],
        pure_env,
    )
    pool = work / "b" / "pool"
    dump = work / "pure.jsonl"
    diff = [sys.executable, "bench/parse_diff.py"]
    limit = ["--pool", str(pool), "--limit", str(args.limit)]
    print("parse_diff: the pure parser's output, then the compiled one's against it …", flush=True)
    _run([*diff, "dump", str(dump), *limit], pure_env)
    check = subprocess.run([*diff, "check", str(dump), *limit], env=compiled_env, cwd=REPO)
    if check.returncode != 0:
        sys.exit(
            "parse_diff: the compiled parser's output DIFFERS (above); its speed means nothing"
        )
    print("parse_diff: the same output")

    rates: dict[str, list] = {"pure": [], "compiled": []}
    for k in range(args.rounds):
        for name, env in (("pure", pure_env), ("compiled", compiled_env)):
            out = work / f"{name}-{k}.md"
            print(f"round {k + 1}: run_bench --parse-only with the {name} parser …", flush=True)
            _run([*bench, "--quiet", "--out", str(out)], env)
            rates[name].append(parse_rates(out.with_suffix(".json")))

    print("\n| case | processes | parser | reports/s (each round) | parse / floor (1 process) |")
    print("|---|---:|---|---|---|")
    for key in sorted(rates["pure"][0]):
        for name in ("pure", "compiled"):
            each = [r[key] for r in rates[name]]
            rs = " / ".join(f"{rate:,.0f}" for rate, _ in each)
            ratio = " / ".join(f"{x:.1f}×" for _, x in each if x is not None) or "–"
            print(f"| {key[0]} | {key[1]} | {name} | {rs} | {ratio} |")


if __name__ == "__main__":
    main()
