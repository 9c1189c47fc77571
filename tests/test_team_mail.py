"""A team assessment's links by mail (docs/product.md §8, §9): the organiser's on creation, and
"email me these links" on the organiser page."""

import smtplib
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.test import Client, override_settings

from advisor import models
from advisor.views import team as team_views
from tests.test_team_pages import start

pytestmark = pytest.mark.django_db

SITE = "https://rolefit.example.com"
BACKEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


@pytest.fixture(autouse=True)
def _mail_settings():
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ROLEFIT_SITE_URL=SITE,
        ROLEFIT_RATE_MAIL="100/h",
    ):
        yield


def links_in(message, team):
    return {
        "organiser": f"{SITE}/t/{team.organiser_token}/" in message.body,
        "result": f"{SITE}/t/{team.organiser_token}/result/" in message.body,
        "invitation": f"{SITE}/t/{team.invitation_token}/join/" in message.body,
    }


def test_starting_a_team_mails_the_organiser_both_links(client, default_criteria):
    team = start(client, company="Mailcorp")
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert "Mailcorp" in message.subject
    assert links_in(message, team) == {"organiser": True, "result": True, "invitation": True}
    assert "testserver" not in message.body
    page = client.get(team.get_absolute_url()).content.decode()
    assert "We sent the organiser and invitation links to ann@example.com" in page


def test_a_failed_mail_keeps_the_team_and_the_page_shows_both_links(client, default_criteria):
    with mock.patch(BACKEND, side_effect=smtplib.SMTPServerDisconnected("gone")):
        team = start(client, company="Failcorp")
    assert models.Team.objects.filter(pk=team.pk, company="Failcorp").exists()
    page = client.get(team.get_absolute_url()).content.decode()
    assert "the email with its links could not be sent" in page
    assert f"/t/{team.organiser_token}/" in page.split('id="organiser-link"')[1][:300]
    assert f"/t/{team.invitation_token}/join/" in page.split('id="invitation-link"')[1][:300]


def test_a_mail_rate_limit_on_start_keeps_the_team(client, default_criteria):
    with override_settings(ROLEFIT_RATE_MAIL="1/h"):
        first = start(client, company="Onecorp")
        second = start(client, company="Twocorp")
    assert len(django_mail.outbox) == 1
    assert models.Team.objects.filter(pk=second.pk).exists()
    assert (
        str(team_views.MAIL_FAILED_ON_START)[:40]
        in client.get(second.get_absolute_url()).content.decode()
    )
    assert first.pk != second.pk


def test_email_me_these_links_sends_organiser_and_invitation_links(client, default_criteria):
    team = start(client)
    page = client.get(team.get_absolute_url()).content.decode()
    assert f'action="/t/{team.organiser_token}/email/"' in page
    assert 'value="ann@example.com"' in page  # the organiser's address, to change at will
    django_mail.outbox.clear()
    response = client.post(f"/t/{team.organiser_token}/email/", {"email": "bo@example.com"})
    assert response.status_code == 302
    assert response["Location"] == team.get_absolute_url()
    (message,) = django_mail.outbox
    assert message.to == ["bo@example.com"]
    assert links_in(message, team) == {"organiser": True, "result": True, "invitation": True}
    assert "bo@example.com" in client.get(team.get_absolute_url()).content.decode()


@pytest.mark.parametrize("email", ["", "not-an-address", "a@example.com\nBcc: b@example.com"])
def test_a_bad_address_says_so_and_sends_nothing(client, default_criteria, email):
    team = start(client)
    django_mail.outbox.clear()
    response = client.post(f"/t/{team.organiser_token}/email/", {"email": email})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert django_mail.outbox == []


def test_email_me_these_links_failures_and_limits_are_clear(client, default_criteria):
    team = start(client)
    url = f"/t/{team.organiser_token}/email/"
    with mock.patch(BACKEND, side_effect=TimeoutError()):
        response = client.post(url, {"email": "bo@example.com"}, follow=True)
    assert "The email could not be sent" in response.content.decode()
    # Every attempt counts: the start's mail, the failed one, this one; the fourth is refused.
    with override_settings(ROLEFIT_RATE_MAIL="3/h"):
        assert client.post(url, {"email": "bo@example.com"}).status_code == 302
        response = client.post(url, {"email": "bo@example.com"})
    assert response.status_code == 429
    assert "Retry-After" in response


def test_email_me_these_links_is_a_post_with_csrf_on_the_organiser_token_only(
    client, default_criteria
):
    team = start(client)
    assert client.get(f"/t/{team.organiser_token}/email/").status_code == 405
    assert (
        client.post(f"/t/{team.invitation_token}/email/", {"email": "a@b.example"}).status_code
        == 404
    )
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(f"/t/{team.organiser_token}/email/", {"email": "a@b.example"}).status_code
        == 403
    )
