"""The organization admin's satisfaction settings at /manage/<org>/satisfaction/."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.satisfaction.models import SatisfactionSettings, low_score_of

pytestmark = pytest.mark.django_db
PAGE = "/manage/cafe-montana/satisfaction/"


def test_the_admin_sets_the_low_score(web_client, admin, org_cafe):
    client = web_client(admin)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"low_score": "3"})
    assert response.status_code == 302
    assert low_score_of(org_cafe.pk) == 3
    assert AuditEvent.objects.filter(action="satisfaction_settings.saved").count() == 1


@pytest.mark.parametrize("value", ["0", "5", "x", ""])
def test_a_bad_low_score_is_refused(web_client, admin, org_cafe, value):
    response = web_client(admin).post(PAGE, {"low_score": value})
    assert response.status_code == 422
    assert not SatisfactionSettings.objects.exists()


@pytest.mark.parametrize("who", ["admin_other_org", "agent_ana", "lead_lucia",
                                 "requester_carla"])
def test_only_the_organizations_admins_reach_it(web_client, who, request, org_cafe):
    client = web_client(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"low_score": "4"}).status_code == 404
    assert not SatisfactionSettings.objects.exists()
