"""Mail that RoleFit sends when asked: private links, by Django's email framework
(docs/product.md §9).

One helper, `links_send`, mails a list of labelled links to one recipient; the result page's
"email me this link" uses it, and team assessments send the organiser and invitation links
through it (on creation, and from the organiser page's "email me these links"). The backend
comes from the settings: the console by default (`make run` prints the mail), SMTP when
`DJANGO_EMAIL_HOST` is set (README "Configuration").

- Links are built from `ROLEFIT_SITE_URL`, never from the request's Host header, which the client
  chooses: a forged Host must not put someone else's site into a mail we send.
- Each send counts against `ROLEFIT_RATE_MAIL` for the client's address (advisor/ratelimit.py).
- Header injection cannot happen: the recipient must be exactly one valid address and the subject
  is folded onto one line here; Django refuses a header with a line break anyway, and that counts
  as a failure like any other.
- A failure is logged (without the address or the links: they are personal data and bearer
  tokens) and raised as `MailFailed`, whose message the page shows; nothing is retried.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisor import models
from advisor.ratelimit import hit, parse_rate

logger = logging.getLogger(__name__)

RATE_SCOPE = "mail"
SUBJECT_MAX_LENGTH = 150
MAIL_FAILED = gettext_lazy(
    "The email could not be sent. Your assessment is kept: copy the link above instead, or try "
    "again later."
)
INVALID_RECIPIENT = gettext_lazy("Enter one valid email address.")


class MailError(Exception):
    """The mail was not sent; `str(error)` is the message for the page."""


class MailFailed(MailError):
    def __init__(self):
        super().__init__(str(MAIL_FAILED))


class MailRateLimited(MailError):
    """Too many mails from this client address: retry after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LabelledLink:
    label: str
    path: str  # on this site, starting with "/": "/a/<token>/"


def site_url(path: str) -> str:
    """`path` on this site as an absolute URL, from ROLEFIT_SITE_URL."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on this site: {path!r}")
    return settings.ROLEFIT_SITE_URL + path


def one_line(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) as one space."""
    return " ".join(text.split())


def links_send(
    *,
    request,
    recipient: str,
    subject: str,
    intro: str,
    links: Sequence[LabelledLink],
) -> None:
    """Mail `links` (labels and absolute URLs) to `recipient`, after `intro`.

    Raises MailError for an invalid recipient, MailRateLimited past ROLEFIT_RATE_MAIL for the
    client's address (checked before anything is sent) and MailFailed when the backend fails.
    """
    recipient = recipient.strip()
    try:
        if len(recipient) > models.RESPONDENT_EMAIL_MAX_LENGTH or one_line(recipient) != recipient:
            raise ValidationError(INVALID_RECIPIENT)
        validate_email(recipient)
    except ValidationError as error:
        raise MailError(str(INVALID_RECIPIENT)) from error
    rate = parse_rate(settings.ROLEFIT_RATE_MAIL)
    if rate is not None:
        retry_after = hit(RATE_SCOPE, request, rate)
        if retry_after:
            raise MailRateLimited(retry_after)
    body = render_to_string(
        "mail/links.txt",
        {
            "intro": intro,
            "links": [{"label": link.label, "url": site_url(link.path)} for link in links],
            "site_url": settings.ROLEFIT_SITE_URL,
        },
    )
    message = EmailMessage(
        subject=one_line(subject)[:SUBJECT_MAX_LENGTH],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    try:
        message.send()
    except (BadHeaderError, smtplib.SMTPException, OSError, ValueError) as error:
        # The error's class and SMTP code only: its text may hold the address (a refused
        # recipient) and the message the links.
        logger.error(
            "Mail with %d link(s) could not be sent: %s %s",
            len(links),
            type(error).__name__,
            getattr(error, "smtp_code", ""),
        )
        raise MailFailed from error


def result_link_send(*, request, assessment: models.Assessment, recipient: str) -> None:
    """Mail the private link of `assessment`'s result (and its report) to `recipient`."""
    links_send(
        request=request,
        recipient=recipient,
        subject=_("Your RoleFit result for %(company)s") % {"company": assessment.company},
        intro=_(
            "Here is the private link to the RoleFit result for %(company)s. It is the only way "
            "back to the result: keep this email. Anyone who has the link can read the result, "
            "so forward it only to people who should see it."
        )
        % {"company": one_line(assessment.company)},
        links=[
            LabelledLink(_("Your result"), assessment.get_absolute_url()),
            LabelledLink(
                _("Printable report"), reverse("advisor:report", kwargs={"token": assessment.token})
            ),
        ],
    )


def team_links_send(*, request, team: models.Team, recipient: str) -> None:
    """Mail a team assessment's organiser link (with its team result and report) and its
    invitation link to `recipient`."""
    company = one_line(team.company)
    links_send(
        request=request,
        recipient=recipient,
        subject=_("Your RoleFit team assessment for %(company)s") % {"company": company},
        intro=_(
            "Here are the links of the RoleFit team assessment for %(company)s. The organiser link "
            "is the only way back to the organiser page and the team result: keep this email and "
            "do not forward that link, since anyone who has it can see the team result, close "
            "the assessment or delete it. Send the invitation link to everyone who should answer."
        )
        % {"company": company},
        links=[
            LabelledLink(_("Organiser page (private)"), team.get_absolute_url()),
            LabelledLink(
                _("Team result (private)"),
                reverse("advisor:team_result", kwargs={"token": team.organiser_token}),
            ),
            LabelledLink(
                _("Invitation link (for the people who answer)"),
                reverse("advisor:team_join", kwargs={"token": team.invitation_token}),
            ),
        ],
    )
