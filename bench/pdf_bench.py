"""PDF reports: parse throughput against its floor, both measured in the same run (issue 14).

The floor is what any PDF reader has to pay: PDFium opening the document and giving the
text of every page (`pypdfium2`: load the page, build its text page, read its text). The
parse is `parsers.parse_report` on the same bytes: the same PDFium work plus every
character's box, the lines rebuilt from positions, and the tables read. Both run in a pool
of `workers` processes over the same files, the median of `repeat` runs reported.

The files: the real PDFs (tests/fixtures/reports/corpus/pdf) and the generated ones the
tests commit (tests/fixtures/pdf_generated, text-layer ones only), repeated to `n` files.

    .venv/bin/python bench/pdf_bench.py [n] [workers]
"""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TARGETS = {"pdf_rate": 60.0, "pdf_floor_ratio": 2.0}
FIXTURES = (
    REPO / "tests" / "fixtures" / "reports" / "corpus" / "pdf",
    REPO / "tests" / "fixtures" / "pdf_generated",
)


def pdf_files() -> list[Path]:
    """Every committed PDF that has a text layer (scans and garbled fonts go to OCR, measured
    by bench/ocr_bench.py; locked files are rejected at once and would flatter the rate)."""
    from parsers.inputs import UnreadableInput
    from parsers.pdf_text import pdf_text

    def has_text_layer(path: Path) -> bool:
        try:
            pdf_text(path.read_bytes())
        except UnreadableInput:  # (NeedsOcr too)
            return False
        return True

    found = sorted(p for d in FIXTURES if d.is_dir() for p in d.glob("*.pdf"))
    return [p for p in found if has_text_layer(p)]


def _floor_one(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    chars = 0
    try:
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        doc.close()
    return chars


def _parse_one(data: bytes) -> str:
    from parsers import parse_report

    return parse_report(data).status


def _floor_chunk(datas: list[bytes]) -> int:
    return sum(_floor_one(d) for d in datas)


def _parse_chunk(datas: list[bytes]) -> list[str]:
    return [_parse_one(d) for d in datas]


def _timed(pool: ProcessPoolExecutor, fn, datas: list[bytes], workers: int) -> float:
    chunks = [datas[i::workers] for i in range(workers)]
    started = time.perf_counter()
    list(pool.map(fn, chunks))
    return time.perf_counter() - started


def measure_pdf(n: int = 120, workers: int = 2, repeat: int = 3) -> dict:
    """Reports/s of the parse and of the floor, same files, same pool; their ratio."""
    files = pdf_files()
    if not files:
        raise SystemExit("no PDF fixtures found")
    datas = [files[i % len(files)].read_bytes() for i in range(n)]
    statuses = _parse_chunk([p.read_bytes() for p in files])
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_parse_chunk, [datas[:workers]] * workers))  # warm: imports, PDFium
        floor_runs, parse_runs = [], []
        for _ in range(repeat):  # interleaved, so that a busy moment hits both alike
            floor_runs.append(_timed(pool, _floor_chunk, datas, workers))
            parse_runs.append(_timed(pool, _parse_chunk, datas, workers))
    floor, parse = statistics.median(floor_runs), statistics.median(parse_runs)
    return {
        "files": n,
        "distinct": len(files),
        "mb": sum(map(len, datas)) / 1e6,
        "workers": workers,
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses))},
        "parse_rate": n / parse,
        "floor_rate": n / floor,
        "ratio": parse / floor,
        "parse_runs": parse_runs,
        "floor_runs": floor_runs,
    }


def markdown(result: dict) -> list[str]:
    ok_rate = result["parse_rate"] >= TARGETS["pdf_rate"]
    ok_ratio = result["ratio"] <= TARGETS["pdf_floor_ratio"]
    return [
        f"{result['files']} PDF reports ({result['distinct']} distinct: the real PDFs and the "
        f"generated text-layer ones; {result['mb']:.1f} MB), {result['workers']} processes, "
        f"median of {len(result['parse_runs'])} interleaved runs. Distinct files' status: "
        + ", ".join(f"{k} {v}" for k, v in result["statuses"].items())
        + ".",
        "",
        "| case | reports/s | target |",
        "|---|---:|---|",
        f"| parse (`parse_report`) | {result['parse_rate']:,.0f} | ≥ {TARGETS['pdf_rate']:.0f} "
        f"{'✅' if ok_rate else '❌'} |",
        f"| floor (PDFium: open, every page's text) | {result['floor_rate']:,.0f} | |",
        f"| parse / floor (time) | {result['ratio']:.2f}× | ≤ {TARGETS['pdf_floor_ratio']:.0f}× "
        f"{'✅' if ok_ratio else '❌'} |",
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print("\n".join(markdown(measure_pdf(n, workers))))
