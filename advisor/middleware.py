"""Request ids for the logs, and requests refused at the edge before any view or form sees them.

`RequestIdMiddleware` (first) gives every request an id: the logs carry it (`advisor.logs`) and
the response sends it back as `X-Request-ID`, so a user's report of an error finds its log line.

`RequestGuardMiddleware` (before the CSRF middleware, which is the first to read a body) answers
400 with a sentence saying what was wrong, and logs one warning, for:

- a body that declares a charset other than UTF-8. Django decodes with the declared codec (for a
  form it raises BadRequest, whose default handler reads the body again: a 500 and pages of
  traceback under gunicorn), and `unicode_escape` turns the text `\\ud800` into a lone surrogate
  that no database stores. UTF-8 under another name (`utf8`) is read as UTF-8; a name Python does
  not know is ignored, as Django ignores it.
- text no database can hold in a query string (filters, exports, the admin's lists): a NUL
  character (PostgreSQL refuses it) or a lone surrogate; and a lone surrogate in a form field.
  Forms reject a NUL in their own fields with their own message.
- file parts on a form whose view takes no file: refused as the first one starts, before the
  rest of the body is read. A view that takes files says so with `accepts_files(max_bytes=…)`
  (413 past it).
- a body Django cannot parse (too large, too many fields, broken multipart).
"""

from __future__ import annotations

import codecs
import logging
import re
import uuid

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from advisor import logs

logger = logging.getLogger("rolefit.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

CHARSET_REFUSED = gettext_noop(
    "RoleFit reads forms and links as UTF-8 only; this request declared another character set."
)
TEXT_REFUSED = gettext_noop(
    "The request holds characters no text can hold (a NUL character or a lone surrogate). "
    "Remove them and try again."
)
FILE_REFUSED = gettext_noop("This form takes no file.")
FILE_TOO_LARGE = gettext_noop("The file is too large: at most %(limit)s kB.")
BODY_UNREADABLE = gettext_noop(
    "The request could not be read (too large, too many fields, or malformed)."
)


class RequestIdMiddleware:
    """Tags the request (and records logged meanwhile) with an id; a sane incoming
    `X-Request-ID` from the proxy is kept, so both logs share it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.rolefit_request_id = (
            incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        )
        reset = logs.request_id.set(request.rolefit_request_id)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(reset)
        response[REQUEST_ID_HEADER] = request.rolefit_request_id
        return response


class PrivateLinkNoStoreMiddleware:
    """Pages behind a private link (`/a/<token>/…`, later `/t/<token>/…`) send
    `Cache-Control: no-store, private` unless their view chose a policy: no browser history
    cache, no proxy keeps a client's result (the result page sent none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and logs.holds_token(request.path):
            add_never_cache_headers(response)
        return response


def accepts_files(*, max_bytes: int):
    """Mark a view that takes uploaded files of at most `max_bytes` each."""

    def decorator(view):
        view.rolefit_max_upload_bytes = max_bytes
        return view

    return decorator


class UploadRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class FilePolicyHandler(FileUploadHandler):
    """First of the upload handlers: refuses every file part, or those over `max_bytes`."""

    def __init__(self, request, max_bytes: int | None):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def new_file(self, *args, **kwargs):
        if self.max_bytes is None:
            raise UploadRefused(_(FILE_REFUSED), 400)
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise UploadRefused(_(FILE_TOO_LARGE) % {"limit": self.max_bytes // 1000}, 413)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file


def _holds_bad_text(values, *, nul: bool) -> bool:
    for value in values:
        if nul and "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return True
    return False


def _all_text(query) -> list[str]:
    return [text for key, values in query.lists() for text in (key, *values)]


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def refuse(self, request, message: str, reason: str, status: int = 400):
        path = logs.redact(request.path)
        logger.warning(
            "Refused %s %s: %s", request.method, path, reason, extra={"status_code": status}
        )
        response = render(request, "400.html", {"message": message}, status=status)
        # Once is enough: no second line from django.request.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        declared = (request.content_params or {}).get("charset")
        if declared is not None:
            try:
                codec = codecs.lookup(declared).name
            except LookupError:
                codec = None  # unknown: Django ignores it and reads UTF-8
            if codec == "utf-8":
                request.encoding = "utf-8"
            elif codec is not None:
                return self.refuse(request, _(CHARSET_REFUSED), f"charset {declared[:40]!r}")
        if _holds_bad_text(_all_text(request.GET), nul=True):
            return self.refuse(request, _(TEXT_REFUSED), "NUL or lone surrogate in the query")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        max_bytes = getattr(view_func, "rolefit_max_upload_bytes", None)
        request.upload_handlers.insert(0, FilePolicyHandler(request, max_bytes))
        try:
            fields = _all_text(request.POST)
        except UploadRefused as refused:
            return self.refuse(request, str(refused), "file part", refused.status)
        except (SuspiciousOperation, BadRequest, MultiPartParserError) as error:
            return self.refuse(request, _(BODY_UNREADABLE), type(error).__name__)
        if _holds_bad_text(fields, nul=False):
            return self.refuse(request, _(TEXT_REFUSED), "lone surrogate in the form")
        return None
