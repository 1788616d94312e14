"""govreports parser library: bytes of one scraped report in, a typed `Report` out.

No Dagster, no DuckDB, no file system: callers hand in bytes (and, optionally, a label
for where they came from) and get a record back. Bad input never raises; it gives a
`rejected` or `partial` report with a human-readable reason.
"""

from parsers.model import (
    APPLICANT_TYPES,
    OUTCOMES,
    PROCEEDINGS,
    ApplicationFact,
    DisclosureFact,
    Report,
    ReviewFact,
)
from parsers.report import PARSER_VERSION, parse_report, rejected_report

__all__ = [
    "APPLICANT_TYPES",
    "OUTCOMES",
    "PARSER_VERSION",
    "PROCEEDINGS",
    "ApplicationFact",
    "DisclosureFact",
    "Report",
    "ReviewFact",
    "parse_report",
    "rejected_report",
]
