"""The survey a requester gets when their ticket is resolved: the e-mail's signed
links, the page in the app, one answer per ticket, and every refusal writing nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from atiende.notifications.models import Notification
from atiende.satisfaction import links
from atiende.satisfaction.models import SatisfactionSettings, Survey
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, Status
from tests.notifications.conftest import to

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://atiende\.example/satisfaction/answer/[^/\s]+/\?score=(\d)")


def _text(message) -> str:
    return next(part.get_content() for part in message.walk()
                if part.get_content_type() == "text/plain")


def _rated_events(ticket) -> list[Event]:
    return list(Event.objects.filter(ticket=ticket, kind="satisfaction_rated"))


def _link_path(survey: Survey) -> str:
    return reverse("satisfaction:link", kwargs={"token": links.token_for(survey)})


def test_resolution_sends_one_survey_with_five_score_links(smtp, resolved, requester_carla,
                                                           team_redes, agent_ana):
    # then: one survey for Carla, with where the work was done
    survey = Survey.objects.get(ticket=resolved)
    assert (survey.requester, survey.team, survey.agent, survey.organization_id,
            survey.department_id) == (requester_carla, team_redes, agent_ana,
                                      resolved.organization_id, resolved.department_id)
    assert (survey.score, survey.answered_at) == (None, None)
    # and Carla's resolution e-mail carries the five score links, in her language
    resolution = [m for m in to(smtp, requester_carla.email) if "Resuelto" in m["Subject"]]
    assert len(resolution) == 1
    text = _text(resolution[0])
    assert "Califique de 1 (muy mal) a 5 (excelente)" in text
    assert [score for score in LINK.findall(text)] == ["1", "2", "3", "4", "5"]


def test_watchers_get_the_resolution_mail_without_survey_links(
        smtp, incident, requester_diego, agent_ana, resolve, deliver):
    # given: Diego watches Carla's ticket
    ticket_services.watcher_add(actor=agent_ana, ticket=incident, user=requester_diego)
    # when: it is resolved
    with deliver():
        resolve(incident)
        outbox.dispatch()
    # then: Diego hears of it, without Carla's survey
    mails = [m for m in to(smtp, requester_diego.email) if "Resuelto" in m["Subject"]]
    assert len(mails) == 1 and not LINK.search(_text(mails[0]))


def test_a_star_link_opens_the_page_with_the_score_chosen_and_records_nothing(
        client, survey):
    # when: Carla (not signed in) clicks the fourth star
    response = client.get(_link_path(survey) + "?score=4")
    # then: the confirmation page, four chosen, nothing recorded yet
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="radio" name="score" value="4"[^>]*checked', html)
    survey.refresh_from_db()
    assert survey.score is None and not _rated_events(survey.ticket)


def test_answering_through_the_link_records_once_and_tells_the_timeline(client, survey,
                                                                         requester_carla):
    # when: Carla confirms four stars with a comment
    response = client.post(_link_path(survey), {"score": "4", "comment": "Rápido y amable"})
    # then: recorded, thanked
    assert response.status_code == 200
    assert "Thank you for your answer" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_channel) == (4, "Rápido y amable",
                                                                       "email")
    # and the ticket's event log has the rating, by Carla, through e-mail
    [event] = _rated_events(survey.ticket)
    assert (event.actor, event.channel, event.new_value) == (
        requester_carla, "email", {"score": 4, "comment": "Rápido y amable", "low": False})


def test_a_survey_answered_twice_is_refused_and_nothing_changes(client, survey, web_client,
                                                                requester_carla):
    # given: answered once through the link (Carla reads English, as the anonymous client)
    requester_carla.language = "en"
    requester_carla.save()
    client.post(_link_path(survey), {"score": "5"})
    # when: the link is used again, opened and posted, and the app page is posted too
    opened = client.get(_link_path(survey) + "?score=1")
    posted = client.post(_link_path(survey), {"score": "1", "comment": "otra vez"})
    in_app = web_client(requester_carla).post(
        reverse("satisfaction:answer", args=[survey.ticket.number]), {"score": "1"})
    # then: 409 with a precise message, the first answer stays, one event
    for response in (opened, posted, in_app):
        assert response.status_code == 409
        assert "was already rated" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (5, "")
    assert len(_rated_events(survey.ticket)) == 1


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "x" + token,
    lambda token: "nada",
])
def test_a_forged_link_is_refused_and_nothing_written(client, survey, tamper):
    path = reverse("satisfaction:link", kwargs={"token": tamper(links.token_for(survey))})
    for response in (client.get(path), client.post(path, {"score": "5"})):
        assert response.status_code == 404
        assert "is not valid" in response.content.decode()
    survey.refresh_from_db()
    assert survey.score is None and not _rated_events(survey.ticket)


def test_a_link_signed_for_another_salt_is_refused(client, survey):
    from django.core import signing

    token = signing.dumps({"survey": survey.pk, "requester": survey.requester_id},
                          salt="atiende.other", compress=True)
    response = client.post(reverse("satisfaction:link", kwargs={"token": token}),
                           {"score": "5"})
    assert response.status_code == 404


def test_an_expired_link_is_refused_and_nothing_written(client, survey):
    # given: a link written 31 days ago
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=31), tick=False):
        path = _link_path(survey)
    # when: it is used now
    response = client.post(path, {"score": "5"})
    # then: 410 saying so, nothing written
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    survey.refresh_from_db()
    assert survey.score is None and not _rated_events(survey.ticket)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"score": "0"}, "score", "Choose a score from 1 to 5."),
    ({"score": "6"}, "score", "Choose a score from 1 to 5."),
    ({"score": "x"}, "score", "Choose a score from 1 to 5."),
    ({"score": "-1"}, "score", "Choose a score from 1 to 5."),
    ({}, "score", "Choose a score from 1 to 5."),
    ({"score": "3", "comment": "a" * 2001}, "comment", "Use at most 2000 characters."),
    ({"score": "3", "comment": "hola\x00"}, "comment", "Null characters are not allowed."),
])
def test_bad_answers_are_refused_precisely_and_nothing_written(client, survey, data, field,
                                                               message):
    response = client.post(_link_path(survey), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    survey.refresh_from_db()
    assert survey.score is None and not _rated_events(survey.ticket)


def test_hostile_comment_is_shown_as_text(web_client, survey, requester_carla):
    page = reverse("satisfaction:answer", args=[survey.ticket.number])
    web_client(requester_carla).post(page, {"score": "3",
                                            "comment": "<script>alert(1)</script>"})
    html = web_client(requester_carla).get(page).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_requester_answers_in_the_app(web_client, survey, requester_carla):
    page = reverse("satisfaction:answer", args=[survey.ticket.number])
    client = web_client(requester_carla)
    # when: Carla opens her survey and answers
    assert client.get(page).status_code == 200
    response = client.post(page, {"score": "5", "comment": "Excelente"})
    # then: back to the page, which now shows her answer
    assert response.status_code == 302 and response["Location"] == page
    shown = client.get(page)
    assert shown.status_code == 200 and "5/5" in shown.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.answered_channel) == (5, "web")


@pytest.mark.parametrize("who", ["anonymous", "requester_diego", "requester_other_org",
                                 "agent_ana", "agent_other_org", "admin"])
def test_another_persons_survey_is_not_found(web_client, survey, who, request):
    page = reverse("satisfaction:answer", args=[survey.ticket.number])
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = web_client(user)
    got, posted = client.get(page), client.post(page, {"score": "1"})
    if user is None:
        assert got.status_code == posted.status_code == 302  # to sign in
    else:
        assert got.status_code == posted.status_code == 404
    survey.refresh_from_db()
    assert survey.score is None and not _rated_events(survey.ticket)


def test_a_ticket_without_survey_is_not_found(web_client, incident, requester_carla):
    page = reverse("satisfaction:answer", args=[incident.number])
    assert web_client(requester_carla).get(page).status_code == 404


def test_a_low_score_alerts_the_team_lead_in_the_app_and_by_mail(
        smtp, client, survey, deliver, lead_lucia, agent_ana, web_client):
    # when: Carla gives two stars
    with deliver():
        client.post(_link_path(survey), {"score": "2", "comment": "Tardaron tres días"})
    # then: Lucía, lead of Redes, is told in the app and by e-mail; Ana is not
    alerts = Notification.objects.filter(kind="low_satisfaction")
    assert sorted((n.recipient.email, n.channel) for n in alerts) == [
        (lead_lucia.email, "email"), (lead_lucia.email, "in_app")]
    [mail] = to(smtp, lead_lucia.email)
    assert "Calificación baja (2/5)" in str(mail["Subject"])
    text = _text(mail)
    assert "Carla Rueda calificó con 2 de 5" in text and "Tardaron tres días" in text
    # and the ticket's timeline shows it to staff
    agent_ana.language = "en"
    agent_ana.save()
    html = web_client(agent_ana).get(f"/tickets/{survey.ticket.number}/").content.decode()
    assert "rated the service 2 out of 5: “Tardaron tres días”" in html


def test_a_good_score_alerts_nobody(client, survey, deliver):
    with deliver():
        client.post(_link_path(survey), {"score": "3"})
    assert not Notification.objects.filter(kind="low_satisfaction").exists()


def test_the_team_lead_of_the_team_record_is_alerted(client, survey, deliver, team_redes,
                                                    agent_nico):
    # given: Nico is the lead named on the team (without the team lead role)
    team_redes.lead = agent_nico
    team_redes.save()
    with deliver():
        client.post(_link_path(survey), {"score": "1"})
    assert set(Notification.objects.filter(kind="low_satisfaction")
               .values_list("recipient__email", flat=True)) == {
        agent_nico.email, "lucia@cafemontana.example"}


def test_an_organization_may_count_three_as_low(client, survey, deliver, org_cafe):
    SatisfactionSettings.objects.create(organization=org_cafe, low_score=3)
    with deliver():
        client.post(_link_path(survey), {"score": "3"})
    assert Notification.objects.filter(kind="low_satisfaction").exists()


def test_the_requesters_timeline_does_not_show_the_rating(client, survey, web_client,
                                                          requester_carla):
    requester_carla.language = "en"
    requester_carla.save()
    client.post(_link_path(survey), {"score": "1", "comment": "Muy lento"})
    html = web_client(requester_carla).get(f"/tickets/{survey.ticket.number}/")
    assert "rated the service" not in html.content.decode()


def _reopened_and_resolved_again(survey, resolve, deliver, requester) -> None:
    """The requester reopens the survey's ticket and Ana resolves it again."""
    with deliver():
        ticket = ticket_services.ticket_transition(
            actor=requester, ticket=survey.ticket, to_status=Status.IN_PROGRESS,
            version=survey.ticket.version)
        resolve(ticket)
        outbox.dispatch()


def test_resolved_again_an_unanswered_survey_is_sent_again(survey, resolve, deliver,
                                                          agent_ana, requester_carla):
    first_event = survey.resolution_event_id
    # when: Carla reopens, and Ana resolves again
    _reopened_and_resolved_again(survey, resolve, deliver, requester_carla)
    # then: still one survey, now for the latest resolution
    [again] = Survey.objects.filter(ticket=survey.ticket)
    assert again.pk == survey.pk and again.resolution_event_id > first_event
    assert again.score is None


def test_resolved_again_an_answered_survey_stays(client, survey, resolve, deliver,
                                                 requester_carla):
    client.post(_link_path(survey), {"score": "4"})
    _reopened_and_resolved_again(survey, resolve, deliver, requester_carla)
    [kept] = Survey.objects.filter(ticket=survey.ticket)
    assert (kept.resolution_event_id, kept.score) == (survey.resolution_event_id, 4)


def test_a_second_delivery_of_the_resolution_changes_nothing(survey):
    from atiende.satisfaction.services import survey_send

    event = Event.objects.get(pk=survey.resolution_event_id)
    assert survey_send(event=event).sent_at == survey.sent_at
    assert Survey.objects.count() == 1


def test_the_portal_page_of_a_resolved_request_invites_its_requester_to_rate_it_once(
        survey, requester_carla, requester_diego, web_client):
    from atiende.satisfaction import services

    path = f"/portal/requests/{survey.ticket.number}/"
    rate = f'href="/satisfaction/tickets/{survey.ticket.number}/"'

    waiting = web_client(requester_carla).get(path).content.decode()
    services.survey_answer(actor=requester_carla, survey=survey, score=4)
    answered = web_client(requester_carla).get(path).content.decode()

    assert rate in waiting
    assert rate not in answered
