"""The mail helper (advisor/mail.py): links from ROLEFIT_SITE_URL, one recipient, no header
injection, rate-limited, failures logged and raised; once through a real SMTP server."""

import logging
import smtplib
import socket
from email import message_from_bytes, policy
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.test import RequestFactory, override_settings

from advisor import mail

SITE = "https://rolefit.example.com"
LINKS = [
    mail.LabelledLink("Organiser page", "/t/organiser-token/"),
    mail.LabelledLink("Invitation to pass on", "/t/invitation-token/join/"),
]


@pytest.fixture(autouse=True)
def _mail_settings(db):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ROLEFIT_SITE_URL=SITE,
        ALLOWED_HOSTS=["*"],
    ):
        yield


def request(address="192.0.2.10", host="evil.example"):
    return RequestFactory().post("/", REMOTE_ADDR=address, HTTP_HOST=host)


def send(recipient="ann@example.com", subject="Your team links", **kwargs):
    mail.links_send(
        request=kwargs.pop("request", request()),
        recipient=recipient,
        subject=subject,
        intro="Keep these links.",
        links=kwargs.pop("links", LINKS),
    )


def test_sends_labelled_links_built_from_the_site_url_never_the_host_header():
    send()
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert message.subject == "Your team links"
    assert "Keep these links." in message.body
    assert "Organiser page:\nhttps://rolefit.example.com/t/organiser-token/\n" in message.body
    assert "https://rolefit.example.com/t/invitation-token/join/" in message.body
    assert "evil.example" not in message.body


def test_site_url_takes_paths_on_this_site_only():
    assert mail.site_url("/a/x/") == SITE + "/a/x/"
    for path in ("https://evil.example/a/", "//evil.example/a/", "a/x/"):
        with pytest.raises(ValueError):
            mail.site_url(path)


@pytest.mark.parametrize(
    "recipient",
    [
        "ann@example.com\r\nBcc: victim@example.com",
        "ann@example.com\nBcc: victim@example.com",
        "ann@example.com, victim@example.com",
        "Ann <ann@example.com>",
        "not an address",
        "",
        "a" * 250 + "@example.com",
    ],
)
def test_a_recipient_must_be_exactly_one_valid_address(recipient):
    with pytest.raises(mail.MailError) as raised:
        send(recipient=recipient)
    assert str(raised.value) == str(mail.INVALID_RECIPIENT)
    assert django_mail.outbox == []


def test_a_subject_is_folded_onto_one_line():
    send(subject="Acme\r\nBcc: victim@example.com\n  Ltd")
    message = django_mail.outbox[0]
    assert message.subject == "Acme Bcc: victim@example.com Ltd"
    headers = message.message()
    assert headers["Bcc"] is None
    assert message.recipients() == ["ann@example.com"]


@override_settings(ROLEFIT_RATE_MAIL="2/h")
def test_past_the_mail_limit_nothing_is_sent():
    send()
    send(recipient="bob@example.com")
    with pytest.raises(mail.MailRateLimited) as raised:
        send(recipient="carl@example.com")
    assert 0 < raised.value.retry_after <= 3600
    assert len(django_mail.outbox) == 2
    # Counted per client address: another client may still send.
    send(request=request(address="192.0.2.99"))
    assert len(django_mail.outbox) == 3


def test_an_invalid_recipient_does_not_count_against_the_limit():
    with override_settings(ROLEFIT_RATE_MAIL="1/h"):
        with pytest.raises(mail.MailError):
            send(recipient="bad")
        send()
    assert len(django_mail.outbox) == 1


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPRecipientsRefused({"ann@example.com": (550, b"ann@example.com unknown")}),
        smtplib.SMTPDataError(554, b"rejected: /t/organiser-token/"),
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
    ],
)
def test_a_failing_backend_raises_mail_failed_and_is_logged_without_personal_data(caplog, error):
    backend = "django.core.mail.backends.locmem.EmailBackend.send_messages"
    with (
        mock.patch(backend, side_effect=error),
        caplog.at_level(logging.ERROR, logger="advisor.mail"),
        pytest.raises(mail.MailFailed) as raised,
    ):
        send()
    assert str(raised.value) == str(mail.MAIL_FAILED)
    assert len(caplog.records) == 1
    logged = caplog.text
    assert "could not be sent" in logged
    assert "ann@example.com" not in logged
    assert "organiser-token" not in logged


# --- Through a real SMTP server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 OK"

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_mail_reaches_a_real_smtp_server(smtp_server):
    controller, handler = smtp_server
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=controller.hostname,
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        send(subject="Acme\nLtd: your links")
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["ann@example.com"]
    received = message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == "Acme Ltd: your links"
    assert received["To"] == "ann@example.com"
    body = received.get_body().get_content()
    assert "https://rolefit.example.com/t/organiser-token/" in body


def test_an_unreachable_smtp_server_is_a_mail_failure():
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=free_port(),  # nothing listens there
            EMAIL_TIMEOUT=2,
        ),
        pytest.raises(mail.MailFailed),
    ):
        send()
