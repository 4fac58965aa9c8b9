"""The requester's survey through the API: read, answer once, bad input refused."""

from __future__ import annotations

import pytest

from atiende.tickets.models import Event

pytestmark = pytest.mark.django_db


def _path(survey, answer: bool = False) -> str:
    return f"/api/v1/satisfaction/surveys/{survey.ticket.number}" + ("/answer" if answer
                                                                     else "")


def test_the_requester_reads_and_answers_their_survey(api_client, survey, requester_carla):
    client = api_client(requester_carla)
    assert client.get(_path(survey)).json()["answered"] is False
    response = client.post(_path(survey, True), {"score": 4, "comment": "Bien"},
                           content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["score"], response.json()["answered"]) == (4, True)
    event = Event.objects.get(ticket=survey.ticket, kind="satisfaction_rated")
    assert (event.channel, event.new_value["score"]) == ("api", 4)


def test_a_second_answer_is_a_conflict(api_client, survey, requester_carla):
    client = api_client(requester_carla)
    client.post(_path(survey, True), {"score": 4}, content_type="application/json")
    response = client.post(_path(survey, True), {"score": 1}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "survey_already_answered"
    survey.refresh_from_db()
    assert survey.score == 4


@pytest.mark.parametrize(("body", "field"), [
    ({"score": 0}, "score"), ({"score": 6}, "score"), ({"score": "x"}, "score"),
    ({"score": True}, "score"), ({"score": 3.5}, "score"), ({"score": None}, "score"),
    ({"score": 3, "comment": "a" * 2001}, "comment"),
    ({"score": 3, "extra": 1}, "extra"),
])
def test_bad_answers_are_refused_and_nothing_written(api_client, survey, requester_carla,
                                                     body, field):
    response = api_client(requester_carla).post(_path(survey, True), body,
                                                content_type="application/json")
    assert response.status_code == 422
    assert field in response.content.decode()
    survey.refresh_from_db()
    assert survey.score is None
    assert not Event.objects.filter(ticket=survey.ticket, kind="satisfaction_rated").exists()


@pytest.mark.parametrize("who", ["requester_diego", "requester_other_org", "agent_ana",
                                 "admin", "provider_admin"])
def test_another_persons_survey_is_not_found(api_client, survey, who, request):
    client = api_client(request.getfixturevalue(who))
    assert client.get(_path(survey)).status_code == 404
    response = client.post(_path(survey, True), {"score": 5},
                           content_type="application/json")
    assert response.status_code == 404
    survey.refresh_from_db()
    assert survey.score is None
