"""`make fuzz-pipeline`: the whole `govreports refresh` on an adversarial raw dir of N entries
(default 3,000; see reportgen/raw_dir_fuzz.py), twice, checking that every entry gets its one
`reports` row with a reason, that no figure is absurd and that the second refresh parses
nothing. Exits 1 on the first failure, printing the seed that reproduces it.

    python -m fuzz.fuzz_pipeline [N] [--seed S] [--rounds K] [--only CLASS,...] [--keep]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from reportgen.raw_dir_fuzz import CLASSES, FuzzFailure, check_refresh, corpus, fill_raw_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fuzz.fuzz_pipeline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("n", nargs="?", type=int, default=3000, help="entries per raw dir")
    parser.add_argument("--seed", type=int, help="first round's seed (default: random)")
    parser.add_argument("--rounds", type=int, default=1, help="raw dirs, seeds S, S+1, …")
    parser.add_argument(
        "--only", default=",".join(CLASSES), help=f"entry classes, of {','.join(CLASSES)}"
    )
    parser.add_argument("--workers", type=int, default=2, help="refresh --workers")
    parser.add_argument("--keep", action="store_true", help="keep the raw dir and warehouse")
    args = parser.parse_args(argv)
    classes = [c.strip() for c in args.only.split(",") if c.strip()]
    if not set(classes) <= set(CLASSES):
        parser.error(f"--only: unknown {sorted(set(classes) - set(CLASSES))}")
    first_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    reports = corpus()
    started = time.perf_counter()
    total = Counter()
    for round_no in range(args.rounds):
        seed = first_seed + round_no
        again = f"python -m fuzz.fuzz_pipeline {args.n} --seed {seed}" + (
            f" --only {','.join(classes)}" if classes != list(CLASSES) else ""
        )
        work = Path(tempfile.mkdtemp(prefix=f"fuzz-pipeline-{seed}-"))
        keep = args.keep
        try:
            print(f"round {round_no + 1}/{args.rounds}: seed {seed}, {args.n} entries", flush=True)
            t = time.perf_counter()
            entries = fill_raw_dir(work / "raw", args.n, seed, classes, reports)
            made = Counter(e.cls for e in entries)
            print(
                f"  raw dir {work / 'raw'}: {len(entries)} entries "
                f"({', '.join(f'{c} {made[c]}' for c in CLASSES if made[c])}) "
                f"in {time.perf_counter() - t:.1f} s",
                flush=True,
            )
            result = check_refresh(
                work / "raw",
                work / "wh",
                work / "dagster_home",
                entries,
                args.workers,
                log=lambda msg: print(f"  {msg}", flush=True),
            )
        except FuzzFailure as exc:
            keep = True
            print(f"FAILED (seed {seed}): {exc}")
            print(f"fuzz-pipeline: FAILED; reproduce with: {again}  (files kept in {work})")
            return 1
        except Exception:
            keep = True
            print(f"fuzz-pipeline: ERROR in the fuzz itself (seed {seed}); reproduce: {again}")
            raise
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
        total.update(result.statuses)
        print(f"  ok: {result.line()}", flush=True)
    counts = " · ".join(f"{s} {n}" for s, n in sorted(total.items()))
    print(
        f"fuzz-pipeline: {args.rounds} raw dir(s) × {args.n} entries, 0 failures "
        f"({counts}), seeds {first_seed}–{first_seed + args.rounds - 1}, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
