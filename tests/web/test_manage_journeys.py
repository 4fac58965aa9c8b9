"""What an organization admin does through the pages under /manage/, form by form."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from atiende.core.models import AuditEvent, Department, Membership, Role, Team, User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory
from tests.web.support import (
    field_errors,
    flash_messages,
    link_in,
    new_audit_events,
    page,
    select_options,
    sign_in,
    signed_in_as,
    speak_english,
    world_state,
)

NEW_PERSON = {
    "display_name": "Julián Herrera", "email": "julian@cafemontana.example", "phone": "",
    "language": "en", "time_zone": "America/Bogota", "role": "requester", "department": "",
    "send_invitation": "on",
}


def test_an_admin_adds_a_person_who_sets_a_password_from_the_invitation_and_signs_in(
    admin, it, web_client, django_capture_on_commit_callbacks
):
    # given
    client = web_client(admin)
    form_page = client.get("/manage/cafe-montana/people/new/")
    before = world_state()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/cafe-montana/people/new/", NEW_PERSON)

    # then the person exists, with a requester role in Café Montaña and no password yet
    assert form_page.status_code == 200
    person = User.objects.get(email="julian@cafemontana.example")
    assert (response.status_code, response["Location"]) == (
        302, f"/manage/cafe-montana/people/{person.pk}/")
    assert (person.display_name, person.organization.slug, person.language,
            person.has_usable_password()) == ("Julián Herrera", "cafe-montana", "en", False)
    assert list(person.memberships.values_list("organization__slug", "department", "role")) == [
        ("cafe-montana", None, "requester")]
    assert [(e.action, e.actor, e.target_id, e.changes) for e in new_audit_events(before)] == [
        ("user.created", admin, person.pk, {"email": [None, "julian@cafemontana.example"]}),
        ("membership.granted", admin, person.pk,
         {"role": [None, "requester"], "department": [None, None]}),
    ]

    # and the invitation, in the person's language, carries a working link
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == ["julian@cafemontana.example"]
    assert invitation.subject == "You have been invited to the service desk of Café Montaña"
    assert "Then sign in with your e-mail address, julian@cafemontana.example." in invitation.body

    # when the person follows it and chooses a password
    browser = Client()
    key_page = browser.get(link_in(invitation.body))
    set_password_page = browser.get(key_page["Location"])
    chosen = browser.post(key_page["Location"], {"password1": "montaña-azul-2025",
                                                 "password2": "montaña-azul-2025"})

    # then they can sign in with it
    assert key_page.status_code == 302
    assert set_password_page.status_code == 200
    assert (chosen.status_code, chosen["Location"]) == (302, "/accounts/password/reset/key/done/")
    signed = sign_in(browser, "julian@cafemontana.example", "montaña-azul-2025")
    assert (signed.status_code, signed["Location"]) == (302, "/")
    assert signed_in_as(browser) == person.pk


def test_an_invitation_link_works_only_once(admin, web_client,
                                            django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        web_client(admin).post("/manage/cafe-montana/people/new/", NEW_PERSON)
    link = link_in(mail.outbox[0].body)
    first = Client()
    key_page = first.get(link)
    first.post(key_page["Location"], {"password1": "montaña-azul-2025",
                                      "password2": "montaña-azul-2025"})

    # when
    second = Client()
    again = second.get(link, follow=True)

    # then
    assert again.context["token_fail"] is True
    assert sign_in(Client(), "julian@cafemontana.example", "montaña-azul-2025").status_code == 302


def test_adding_a_person_without_invitation_sends_no_mail(
    admin, web_client, django_capture_on_commit_callbacks
):
    # given
    data = {**NEW_PERSON, "send_invitation": ""}

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(admin).post("/manage/cafe-montana/people/new/", data)

    # then
    assert response.status_code == 302
    assert User.objects.filter(email="julian@cafemontana.example").exists()
    assert mail.outbox == []


def test_adding_a_person_with_a_taken_email_shows_the_error_and_writes_nothing(
    admin, requester_carla, web_client, django_capture_on_commit_callbacks
):
    # given
    speak_english(admin)
    before = world_state()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(admin).post("/manage/cafe-montana/people/new/",
                                          {**NEW_PERSON, "email": "CARLA@cafemontana.example"})

    # then
    assert response.status_code == 200
    assert field_errors(response, "email") == [
        "A user with this e-mail address already exists."]
    assert world_state() == before
    assert mail.outbox == []


def test_an_admin_grants_and_revokes_a_role(admin, requester_carla, it, web_client):
    # given
    speak_english(admin)
    client = web_client(admin)
    url = f"/manage/cafe-montana/people/{requester_carla.pk}/"
    offered_roles = select_options(client.get(url), "role")

    # when
    granted = client.post(url + "roles/", {"role": "agent", "department": str(it.pk)},
                          follow=True)

    # then
    assert offered_roles == [
        ("requester", "Requester"), ("agent", "Agent"), ("team_lead", "Team lead"),
        ("department_manager", "Department manager"),
        ("organization_admin", "Organization admin")]
    membership = Membership.objects.get(user=requester_carla, role=Role.AGENT)
    assert (membership.organization.slug, membership.department) == ("cafe-montana", it)
    assert flash_messages(granted) == [("success", "The role has been granted.")]
    assert [m.pk for m in granted.context["person"].visible_memberships] == [
        Membership.objects.get(user=requester_carla, role=Role.REQUESTER).pk, membership.pk]

    # when
    revoked = client.post(url + f"roles/{membership.pk}/remove/", follow=True)

    # then
    assert flash_messages(revoked) == [("success", "The role has been removed.")]
    assert list(requester_carla.memberships.values_list("role", flat=True)) == ["requester"]
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "target_id")) == [
        ("membership.granted", requester_carla.pk), ("membership.revoked", requester_carla.pk)]


def test_a_department_role_without_a_department_is_refused(admin, requester_carla, web_client):
    # given
    speak_english(admin)
    before = world_state()

    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/people/{requester_carla.pk}/roles/",
        {"role": "agent", "department": ""}, follow=True)

    # then
    assert flash_messages(response) == [("error", "This role needs a department.")]
    assert world_state() == before


@pytest.mark.parametrize(("data", "message"), [
    ({"role": "provider_admin", "department": ""},
     "Role: Select a valid choice. provider_admin is not one of the available choices."),
    ({"role": "agent", "department": "999999"},
     "Department: Select a valid choice. 999999 is not one of the available choices."),
    ({"department": ""}, "Role: This field is required."),
])
def test_a_role_form_with_values_that_were_not_offered_is_refused(
    admin, requester_carla, web_client, data, message
):
    # given
    speak_english(admin)
    before = world_state()

    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/people/{requester_carla.pk}/roles/", data, follow=True)

    # then
    assert flash_messages(response) == [("error", message)]
    assert world_state() == before


def test_granting_a_role_the_person_already_has_is_refused(admin, agent_bruno_other_department,
                                                          hr, web_client):
    # given
    speak_english(admin)
    before = world_state()

    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/people/{agent_bruno_other_department.pk}/roles/",
        {"role": "team_lead", "department": str(hr.pk)}, follow=True)

    # then
    assert response.redirect_chain == [
        (f"/manage/cafe-montana/people/{agent_bruno_other_department.pk}/", 302)]
    assert flash_messages(response) == [
        ("error", "Bruno Díaz already has the role “Agent” here.")]
    assert world_state() == before


def test_an_admin_cannot_remove_their_own_admin_role(admin, web_client):
    # given
    speak_english(admin)
    own = Membership.objects.get(user=admin, role=Role.ORGANIZATION_ADMIN)
    before = world_state()

    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/people/{admin.pk}/roles/{own.pk}/remove/", follow=True)

    # then
    assert response.redirect_chain == [(f"/manage/cafe-montana/people/{admin.pk}/", 302)]
    assert flash_messages(response) == [
        ("error", "You cannot remove your own administrator role.")]
    assert world_state() == before


def test_an_admin_creates_a_department_and_a_team_in_it(admin, web_client):
    # given
    speak_english(admin)
    client = web_client(admin)

    # when
    created = client.post("/manage/cafe-montana/departments/",
                          {"name": "Finanzas", "function": "finance"}, follow=True)

    # then
    department = Department.objects.get(name="Finanzas")
    assert (department.organization.slug, department.slug, department.function,
            department.is_active) == ("cafe-montana", "finanzas", "finance", True)
    assert flash_messages(created) == [("success", "The department has been created.")]
    assert [d.name for d in created.context["departments"]] == [
        "Finanzas", "Talento Humano", "Tecnología"]
    assert (str(department.pk), "Finanzas") in select_options(
        client.get("/manage/cafe-montana/teams/"), "department")

    # when
    team_page = client.post("/manage/cafe-montana/teams/", {
        "name": "Tesorería", "description": "Pagos y cobros", "department": str(department.pk)},
        follow=True)

    # then
    team = Team.objects.get(name="Tesorería")
    assert (team.department, team.description, list(team.members.all())) == (
        department, "Pagos y cobros", [])
    assert team_page.redirect_chain == [(f"/manage/cafe-montana/teams/{team.pk}/", 302)]
    assert flash_messages(team_page) == [("success", "The team has been created.")]
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "target_label")) == [
        ("department.created", "Finanzas"), ("team.created", "Tesorería")]


def test_an_admin_deactivates_a_department(admin, hr, web_client):
    # when
    response = web_client(admin).post(f"/manage/cafe-montana/departments/{hr.pk}/",
                                      {"name": "Talento Humano", "function": "hr"})

    # then
    hr.refresh_from_db()
    assert (response.status_code, hr.is_active) == (302, False)
    assert AuditEvent.objects.get().changes == {"is_active": [True, False]}


def test_the_team_page_offers_only_the_departments_agents_not_yet_in_it(
    admin, team_redes, agent_nico, agent_bruno_other_department, requester_carla,
    agent_other_org, web_client
):
    # when
    response = web_client(admin).get(f"/manage/cafe-montana/teams/{team_redes.pk}/")

    # then
    assert select_options(response, "user") == [(str(agent_nico.pk), "Nicolás Vega")]
    assert [m.display_name for m in response.context["team"].members.all()] == ["Ana Gómez"]


def test_an_admin_adds_and_removes_team_members(admin, team_redes, agent_ana, agent_nico,
                                               web_client):
    # given
    speak_english(admin)
    client = web_client(admin)
    url = f"/manage/cafe-montana/teams/{team_redes.pk}/"

    # when
    added = client.post(url + "members/", {"user": str(agent_nico.pk)}, follow=True)

    # then
    assert flash_messages(added) == [("success", "Nicolás Vega has joined the team.")]
    assert set(team_redes.members.all()) == {agent_ana, agent_nico}
    assert "Every agent of the department is already in this team." in added.content.decode()

    # when
    removed = client.post(url + f"members/{agent_ana.pk}/remove/", follow=True)

    # then
    assert flash_messages(removed) == [("success", "Ana Gómez has left the team.")]
    assert list(team_redes.members.all()) == [agent_nico]
    assert select_options(removed, "user") == [(str(agent_ana.pk), "Ana Gómez")]
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "changes")) == [
        ("team.member_added", {"user": [None, agent_nico.pk]}),
        ("team.member_removed", {"user": [agent_ana.pk, None]}),
    ]


@pytest.mark.parametrize("outsider", ["agent_bruno_other_department", "requester_carla",
                                      "agent_other_org", "agent_ana"])
def test_adding_someone_who_is_not_a_candidate_to_a_team_is_refused(
    admin, team_redes, agent_nico, web_client, request, outsider
):
    # given
    speak_english(admin)
    person = request.getfixturevalue(outsider)
    before = world_state()

    # when
    response = web_client(admin).post(f"/manage/cafe-montana/teams/{team_redes.pk}/members/",
                                      {"user": str(person.pk)}, follow=True)

    # then
    assert response.redirect_chain == [(f"/manage/cafe-montana/teams/{team_redes.pk}/", 302)]
    assert flash_messages(response) == [(
        "error", "Only agents of the department “Tecnología” can join this team.")]
    assert world_state() == before


def test_removing_someone_who_is_not_in_the_team_answers_not_found(
    admin, team_redes, agent_nico, web_client
):
    # given
    before = world_state()

    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/teams/{team_redes.pk}/members/{agent_nico.pk}/remove/")

    # then
    assert response.status_code == 404
    assert world_state() == before


def test_a_deactivated_person_can_no_longer_sign_in(admin, requester_carla, web_client):
    # given
    carla_browser = web_client(requester_carla)
    assert carla_browser.get("/").status_code == 200

    # when
    response = web_client(admin).post(f"/manage/cafe-montana/people/{requester_carla.pk}/", {
        "display_name": "Carla Rueda", "email": "carla@cafemontana.example", "phone": "",
        "language": "es", "time_zone": "America/Bogota",
    })

    # then
    requester_carla.refresh_from_db()
    assert (response.status_code, requester_carla.is_active) == (302, False)
    assert AuditEvent.objects.get().changes == {"is_active": [True, False]}
    # the open session ends
    assert carla_browser.get("/")["Location"] == "/accounts/login/?next=/"
    # and signing in again is refused
    fresh = Client()
    refused = sign_in(fresh, "carla@cafemontana.example", PASSWORD)
    assert (refused.status_code, refused["Location"]) == (302, "/accounts/inactive/")
    assert signed_in_as(fresh) is None
    # and the people page shows them as deactivated
    people = web_client(admin).get("/manage/cafe-montana/people/")
    row = next(tr for tr in page(people).find_all("tr") if "Carla Rueda" in tr.text)
    assert row.attrs["class"] == "inactive"


def test_an_admin_cannot_deactivate_themselves(admin, web_client):
    # given
    speak_english(admin)
    before = world_state()

    # when
    response = web_client(admin).post(f"/manage/cafe-montana/people/{admin.pk}/", {
        "display_name": "Mateo Ramírez", "email": "mateo@cafemontana.example", "phone": "",
        "language": "en", "time_zone": "America/Bogota",
    })

    # then
    assert response.status_code == 200
    assert field_errors(response, "is_active") == ["You cannot deactivate yourself."]
    assert world_state() == before


def test_a_person_of_another_organization_is_shown_but_not_editable(admin, agent_ana,
                                                                     web_client):
    # given ana's home is the provider; she works in Café Montaña's IT
    speak_english(admin)
    client = web_client(admin)
    before = world_state()

    # when
    shown = client.get(f"/manage/cafe-montana/people/{agent_ana.pk}/")
    edited = client.post(f"/manage/cafe-montana/people/{agent_ana.pk}/", {
        "display_name": "Ana G.", "email": "ana@nubeandina.example", "phone": "",
        "language": "es", "time_zone": "America/Bogota", "is_active": "on"})

    # then
    assert shown.status_code == 200
    assert shown.context["can_edit"] is False
    assert page(shown).find_all("input", name="display_name") == []
    assert edited.status_code == 403
    assert world_state() == before


def test_the_activity_page_lists_what_happened_newest_first(admin, requester_carla, it,
                                                           web_client):
    # given
    speak_english(admin)
    client = web_client(admin)
    client.post("/manage/cafe-montana/departments/", {"name": "Finanzas", "function": "finance"})
    client.post(f"/manage/cafe-montana/people/{requester_carla.pk}/roles/",
                {"role": "agent", "department": str(it.pk)})

    # when
    response = client.get("/manage/cafe-montana/activity/")

    # then
    rows = [[td.text for td in tr.find_all("td")] for tr in page(response).find_all("tbody")[0]
            .find_all("tr")]
    assert [row[1:] for row in rows] == [
        ["Mateo Ramírez", "Role given", "Carla Rueda", "Web"],
        ["Mateo Ramírez", "Department created", "Finanzas", "Web"],
    ]


def test_the_activity_page_shows_only_the_organizations_events(admin, admin_other_org,
                                                               web_client):
    # given
    web_client(admin_other_org).post("/manage/clinica-norte/departments/",
                                     {"name": "Farmacia", "function": "other"})
    web_client(admin).post("/manage/cafe-montana/departments/",
                           {"name": "Finanzas", "function": "finance"})

    # when
    response = web_client(admin).get("/manage/cafe-montana/activity/")

    # then
    assert [e.target_label for e in response.context["page"]] == ["Finanzas"]


def test_searching_people_by_name_or_email(admin, requester_carla, agent_bruno_other_department,
                                           agent_nico, web_client):
    # given
    client = web_client(admin)

    # when
    by_name = client.get("/manage/cafe-montana/people/", {"q": "carla"})
    by_email = client.get("/manage/cafe-montana/people/", {"q": "@CAFEMONTANA"})
    no_match = client.get("/manage/cafe-montana/people/", {"q": "zzz"})
    everyone = client.get("/manage/cafe-montana/people/")

    # then
    assert list(by_name.context["page"]) == [requester_carla]
    assert [p.display_name for p in by_email.context["page"]] == [
        "Bruno Díaz", "Carla Rueda", "Mateo Ramírez", "Nicolás Vega"]
    assert list(no_match.context["page"]) == []
    assert page(by_name).find_all("input", name="q")[0].attrs["value"] == "carla"
    # only people whose home is Café Montaña: not Ana (provider), not Rita (Clínica Norte)
    assert [p.display_name for p in everyone.context["page"]] == [
        "Bruno Díaz", "Carla Rueda", "Mateo Ramírez", "Nicolás Vega"]


def test_people_are_paged_and_the_search_survives_paging(admin, org_cafe, web_client):
    # given
    for number in range(55):
        person = UserFactory(email=f"cliente{number:02}@cafemontana.example",
                             display_name=f"Cliente {number:02}", organization=org_cafe)
        MembershipFactory(user=person, organization=org_cafe, role=Role.REQUESTER)

    # when
    first = web_client(admin).get("/manage/cafe-montana/people/", {"q": "cliente"})
    second = web_client(admin).get("/manage/cafe-montana/people/", {"q": "cliente", "page": 2})

    # then
    assert len(first.context["page"]) == 50
    assert [p.display_name for p in second.context["page"]] == [
        f"Cliente {n}" for n in range(50, 55)]
    next_link = page(first).find_all("nav", cls="pagination")[0].find_all("a")[0]
    assert next_link.attrs["href"] == "?q=cliente&page=2"

