"""Typed records the parser library returns: one `Report` per scraped file."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

APPLICANT_TYPES = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_org",
    "legal_service_org",
    "other_org",
    "total",
)
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

#: How a figure was read (each fact's `method`), from the surest to the least sure:
#: `label`: beside its own printed label, in its printed column;
#: `split`: cut from digits printed run together, the one cut the form's identities allow;
#: `position`: its label missing or unreadable (or its row trimmed of extra cells, or its
#: table's blank cells closed up): placed by the order it was printed in.
#: `reconstructed`: rebuilt from a crawler dump that merged identical lines or broke numbers
#: across lines: the one reading of the printed lines the form's identities allow;
#: `ocr`: recognised by OCR from an image of the page (a scanned PDF, a PDF whose text layer
#: is garbage, an image): every figure of such a report, whichever way it was then placed,
#: with the recogniser's `confidence` (the least probable of its characters, 0..1).
METHOD_LABEL, METHOD_SPLIT, METHOD_POSITION = "label", "split", "position"
METHOD_RECONSTRUCTED = "reconstructed"
METHOD_OCR = "ocr"
METHODS = (METHOD_LABEL, METHOD_SPLIT, METHOD_RECONSTRUCTED, METHOD_POSITION, METHOD_OCR)

STATUS_PARSED = "parsed"
STATUS_PARTIAL = "partial"
STATUS_REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ApplicationFact:
    """One cell of table 3 (applications received and how they were handled)."""

    category: str
    applicant_type: str
    value: int | None
    raw: str
    line: int | None
    method: str = "label"  # how it was read: one of METHODS
    page: int | None = None  # paged inputs (PDF): the page, and `line` is the line on it
    confidence: float | None = None  # method `ocr`: how sure the recogniser was (0..1)


@dataclass(frozen=True, slots=True)
class DisclosureFact:
    """One cell of table 2 (proactive disclosure)."""

    item: str
    measure: str
    value: float | None
    raw: str
    line: int | None
    method: str = "label"  # how it was read: one of METHODS
    page: int | None = None  # paged inputs (PDF): the page, and `line` is the line on it
    confidence: float | None = None  # method `ocr`: how sure the recogniser was (0..1)


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """One cell of table 4 (administrative reconsideration and litigation)."""

    proceeding: str
    outcome: str
    value: int | None
    raw: str
    line: int | None
    method: str = "label"  # how it was read: one of METHODS
    page: int | None = None  # paged inputs (PDF): the page, and `line` is the line on it
    confidence: float | None = None  # method `ocr`: how sure the recogniser was (0..1)


def _six_field_maker(cls):
    """`cls(a, b, c, d, e, f)` (page, confidence None) for a frozen slotted dataclass of eight fields (no
    __post_init__): the same object, filled by its slots' own setters instead of the frozen
    __init__'s object.__setattr__ per field (~2× faster; a report holds ~200 facts)."""
    names = [f.name for f in fields(cls)]
    assert names[-2:] == ["page", "confidence"] and len(names) == 8, cls
    assert not hasattr(cls, "__post_init__"), cls
    set_a, set_b, set_c, set_d, set_e, set_f, set_page, set_confidence = (
        cls.__dict__[name].__set__ for name in names
    )
    new = object.__new__

    def make(a, b, c, d, e, f):
        obj = new(cls)
        set_a(obj, a)
        set_b(obj, b)
        set_c(obj, c)
        set_d(obj, d)
        set_e(obj, e)
        set_f(obj, f)
        set_page(obj, None)
        set_confidence(obj, None)
        return obj

    return make


def _on_page_maker(cls):
    """`f(fact, page, line)`: a copy of `fact` placed on `page` at `line`, filled by the
    slots' own setters (`dataclasses.replace` costs ~10× more; a PDF report places ~200)."""
    slots = [cls.__dict__[f.name] for f in fields(cls)]
    copied = [(s.__get__, s.__set__) for s in slots if s.__name__ not in ("page", "line")]
    set_page, set_line = cls.__dict__["page"].__set__, cls.__dict__["line"].__set__
    new = object.__new__

    def on_page(fact, page: int, line: int):
        obj = new(cls)
        for get, set_ in copied:
            set_(obj, get(fact))
        set_page(obj, page)
        set_line(obj, line)
        return obj

    return on_page


#: A fact's copy on its page, by its class (see `_on_page_maker`).
ON_PAGE = {cls: _on_page_maker(cls) for cls in (ApplicationFact, DisclosureFact, ReviewFact)}

new_application_fact = _six_field_maker(ApplicationFact)
new_disclosure_fact = _six_field_maker(DisclosureFact)
new_review_fact = _six_field_maker(ReviewFact)


@dataclass(slots=True)
class Report:
    """Everything the parser learnt about one report, whatever happened to it."""

    report_id: str
    source_path: str | None
    encoding: str | None
    encoding_confidence: float
    layout: str
    format_version: str
    agency: str | None
    year: int | None
    status: str
    status_reason: str | None
    parser_version: str
    applications: list[ApplicationFact] = field(default_factory=list)
    active_disclosure: list[DisclosureFact] = field(default_factory=list)
    review_litigation: list[ReviewFact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # section key → line of its heading (overview, proactive, applications, …)
    sections: dict[str, int] = field(default_factory=dict)
    # figures the narrative states, e.g. {"received_applications": 29}
    narrative: dict[str, int] = field(default_factory=dict)
    # which reader the file went through: one of parsers.inputs.INPUT_KINDS
    input_kind: str = "unknown"

    def to_dict(self) -> dict:
        """A JSON-ready dict with the contract's field names: what `dataclasses.asdict` gives
        (same keys, order and types; new lists and dicts), without its deep copies."""
        return {
            "report_id": self.report_id,
            "source_path": self.source_path,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "layout": self.layout,
            "format_version": self.format_version,
            "agency": self.agency,
            "year": self.year,
            "status": self.status,
            "status_reason": self.status_reason,
            "parser_version": self.parser_version,
            "applications": [
                {
                    "category": f.category,
                    "applicant_type": f.applicant_type,
                    "value": f.value,
                    "raw": f.raw,
                    "line": f.line,
                    "method": f.method,
                    "page": f.page,
                    "confidence": f.confidence,
                }
                for f in self.applications
            ],
            "active_disclosure": [
                {
                    "item": f.item,
                    "measure": f.measure,
                    "value": f.value,
                    "raw": f.raw,
                    "line": f.line,
                    "method": f.method,
                    "page": f.page,
                    "confidence": f.confidence,
                }
                for f in self.active_disclosure
            ],
            "review_litigation": [
                {
                    "proceeding": f.proceeding,
                    "outcome": f.outcome,
                    "value": f.value,
                    "raw": f.raw,
                    "line": f.line,
                    "method": f.method,
                    "page": f.page,
                    "confidence": f.confidence,
                }
                for f in self.review_litigation
            ],
            "warnings": list(self.warnings),
            "sections": dict(self.sections),
            "narrative": dict(self.narrative),
            "input_kind": self.input_kind,
        }
