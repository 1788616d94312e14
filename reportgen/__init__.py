"""Generated and damaged variants of annual reports, shared by `tests/`, `bench/` and `fuzz/`.

- `generator`: figures that satisfy the form, rendered in every text layout and encoding;
- `pdf_reports`, `word_reports`: the same figures as PDF and Word files;
- `mutations`, `binary_mutations`: damaged real reports (text; PDF and Word files);
- `roundtrip`: does a report read back exactly (or a loud `partial`), never wrong;
- `fuzz_checks`: the checks every fuzzed input must pass (a status, in time, no crash);
- `raw_dir_fuzz`: an adversarial raw dir and the checks of a refresh over it;
- `refresh_subprocess`: `govreports refresh` run as a subprocess;
- `paths`: where the repository's fixtures are (read by path; `tests` is never imported).
"""
