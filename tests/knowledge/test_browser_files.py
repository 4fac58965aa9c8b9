"""Ana attaches a guide to a public article from its page; Carla, on her phone, sees it
and downloads it; Mateo files categories on the admin page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from atiende.knowledge.models import ArticleAttachment, KnowledgeCategory
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.tickets_attachments.conftest import PDF

browser = browser_fixtures.browser
new_page = browser_fixtures.new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = browser_fixtures.screenshots(os.environ.get("KNOWLEDGE_SHOTS"))


def test_a_guide_attached_by_an_agent_reaches_a_requester_on_a_phone(
        new_page, library, agent_ana, requester_carla, tmp_path):
    article = library["it_public"]
    guide = tmp_path / "Guía de la impresora.pdf"
    guide.write_bytes(PDF)
    # given: Ana on her desktop attaches the guide
    ana = new_page(**DESKTOP)
    sign_in(ana, agent_ana)
    ana.goto(f"/knowledge/{article.pk}/")
    ana.locator("input[type=file][name=file]").set_input_files(str(guide))
    ana.locator(".kb-files button[type=submit]").last.click()
    expect(ana.locator(".kb-files")).to_contain_text("Guía de la impresora.pdf")
    _shot(ana, "article-staff-desktop")
    assert ArticleAttachment.objects.filter(article=article).count() == 1
    # when: Carla opens the article on her phone and downloads the guide
    carla = new_page(**PHONE)
    sign_in(carla, requester_carla)
    carla.goto(f"/knowledge/{article.pk}/")
    expect(carla.locator(".kb-files")).to_contain_text("Guía de la impresora.pdf")
    expect(carla.locator("input[type=file]")).to_have_count(0)
    _shot(carla, "article-requester-phone")
    with carla.expect_download() as download:
        carla.get_by_role("link", name="Guía de la impresora.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF


def test_the_admin_files_categories(new_page, admin, it):
    KnowledgeCategory.objects.create(department=it, name="Impresoras")
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        mateo = new_page(**size)
        sign_in(mateo, admin)
        mateo.goto("/manage/cafe-montana/knowledge/categories/")
        mateo.locator("input[name=name]").first.fill(f"Correo {name}")
        mateo.locator("form.card button[type=submit]").click()
        expect(mateo.locator(f"table input[value='Correo {name}']")).to_have_count(1)
        _shot(mateo, f"categories-{name}")
    assert KnowledgeCategory.objects.count() == 3
