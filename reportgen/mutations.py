"""Hypothesis strategies that mutate real reports: cuts, shuffled lines, random bytes,
wrong encodings. Shared by the normal suite (a few hundred cases) and `make fuzz`."""

from __future__ import annotations

from hypothesis import strategies as st

from reportgen.paths import FIXTURES, SHARED


def real_reports() -> list[bytes]:
    """The real reports of tests/fixtures/reports (seeds and corpus) and the PDF texts."""
    paths = sorted(SHARED.glob("seeds/*.txt")) + sorted(SHARED.glob("corpus/*.*"))
    paths += sorted(SHARED.glob("corpus/html/*.html")) + sorted(SHARED.glob("corpus/derived/*.txt"))
    paths = [p for p in paths if p.name != "SOURCES.md"]
    if len(paths) < 20:  # a missing fixture is a failure, never a smaller fuzz
        raise FileNotFoundError(f"the real reports under {SHARED} are missing ({len(paths)} found)")
    paths += sorted((FIXTURES / "pdftotext").glob("*.txt"))
    return [p.read_bytes() for p in paths]


def _cut(data: bytes, draw) -> bytes:
    a = draw(st.integers(0, len(data)))
    b = draw(st.integers(a, len(data)))
    return data[:a] + data[b:]


def _truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _shuffle_lines(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(draw(st.permutations(lines)))


def _swap_lines(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _random_bytes(data: bytes, draw) -> bytes:
    pos = draw(st.integers(0, len(data)))
    return data[:pos] + draw(st.binary(min_size=1, max_size=64)) + data[pos:]


def _flip_bytes(data: bytes, draw) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 20))):
        buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
    return bytes(buf)


def _wrong_encoding(data: bytes, draw) -> bytes:
    text = data.decode("utf-8", errors="replace")
    codec = draw(st.sampled_from(["gb18030", "utf-16", "utf-16-be", "big5", "latin-1", "mojibake"]))
    if codec == "mojibake":
        return text.encode("utf-8").decode("gbk", errors="replace").encode("utf-8")
    return text.encode(codec, errors="replace")


def _duplicate_region(data: bytes, draw) -> bytes:
    a = draw(st.integers(0, len(data)))
    b = draw(st.integers(a, min(len(data), a + 4000)))
    return data[:b] + data[a:b] + data[b:]


MUTATIONS = [
    _cut,
    _truncate,
    _shuffle_lines,
    _swap_lines,
    _random_bytes,
    _flip_bytes,
    _wrong_encoding,
    _duplicate_region,
]


@st.composite
def mutated_reports(draw, corpus: list[bytes]) -> bytes:
    data = draw(st.sampled_from(corpus))
    for mutate in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        data = mutate(data, draw)
    return data
