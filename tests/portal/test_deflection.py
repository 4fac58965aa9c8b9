"""Deflection: a suggested answer opened from the report form that spared a ticket,
counted per article."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from atiende.portal import selectors
from atiende.portal.models import Deflection

pytestmark = pytest.mark.django_db


def test_opened_then_left_counts_once_the_window_passes(web_client, requester_carla,
                                                         printer_answer):
    # given
    client = web_client(requester_carla)
    # when: opened twice from the form, no report
    assert client.get(f"/portal/answers/{printer_answer.pk}/?from=report").status_code == 200
    assert client.get(f"/portal/answers/{printer_answer.pk}/?from=report").status_code == 200
    # then
    assert Deflection.objects.count() == 1
    assert selectors.deflection_counts([printer_answer.pk]) == {}
    later = timezone.now() + dt.timedelta(minutes=31)
    assert selectors.deflection_counts([printer_answer.pk], now=later) == {printer_answer.pk: 1}


def test_opened_then_reported_does_not_count(web_client, requester_carla, printer_answer, it):
    # given
    client = web_client(requester_carla)
    client.get(f"/portal/answers/{printer_answer.pk}/?from=report")
    # when
    response = client.post("/portal/report/", {"department": str(it.pk),
                                                "title": "La impresora sigue sin imprimir"})
    # then
    assert response.status_code == 302
    later = timezone.now() + dt.timedelta(hours=2)
    assert selectors.deflection_counts([printer_answer.pk], now=later) == {}
    assert Deflection.objects.get().reported_at is not None


def test_this_solved_my_problem_counts_at_once(web_client, requester_carla, printer_answer):
    # given
    client = web_client(requester_carla)
    client.get(f"/portal/answers/{printer_answer.pk}/?from=report")
    # when
    response = client.post(f"/portal/answers/{printer_answer.pk}/solved/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert selectors.deflection_counts([printer_answer.pk]) == {printer_answer.pk: 1}


def test_a_report_long_after_the_opening_leaves_the_deflection(web_client, requester_carla,
                                                               printer_answer, it):
    client = web_client(requester_carla)
    client.get(f"/portal/answers/{printer_answer.pk}/?from=report")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        client.post("/portal/report/", {"department": str(it.pk), "title": "Otra cosa"})
        assert selectors.deflection_counts([printer_answer.pk]) == {printer_answer.pk: 1}


def test_opening_an_answer_another_way_counts_nothing(web_client, requester_carla,
                                                      printer_answer):
    web_client(requester_carla).get(f"/portal/answers/{printer_answer.pk}/")
    assert not Deflection.objects.exists()


def test_staff_reading_from_the_form_are_not_requesters(web_client, agent_ana, printer_answer):
    # agent Ana's home organization is the provider: she has no portal of her own
    web_client(agent_ana).get(f"/portal/answers/{printer_answer.pk}/?from=report")
    assert not Deflection.objects.exists()


def test_the_admin_page_lists_the_answers_that_spared_tickets(web_client, requester_carla,
                                                             admin, org_cafe, printer_answer):
    # given
    web_client(requester_carla).post(f"/portal/answers/{printer_answer.pk}/solved/")
    # when
    html = web_client(admin).get(f"/manage/{org_cafe.slug}/portal/").content.decode()
    # then
    assert f'href="/knowledge/{printer_answer.pk}/">La impresora no imprime</a></td><td>1<' in html
