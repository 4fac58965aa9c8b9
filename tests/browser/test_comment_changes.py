"""An agent corrects her reply in place, then deletes it; Carla, following the ticket on
her phone, sees the correction and then only that the reply was deleted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atiende.tickets import services
from atiende.tickets.models import Comment, Event
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.test_ticket_workspace import LIVE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_edits_then_deletes_her_reply(new_page, incident, agent_ana, requester_carla):
    # given: Ana's reply, Carla has the ticket open on her phone
    reply = services.comment_add(actor=agent_ana, ticket=incident,
                                 body="<p>Carla, reinicia la impresora.</p>")
    carla = new_page(**PHONE)
    sign_in(carla, requester_carla)
    carla.goto(f"/tickets/{incident.number}/")
    expect(carla.locator(f"#comment-{reply.pk} .rich")).to_have_text(
        "Carla, reinicia la impresora.")
    ana = new_page(**DESKTOP)
    sign_in(ana, agent_ana)
    ana.goto(f"/tickets/{incident.number}/")
    comment = ana.locator(f"#comment-{reply.pk}")

    # when: she opens the editor in place, corrects the text and saves
    comment.locator("[data-comment-edit]").click()
    box = comment.locator("textarea[name=body]")
    expect(box).to_have_value("Carla, reinicia la impresora.")
    assert ana.evaluate("window.location.pathname") == f"/tickets/{incident.number}/"
    box.fill("Carla, apaga la impresora 30 segundos y vuelve a encenderla.")
    comment.locator(".comment-editor button[type=submit]").click()

    # then: the new text, marked as edited, and the earlier one for agents
    expect(comment.locator(".rich").first).to_have_text(
        "Carla, apaga la impresora 30 segundos y vuelve a encenderla.")
    expect(comment.locator(".comment-edited")).to_contain_text("Ana Gómez")
    comment.locator(".comment-history summary").click()
    expect(comment.locator(".comment-old")).to_have_text(["Carla, reinicia la impresora."])
    # and Carla's page brings the correction, without the earlier text
    expect(carla.locator(f"#comment-{reply.pk} .rich")).to_have_text(
        "Carla, apaga la impresora 30 segundos y vuelve a encenderla.", timeout=LIVE)
    expect(carla.locator(f"#comment-{reply.pk} .comment-history")).to_have_count(0)

    # when: she deletes it, confirming
    comment.locator("[data-comment-delete]").click()
    comment.locator(".comment-delete button[type=submit]").click()

    # then: a placeholder says who deleted it
    expect(comment.locator(".comment-placeholder")).to_contain_text("Ana Gómez")
    expect(comment.locator("[data-comment-edit]")).to_have_count(0)
    assert [event.kind for event in Event.objects.filter(comment=reply).order_by("pk")] == [
        "commented", "comment_edited", "comment_deleted"]
    assert Comment.objects.get(pk=reply.pk).deleted_at is not None
    # and Carla's open page drops the text for the placeholder
    expect(carla.locator(f"#comment-{reply.pk} .comment-placeholder")).to_contain_text(
        "Ana Gómez", timeout=LIVE)
    expect(carla.locator(f"#comment-{reply.pk} .rich")).to_have_count(0)
