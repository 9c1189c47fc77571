"""The site-wide brand (docs/product.md §9): admin, logo checks, serving, header, report and PDF."""

import io
import re
import struct
import zlib

import pypdf
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from advisor import branding, groups, models, report_parts, services
from tests import examples

pytestmark = pytest.mark.django_db

CHANGE_FORM = {
    "organisation_name": "Northwind Advisory",
    "accent_colour": "#AA3377",
    "contact_line": "Northwind Advisory · +44 20 7946 0000 · hello@northwind.example",
}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (170, 51, 119)).save(buffer, fmt)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb's shape)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x</script></svg>'


@pytest.fixture
def hr_client(client, django_user_model):
    user = django_user_model.objects.create_user("hannah", is_staff=True)
    user.groups.add(Group.objects.get(name=groups.HR_ADMINS))
    client.force_login(user)
    return client


def save_brand(client, logo: bytes | None = None, name: str = "logo.png", **fields):
    """Post the admin's add or change form; the response."""
    data = {**CHANGE_FORM, **fields}
    if logo is not None:
        data["logo_upload"] = SimpleUploadedFile(name, logo)
    row = models.Branding.objects.first()
    url = (
        reverse("admin:advisor_branding_change", args=[row.pk])
        if row
        else reverse("admin:advisor_branding_add")
    )
    return client.post(url, data)


# ---------------------------------------------------------------------------------------------
# Defaults and the admin


def test_defaults_are_rolefit_without_a_logo(client, default_criteria):
    brand = branding.brand_current()
    assert (brand.organisation_name, brand.logo_url, brand.contact_line) == ("RoleFit", "", "")
    page = client.get("/").content.decode()
    assert ">RoleFit</a>" in page and "site-brand-logo" not in page


@pytest.mark.parametrize("who", ["hr", "superuser"])
def test_hr_admins_and_superusers_edit_the_brand_with_history(client, hr_client, super_user, who):
    if who == "superuser":
        client.force_login(super_user)
    else:
        client = hr_client
    response = save_brand(client, logo=image_bytes())
    assert response.status_code == 302, response.content.decode()[:2000]
    row = models.Branding.objects.get()
    assert row.organisation_name == "Northwind Advisory"
    assert row.accent_colour == "#aa3377"  # stored lowercase
    assert bytes(row.logo) == image_bytes() and row.logo_content_type == "image/png"
    # One record: no second one to add, none to delete.
    assert client.get(reverse("admin:advisor_branding_add")).status_code == 403
    assert client.post(reverse("admin:advisor_branding_delete", args=[row.pk])).status_code == 403
    response = save_brand(client, organisation_name="Northwind Partners")
    assert response.status_code == 302
    history = row.history.order_by("history_date")
    assert [h.organisation_name for h in history] == ["Northwind Advisory", "Northwind Partners"]
    assert history.last().logo_digest == row.logo_digest  # the logo survives a text edit
    assert client.get(reverse("admin:advisor_branding_history", args=[row.pk])).status_code == 200


def test_consultants_cannot_edit_the_brand(client, django_user_model):
    user = django_user_model.objects.create_user("colin", is_staff=True)
    user.groups.add(Group.objects.get(name=groups.CONSULTANTS))
    client.force_login(user)
    assert client.get(reverse("admin:advisor_branding_add")).status_code == 403


@pytest.mark.parametrize(
    ("logo", "name", "message"),
    [
        (b"not an image at all", "logo.png", "this file is not one"),
        (SVG, "logo.svg", "this file is not one"),
        (image_bytes("GIF"), "logo.gif", "(this one is GIF)"),
        (image_bytes("PNG", (2001, 10)), "wide.png", "(this one is 2001 × 10)"),
        (png_claiming(15_000, 5), "wide.png", "(this one is 15000 × 5)"),
        (png_claiming(100_000, 100_000), "bomb.png", "(this one claims far more)"),
        (image_bytes("PNG")[:60], "cut.png", "this file is not one"),
        (b"\x89PNG" + b"\0" * (models.LOGO_MAX_BYTES + 1), "big.png", "at most 500 kB"),
    ],
    ids=["text", "svg", "gif", "wide", "claims-wide", "bomb", "truncated", "too-large"],
)
def test_bad_logos_are_refused_with_a_clear_message_and_nothing_stored(
    hr_client, logo, name, message
):
    response = save_brand(hr_client, logo=logo, name=name)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&times;", "×")
    assert not models.Branding.objects.exists()


@pytest.mark.parametrize("colour", ["red", "#abc", "#12345g", "aa3377", "#aa33777", ""])
def test_a_colour_that_is_not_rrggbb_is_refused(hr_client, colour):
    response = save_brand(hr_client, accent_colour=colour)
    assert response.status_code == 200
    assert not models.Branding.objects.exists()


def test_the_database_refuses_a_bad_colour_too():
    with pytest.raises(ValidationError):
        models.Branding(accent_colour="red").full_clean()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_logo_check_accepts_png_and_jpeg_at_the_limits(fmt):
    assert branding.logo_check(image_bytes(fmt, (2000, 2000))) == models.LOGO_CONTENT_TYPES[fmt]


def test_a_logo_can_be_removed(hr_client):
    save_brand(hr_client, logo=image_bytes())
    assert save_brand(hr_client, logo_remove="on").status_code == 302
    row = models.Branding.objects.get()
    assert row.logo is None and row.logo_digest == "" and branding.brand_current().logo_url == ""


# ---------------------------------------------------------------------------------------------
# Serving: URLs that change with the content, cached long


def test_logo_url_changes_with_the_logo_and_is_cached_long(client, hr_client):
    save_brand(hr_client, logo=image_bytes())
    first = branding.brand_current().logo_url
    response = client.get(first)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == image_bytes()
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"

    save_brand(hr_client, logo=image_bytes("JPEG"))
    second = branding.brand_current().logo_url
    assert second != first and second.endswith(".jpg")
    assert client.get(second)["Content-Type"] == "image/jpeg"
    assert client.get(first).status_code == 404  # the old logo is gone


def test_brand_stylesheet_carries_the_accent_colour(client, hr_client):
    save_brand(hr_client)
    brand = branding.brand_current()
    response = client.get(brand.stylesheet_url)
    assert response["Content-Type"].startswith("text/css")
    assert "--rolefit-accent: #aa3377;" in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_another_instance_sees_an_edit_when_its_copy_runs_out(monkeypatch):
    models.Branding.objects.create(organisation_name="Before")
    assert branding.brand_current().organisation_name == "Before"
    # Another instance saves (no signal here): this one keeps its copy for CACHE_SECONDS.
    models.Branding.objects.update(organisation_name="After")
    assert branding.brand_current().organisation_name == "Before"
    clock = branding.time.monotonic() + branding.CACHE_SECONDS + 1
    monkeypatch.setattr(branding.time, "monotonic", lambda: clock)
    assert branding.brand_current().organisation_name == "After"


# ---------------------------------------------------------------------------------------------
# Where the brand shows: header, report, PDF


@pytest.fixture
def branded_report(hr_client, default_criteria):
    save_brand(hr_client, logo=image_bytes())
    assessment = services.assessment_create(company="Acme", answers=examples.STANDARD_REPORT)
    return services.assessment_notes_update(
        assessment=assessment, consultant_notes="A note.", prepared_for="", prepared_by="Carl"
    )


def test_site_header_shows_the_brand(client, branded_report):
    page = client.get("/").content.decode()
    brand = branding.brand_current()
    assert f'<img class="site-brand-logo" src="{brand.logo_url}"' in page
    assert "Northwind Advisory</a>" in page
    assert f'href="{brand.stylesheet_url}"' in page


def test_report_shows_the_brand_and_the_contact_line(client, branded_report):
    url = reverse("advisor:report", kwargs={"token": branded_report.token})
    page = client.get(url).content.decode()
    summary = page[page.index('class="report-brand"') : page.index("Recommendation")]
    assert f'src="{branding.brand_current().logo_url}"' in summary
    assert 'alt="Northwind Advisory"' in summary
    assert "hello@northwind.example" in summary
    assert 'data-footer="Northwind Advisory · Acme"' in page


def test_pdf_embeds_the_logo_and_names_the_brand(client, branded_report):
    url = reverse("advisor:report_pdf", kwargs={"token": branded_report.token})
    response = client.get(url)
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    first = reader.pages[0]
    images = first.images
    assert len(images) == 1 and images[0].image.size == (120, 40)
    text = re.sub(r"\s+", " ", first.extract_text())
    assert "hello@northwind.example" in text
    assert "Northwind Advisory · Acme 1 /" in text


def test_pdf_embeds_the_logo_as_a_data_url(branded_report):
    context = report_parts.report_context(branded_report, brand=branding.brand_current(), pdf=True)
    assert context["report_logo_src"].startswith("data:image/png;base64,")
    assert report_parts.report_context(branded_report, brand=branding.brand_current())[
        "report_logo_src"
    ].startswith("/brand/logo-")


def test_report_query_count_with_a_brand(branded_report, django_assert_max_num_queries):
    client = Client()  # the link holder, not the HR admin who set the brand
    url = reverse("advisor:report", kwargs={"token": branded_report.token})
    client.get(url)  # the brand is read once per CACHE_SECONDS
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200
