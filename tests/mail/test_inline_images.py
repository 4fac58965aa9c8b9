"""Images an e-mail's HTML shows by Content-ID: kept as the ticket's attachments and
shown in place on the ticket's page, through the attachment's permission-checked
address; no other `cid:` reference reaches the page."""

from __future__ import annotations

import pytest

from atiende.mail.inline import render_with_inline_images
from atiende.mail.models import InlineImage
from atiende.tickets.models import Attachment
from tests.mail.conftest import deliver
from tests.web.support import page

pytestmark = pytest.mark.django_db

CAPTURA = "ii_captura01@cafemontana.example"


@pytest.fixture
def with_image(world):
    """Carla's ticket from inline-image-cid.eml: an HTML message with a PNG by cid."""
    ticket = deliver(world, "inline-image-cid.eml").ticket
    return ticket


def _description_images(response) -> list[dict]:
    [description] = page(response).find_all("article", cls="ticket-description")
    return [node.attrs for node in description.find_all("img")]


def test_the_parser_keeps_the_inline_image_as_an_attachment_with_its_content_id(with_image):
    # then
    attachment = Attachment.objects.get(ticket=with_image)
    assert (attachment.file_name, attachment.content_type) == ("captura.png", "image/png")
    assert InlineImage.objects.get(ticket=with_image).attachment == attachment
    assert InlineImage.objects.get(ticket=with_image).content_id == CAPTURA
    assert f"cid:{CAPTURA}" in with_image.description  # the message as it said it


def test_the_ticket_page_shows_the_image_through_its_attachment_address(
        world, with_image, web_client):
    # given
    attachment = Attachment.objects.get(ticket=with_image)
    address = f"/tickets/{with_image.number}/attachments/{attachment.pk}/"

    # when
    response = web_client(world.ana).get(f"/tickets/{with_image.number}/")

    # then
    assert _description_images(response) == [
        {"src": address, "alt": "captura.png", "width": "300"}]
    assert "cid:" not in response.content.decode()
    image = web_client(world.ana).get(address)
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")


@pytest.mark.parametrize("actor", ["agent_other_org", "requester_other_org",
                                   "agent_bruno_other_department"])
def test_the_image_answers_only_to_who_may_see_the_ticket(world, with_image, actors,
                                                          web_client, actor):
    attachment = Attachment.objects.get(ticket=with_image)

    response = web_client(actors[actor]).get(
        f"/tickets/{with_image.number}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_the_requester_sees_the_image_on_her_ticket(world, with_image, web_client):
    response = web_client(world.carla).get(f"/tickets/{with_image.number}/")

    [image] = _description_images(response)
    assert image["src"].startswith(f"/tickets/{with_image.number}/attachments/")


def test_a_cid_that_names_no_attachment_of_the_ticket_is_dropped(world, with_image,
                                                                  incident):
    # given: text naming this ticket's image, another ticket's, and a cid: link
    html = (f'<p><img src="cid:{CAPTURA}" alt="a"><img src="CID:otra@x" alt="b">'
            f'<a href="cid:{CAPTURA}">enlace</a><img src="https://example.com/x.png"></p>')

    # when
    on_its_ticket = render_with_inline_images(html, with_image)
    on_another = render_with_inline_images(html, incident)

    # then
    attachment = Attachment.objects.get(ticket=with_image)
    assert on_its_ticket == (
        f'<p><img src="/tickets/{with_image.number}/attachments/{attachment.pk}/" alt="a">'
        '<img alt="b"><a rel="noopener noreferrer nofollow">enlace</a>'
        '<img src="https://example.com/x.png"></p>')
    assert "cid:" not in on_another.lower() and "/attachments/" not in on_another


def test_hostile_markup_around_an_inline_image_is_still_removed(with_image):
    html = (f'<img src="cid:{CAPTURA}" onerror="alert(1)"><script>alert(2)</script>'
            f'<img src="javascript:alert(3)">')

    rendered = render_with_inline_images(html, with_image)

    assert "alert" not in rendered and "javascript" not in rendered
    assert rendered.startswith(f'<img src="/tickets/{with_image.number}/attachments/')


def test_a_file_apple_mail_shows_inline_without_a_content_id_is_a_plain_attachment(world):
    ticket = deliver(world, "apple-mail-mixed-inline.eml").ticket

    assert not InlineImage.objects.filter(ticket=ticket).exists()
    assert [a.file_name for a in Attachment.objects.filter(ticket=ticket)] == ["plano.pdf"]


def test_the_inline_sources_are_read_once_per_ticket(world, with_image,
                                                     django_assert_num_queries):
    html = f'<img src="cid:{CAPTURA}">'
    with django_assert_num_queries(1):
        for _ in range(5):
            render_with_inline_images(html, with_image)


def test_each_of_outlooks_inline_images_shows_in_its_place(world, web_client):
    # given: Outlook's HTML with two images by Content-ID
    ticket = deliver(world, "outlook-html-two-inline-images.eml").ticket
    files = dict(Attachment.objects.filter(ticket=ticket).values_list("file_name", "pk"))

    # when
    response = web_client(world.carla).get(f"/tickets/{ticket.number}/")

    # then
    base = f"/tickets/{ticket.number}/attachments"
    assert [(image["src"], image["alt"]) for image in _description_images(response)] == [
        (f"{base}/{files['image001.png']}/", "error del lector"),
        (f"{base}/{files['image002.png']}/", "pantalla")]
