"""The organization admin pages of SLA policies: who reaches them, and a policy made
and changed through them."""

from __future__ import annotations

import pytest

from atiende.sla.models import SlaPolicy, SlaTarget

ROLES = ("anonymous", "requester_carla", "agent_ana", "agent_other_org", "admin_other_org",
         "admin", "provider_admin")


@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("requester_carla", 404), ("agent_ana", 404), ("agent_other_org", 404),
    ("admin_other_org", 404), ("admin", 200), ("provider_admin", 200)])
@pytest.mark.parametrize("page", ["list", "new", "detail"])
def test_who_reaches_the_pages(role, expected, page, actors, web_client, org_cafe,
                               cafe_policy):
    url = {"list": f"/manage/{org_cafe.slug}/sla/", "new": f"/manage/{org_cafe.slug}/sla/new/",
           "detail": f"/manage/{org_cafe.slug}/sla/{cafe_policy.pk}/"}[page]
    assert web_client(actors[role]).get(url).status_code == expected


def test_a_policy_of_another_organization_is_not_found(web_client, admin, org_cafe,
                                                       provider_admin, other_policy):
    url = f"/manage/{org_cafe.slug}/sla/{other_policy.pk}/"
    assert web_client(admin).get(url).status_code == 404
    assert web_client(provider_admin).get(url).status_code == 404


def form_data(calendar, **extra) -> dict:
    data = {"name": "Incidentes", "calendar": str(calendar.pk), "kind": "incident",
            "pause_reasons": ["awaiting_requester"], "warning_percentages": "80",
            "is_active": "on", "p1_first_response_minutes": "15",
            "p1_resolution_minutes": "120"}
    data.update(extra)
    return data


def test_an_admin_creates_a_policy_and_the_list_shows_it(web_client, admin, org_cafe,
                                                         cafe_calendar):
    client = web_client(admin)
    # when
    response = client.post(f"/manage/{org_cafe.slug}/sla/new/", form_data(cafe_calendar))
    # then
    policy = SlaPolicy.objects.get()
    assert response.status_code == 302
    assert (policy.kind, policy.warning_percentages, policy.calendar_id) == (
        "incident", [80], cafe_calendar.pk)
    assert list(policy.targets.values_list("priority", "first_response_minutes",
                                           "resolution_minutes")) == [(1, 15, 120)]
    page = client.get(f"/manage/{org_cafe.slug}/sla/").content.decode()
    assert "Incidentes" in page


def test_a_zero_target_is_shown_on_the_form_and_nothing_is_saved(web_client, admin, org_cafe,
                                                                 cafe_policy):
    # when
    response = web_client(admin).post(
        f"/manage/{org_cafe.slug}/sla/{cafe_policy.pk}/",
        form_data(cafe_policy.calendar, name="Estándar", kind="", p1_resolution_minutes="0"))
    # then
    assert response.status_code == 200
    assert "P1, " in response.content.decode()
    assert SlaTarget.objects.filter(policy=cafe_policy).count() == 5
