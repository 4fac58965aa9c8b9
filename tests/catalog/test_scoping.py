"""Who sees which catalog items: the matrix over the cast."""

from __future__ import annotations

import pytest

from atiende.catalog import selectors
from atiende.errors import NotFound

VISIBLE = {
    "anonymous": set(),
    "requester_carla": {"laptop", "certificate", "shared_cafe"},
    "requester_other_org": {"other_vpn"},
    "agent_ana": {"laptop", "retired"},
    "agent_bruno_other_department": {"certificate"},
    "agent_other_org": {"other_vpn"},
    "admin": {"laptop", "certificate", "retired", "shared_cafe"},
    "admin_other_org": {"other_vpn"},
    "provider_admin": {"laptop", "certificate", "retired", "other_vpn", "shared_cafe"},
}
OFFERED = {**VISIBLE, "agent_ana": set(), "agent_bruno_other_department": set(),
           "agent_other_org": set(), "provider_admin": set(),
           "admin": {"laptop", "certificate", "shared_cafe"}}


def _names(catalog, items):
    by_id = {item.pk: name for name, item in catalog.items()}
    return {by_id[item.pk] for item in items}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_actor_sees_exactly_their_items(who, actors, catalog):
    # given
    actor = actors[who]
    from django.contrib.auth.models import AnonymousUser
    actor = actor or AnonymousUser()
    # when
    visible = _names(catalog, selectors.item_list(actor=actor))
    offered = _names(catalog, selectors.catalog_for(actor=actor))
    # then
    assert visible == VISIBLE[who]
    assert offered == OFFERED[who]
    for name, item in catalog.items():
        if name not in VISIBLE[who]:
            with pytest.raises(NotFound):
                selectors.item_get(actor=actor, item_id=item.pk)


def test_the_audience_narrows_a_shared_desk(requester_other_org, catalog):
    assert "shared_cafe" not in _names(catalog, selectors.item_list(actor=requester_other_org))


def test_search_ignores_case_and_accents(requester_carla, catalog):
    assert _names(catalog, selectors.catalog_for(actor=requester_carla, search="PORTATIL")
                  ) == {"laptop"}
    assert _names(catalog, selectors.catalog_for(actor=requester_carla, search="bancos")
                  ) == {"certificate"}
