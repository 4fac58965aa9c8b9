"""Who may open which page and send which form, for every page of the web UI.

Anonymous visitors are sent to sign in; the organization pages under /manage/<slug>/
answer 404 to anyone who does not administer that organization (as if it did not
exist), and a refused form changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client

from atiende.core import services
from atiende.core.models import ApiToken, Department, Membership, Role, Team, User
from tests.web.support import (
    login_redirect,
    new_audit_events,
    template_names,
    world_state,
)

ACTORS = [
    "anonymous",
    "requester_carla",
    "requester_other_org",
    "agent_other_org",
    "agent_bruno_other_department",
    "agent_ana",
    "admin_other_org",
    "admin",
    "provider_admin",
]
SIGNED_IN = ACTORS[1:]
CAFE_ADMINS = {"admin", "provider_admin"}


@pytest.fixture
def world(actors, org_cafe, it, hr, team_redes, agent_nico):
    carla = actors["requester_carla"]
    return SimpleNamespace(
        actors=actors, org_cafe=org_cafe, it=it, hr=hr, team_redes=team_redes,
        agent_nico=agent_nico, carla=carla, ana=actors["agent_ana"],
        carla_requester=Membership.objects.get(user=carla, role=Role.REQUESTER),
    )


def _expect_not_found(response) -> None:
    assert response.status_code == 404
    assert "errors/404.html" in template_names(response)


# --- the signed-in person's own pages ----------------------------------------------------

OWN_PAGES = ["/", "/profile/", "/profile/tokens/"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url", OWN_PAGES)
def test_own_pages_open_to_everyone_signed_in(world, web_client, actor, url):
    # when
    response = web_client(world.actors[actor]).get(url)

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_profile_form_changes_only_the_senders_own_profile(world, web_client, actor):
    # given
    before = world_state()
    client = web_client(world.actors[actor])

    # when
    response = client.post("/profile/", {
        "display_name": "Nombre Nuevo", "phone": "+57 300 000 0000", "language": "es",
        "time_zone": "America/Lima",
    })

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect("/profile/"))
        assert world_state() == before
        return
    me = User.objects.get(pk=world.actors[actor].pk)
    assert (response.status_code, response["Location"]) == (302, "/profile/")
    assert (me.display_name, me.phone, me.time_zone) == (
        "Nombre Nuevo", "+57 300 000 0000", "America/Lima")
    others = [row for row in world_state()["users"] if row[0] != me.pk]
    assert others == [row for row in before["users"] if row[0] != me.pk]
    assert [(e.action, e.actor, e.target_id) for e in new_audit_events(before)] == [
        ("user.updated", me, me.pk)]


@pytest.mark.parametrize("actor", ACTORS)
def test_token_form_creates_a_token_for_the_sender_only(world, web_client, actor):
    # given
    before = world_state()

    # when
    response = web_client(world.actors[actor]).post(
        "/profile/tokens/", {"name": "Power BI", "expires_in_days": "30"})

    # then
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == login_redirect("/profile/tokens/")
        assert world_state() == before
        return
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (world.actors[actor], "Power BI")
    assert response.context["created"]["plaintext"].startswith(token.hint)


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_owner_revokes_a_token(world, web_client, actor):
    # given
    token, _plaintext = services.token_create(actor=world.ana, name="Inventario")
    url = f"/profile/tokens/{token.pk}/revoke/"
    before = world_state()

    # when
    response = web_client(world.actors[actor]).post(url)

    # then
    token.refresh_from_db()
    if actor == "agent_ana":
        assert (response.status_code, response["Location"]) == (302, "/profile/tokens/")
        assert token.revoked_at is not None
        assert [e.action for e in new_audit_events(before)] == ["token.revoked"]
        return
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    else:
        _expect_not_found(response)
    assert token.revoked_at is None
    assert world_state() == before


def test_revoking_a_token_needs_a_post(world, web_client):
    # given
    token, _plaintext = services.token_create(actor=world.ana, name="Inventario")

    # when
    response = web_client(world.ana).get(f"/profile/tokens/{token.pk}/revoke/")

    # then
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- organization administration ---------------------------------------------------------

MANAGE_PAGES: dict[str, Callable[[SimpleNamespace], str]] = {
    "people": lambda w: "/manage/cafe-montana/people/",
    "people search": lambda w: "/manage/cafe-montana/people/?q=carla",
    "person new": lambda w: "/manage/cafe-montana/people/new/",
    "person": lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/",
    "departments": lambda w: "/manage/cafe-montana/departments/",
    "department": lambda w: f"/manage/cafe-montana/departments/{w.it.pk}/",
    "teams": lambda w: "/manage/cafe-montana/teams/",
    "team": lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/",
    "activity": lambda w: "/manage/cafe-montana/activity/",
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_manage_pages_open_only_to_the_organizations_admins(world, web_client, actor, name):
    # given
    url = MANAGE_PAGES[name](world)

    # when
    response = web_client(world.actors[actor]).get(url)

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    elif actor in CAFE_ADMINS:
        assert response.status_code == 200
        assert response.context["organization"] == world.org_cafe
    else:
        _expect_not_found(response)


@pytest.mark.parametrize(("actor", "status", "location"), [
    ("anonymous", 302, login_redirect("/manage/")),
    ("requester_carla", 404, None),
    ("requester_other_org", 404, None),
    ("agent_other_org", 404, None),
    ("agent_bruno_other_department", 404, None),
    ("agent_ana", 404, None),
    ("admin_other_org", 302, "/manage/clinica-norte/people/"),
    ("admin", 302, "/manage/cafe-montana/people/"),
    ("provider_admin", 200, None),
])
def test_the_administration_entry_leads_each_admin_to_their_organizations(
    world, web_client, actor, status, location
):
    # when
    response = web_client(world.actors[actor]).get("/manage/")

    # then
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    if actor == "provider_admin":
        assert [o.slug for o in response.context["organizations"]] == [
            "cafe-montana", "clinica-norte", "nube-andina"]


@dataclass(frozen=True)
class Form:
    """A form of an organization page: where it is sent, what it sends, where an admin
    lands after it worked, the audit rows it writes and what it did."""

    url: Callable[[SimpleNamespace], str]
    data: Callable[[SimpleNamespace], dict]
    lands_on: Callable[[SimpleNamespace], str]
    audit: tuple[str, ...]
    done: Callable[[SimpleNamespace], bool]


def _new_person(w) -> User:
    return User.objects.get(email="nueva@cafemontana.example")


def _new_team(w) -> Team:
    return Team.objects.get(name="Soporte en sitio")


MANAGE_FORMS: dict[str, Form] = {
    "add person": Form(
        url=lambda w: "/manage/cafe-montana/people/new/",
        data=lambda w: {"display_name": "Nueva Persona", "email": "nueva@cafemontana.example",
                        "phone": "", "language": "es", "time_zone": "America/Bogota",
                        "role": "requester", "department": ""},
        lands_on=lambda w: f"/manage/cafe-montana/people/{_new_person(w).pk}/",
        audit=("user.created", "membership.granted"),
        done=lambda w: _new_person(w).memberships.get().role == Role.REQUESTER,
    ),
    "edit person": Form(
        url=lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/",
        data=lambda w: {"display_name": "Carla Rueda Peña", "email": w.carla.email,
                        "phone": "", "language": "es", "time_zone": "America/Bogota",
                        "is_active": "on"},
        lands_on=lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/",
        audit=("user.updated",),
        done=lambda w: User.objects.get(pk=w.carla.pk).display_name == "Carla Rueda Peña",
    ),
    "grant role": Form(
        url=lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/roles/",
        data=lambda w: {"role": "agent", "department": str(w.it.pk)},
        lands_on=lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/",
        audit=("membership.granted",),
        done=lambda w: Membership.objects.filter(user=w.carla, department=w.it,
                                                 role=Role.AGENT).exists(),
    ),
    "revoke role": Form(
        url=lambda w: (f"/manage/cafe-montana/people/{w.carla.pk}/roles/"
                       f"{w.carla_requester.pk}/remove/"),
        data=lambda w: {},
        lands_on=lambda w: f"/manage/cafe-montana/people/{w.carla.pk}/",
        audit=("membership.revoked",),
        done=lambda w: not Membership.objects.filter(user=w.carla).exists(),
    ),
    "create department": Form(
        url=lambda w: "/manage/cafe-montana/departments/",
        data=lambda w: {"name": "Finanzas", "function": "finance"},
        lands_on=lambda w: "/manage/cafe-montana/departments/",
        audit=("department.created",),
        done=lambda w: Department.objects.filter(organization=w.org_cafe, name="Finanzas",
                                                 slug="finanzas", function="finance").exists(),
    ),
    "edit department": Form(
        url=lambda w: f"/manage/cafe-montana/departments/{w.it.pk}/",
        data=lambda w: {"name": "Tecnología e Innovación", "function": "it", "is_active": "on"},
        lands_on=lambda w: "/manage/cafe-montana/departments/",
        audit=("department.updated",),
        done=lambda w: Department.objects.get(pk=w.it.pk).name == "Tecnología e Innovación",
    ),
    "create team": Form(
        url=lambda w: "/manage/cafe-montana/teams/",
        data=lambda w: {"name": "Soporte en sitio", "description": "", "department": str(w.it.pk)},
        lands_on=lambda w: f"/manage/cafe-montana/teams/{_new_team(w).pk}/",
        audit=("team.created",),
        done=lambda w: _new_team(w).department == w.it,
    ),
    "edit team": Form(
        url=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/",
        data=lambda w: {"name": "Redes y telecomunicaciones", "description": "LAN y WAN"},
        lands_on=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/",
        audit=("team.updated",),
        done=lambda w: Team.objects.get(pk=w.team_redes.pk).name == "Redes y telecomunicaciones",
    ),
    "add team member": Form(
        url=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/members/",
        data=lambda w: {"user": str(w.agent_nico.pk)},
        lands_on=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/",
        audit=("team.member_added",),
        done=lambda w: set(w.team_redes.members.all()) == {w.ana, w.agent_nico},
    ),
    "remove team member": Form(
        url=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/members/{w.ana.pk}/remove/",
        data=lambda w: {},
        lands_on=lambda w: f"/manage/cafe-montana/teams/{w.team_redes.pk}/",
        audit=("team.member_removed",),
        done=lambda w: not w.team_redes.members.exists(),
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", MANAGE_FORMS)
def test_manage_forms_work_only_for_the_organizations_admins(
    world, web_client, actor, name
):
    # given
    form = MANAGE_FORMS[name]
    url = form.url(world)
    before = world_state()

    # when
    response = web_client(world.actors[actor]).post(url, form.data(world))

    # then
    if actor in CAFE_ADMINS:
        assert (response.status_code, response["Location"]) == (302, form.lands_on(world))
        assert form.done(world)
        events = new_audit_events(before)
        assert [e.action for e in events] == list(form.audit)
        assert {(e.actor, e.organization_id, e.channel) for e in events} == {
            (world.actors[actor], world.org_cafe.pk, "web")}
        return
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    else:
        _expect_not_found(response)
    assert world_state() == before


@pytest.mark.parametrize("url", [
    "/manage/cafe-montana/people/{carla}/roles/",
    "/manage/cafe-montana/people/{carla}/roles/{membership}/remove/",
    "/manage/cafe-montana/teams/{team}/members/",
    "/manage/cafe-montana/teams/{team}/members/{ana}/remove/",
])
def test_actions_that_change_data_refuse_a_get(world, web_client, url):
    # given
    url = url.format(carla=world.carla.pk, membership=world.carla_requester.pk,
                     team=world.team_redes.pk, ana=world.ana.pk)
    before = world_state()

    # when
    response = web_client(world.actors["admin"]).get(url)

    # then
    assert response.status_code == 405
    assert world_state() == before


def test_a_form_without_the_csrf_token_is_refused(world):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.actors["admin"])
    before = world_state()

    # when
    response = client.post("/manage/cafe-montana/departments/",
                           {"name": "Finanzas", "function": "finance"})

    # then
    assert response.status_code == 403
    assert world_state() == before
