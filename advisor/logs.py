"""What RoleFit writes to its logs: bearer tokens redacted, a request id, text or JSON lines.

Paths carry bearer tokens (`/a/<token>/`, `/t/<token>/`, `/assessments/<token>/`): whoever reads
a log must not be able to open a client's result from it. `RedactFilter` rewrites every record
the `LOGGING` handler writes (message, arguments and traceback), and `GunicornLogger` does the
same for gunicorn's access log (`make serve`). Imports nothing from Django, so gunicorn's master
process can load it before Django is set up.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
from datetime import UTC, datetime

from gunicorn.glogging import Logger as _GunicornLogger

REDACTED = "…"
# A token segment after a prefix whose next segment is a token, plain or percent-encoded (in a
# `?next=` parameter); `/t/new/` is a page, not a token.
_TOKEN_PATH = re.compile(r"(/(?:a|t|assessments)/)(?!new/)[A-Za-z0-9_-]{8,}(?=/|$|\?|#|\s|\")")
_TOKEN_PATH_ENCODED = re.compile(
    r"(%2F(?:a|t|assessments)%2F)(?!new%2F)[A-Za-z0-9_-]{8,}(?=%2F|&|$|\s|\")", re.IGNORECASE
)

# The current request's id, for records logged while it is handled (set by the middleware).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def holds_token(path: str) -> bool:
    """Whether a request path is a private link (holds a bearer token)."""
    return _TOKEN_PATH.search(path) is not None


def redact(text: str) -> str:
    """`text` with every bearer token in a RoleFit path replaced by `…`."""
    text = _TOKEN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return _TOKEN_PATH_ENCODED.sub(rf"\g<1>{REDACTED}", text)


class RedactFilter(logging.Filter):
    """Redacts tokens in a record's final message and traceback; adds its request id and path.

    The message is formatted here (and the arguments dropped) so no handler or formatter can put
    an unredacted argument back.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)  # django.request's records carry it
        record.request_id = getattr(request, "rolefit_request_id", None) or request_id.get()
        path = getattr(request, "path", None)
        record.path = redact(path) if isinstance(path, str) else "-"
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(TEXT_FORMAT)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (`DJANGO_LOG_FORMAT=json`), the traceback in `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "path": getattr(record, "path", "-"),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with tokens redacted from its access log (request line, query,
    referrer, headers) and its error log ("Error handling request /a/…/" and its traceback):
    `--logger-class advisor.logs.GunicornLogger`."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactFilter) for f in log.filters):
                log.addFilter(RedactFilter())
