"""Carla rates her resolved ticket on her phone from the e-mail's star link; Mateo, the
organization admin, reads the results on a desktop and on a phone."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from atiende.satisfaction import links
from atiende.satisfaction.models import Survey
from atiende.tickets import services
from atiende.tickets.models import ResolutionCode, Status
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import DESKTOP, PHONE, sign_in

browser = browser_fixtures.browser
new_page = browser_fixtures.new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = browser_fixtures.screenshots(os.environ.get("SATISFACTION_SHOTS"))


@pytest.fixture
def survey(incident, agent_ana, team_redes, lead_lucia) -> Survey:
    ticket = services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                    assignee=agent_ana, version=incident.version)
    services.ticket_transition(actor=agent_ana, ticket=ticket, to_status=Status.RESOLVED,
                               version=ticket.version, resolution_code=ResolutionCode.FIXED,
                               resolution_notes="<p>Cambiamos el tóner.</p>")
    return Survey.objects.get(ticket=incident)


def test_the_requester_rates_from_the_mail_link_on_a_phone(new_page, survey, admin):
    # given: Carla taps the second star in her e-mail, on her phone, not signed in
    carla = new_page(**PHONE)
    path = reverse("satisfaction:link", kwargs={"token": links.token_for(survey)})
    carla.goto(f"{path}?score=2")
    # then: the page opens with two chosen
    expect(carla.locator("input[name=score][value='2']")).to_be_checked()
    carla.locator("textarea[name=comment]").fill("Tardaron tres días en venir")
    _shot(carla, "answer-phone")
    # when: she sends it
    carla.get_by_role("button").last.click()
    # then: thanked, and the answer is recorded
    expect(carla.locator(".survey-thanks")).to_be_visible()
    _shot(carla, "thanks-phone")
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (2, "Tardaron tres días en venir")
    # and Mateo reads it in the results, on a desktop and on a phone
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        mateo = new_page(**size)
        sign_in(mateo, admin)
        mateo.goto("/satisfaction/results/?group_by=team")
        expect(mateo.locator("table.results-table")).to_contain_text("Redes")
        expect(mateo.locator(".survey-comments")).to_contain_text("Tardaron tres días")
        _shot(mateo, f"results-{name}")
