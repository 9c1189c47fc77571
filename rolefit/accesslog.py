"""gunicorn's access log without the private tokens in paths.

An assessment's token is its only key (anyone holding `/a/<token>/` sees the result), so a log line
must not carry it: `/a/<token>/report/` is logged as `/a/…/report/`, and likewise the workspace's
`/assessments/<token>/`, in the request line, the path and the referrer. Used by `make serve`
(`--logger-class rolefit.accesslog.RedactingLogger`); the scale-out rehearsal's nginx redacts the
same paths (benchmarks/scaleout.py).
"""

import re

from gunicorn.glogging import Logger

# A token is a path segment after /a/ or /assessments/ followed by another slash (so
# /assessments/export.csv stays readable); the characters are advisor.urls.TokenConverter's.
TOKEN_IN_PATH = re.compile(r"(/(?:a|assessments)/)[A-Za-z0-9_-]+(?=/)")
REDACTED = "…"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line, the path, the referrer and any header or environ
        # variable a custom access_log_format might print.
        return {name: redact(v) if isinstance(v, str) else v for name, v in atoms.items()}
