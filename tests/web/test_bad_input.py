"""Bad and hostile input on the web forms: each error beside its field and nothing
written; markup in names shown as text; oversized bodies refused; another
organization's ids in a /manage/ URL answer 404."""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.core.models import Department, Membership, Role, User
from tests.factories import MembershipFactory, TeamFactory
from tests.web.support import (
    all_field_errors,
    flash_messages,
    page,
    speak_english,
    template_names,
    world_state,
)

REQUIRED = "This field is required."
PROFILE = {"display_name": "Mateo Ramírez", "phone": "", "language": "en",
           "time_zone": "America/Bogota"}
PERSON = {"display_name": "Julián Herrera", "email": "julian@cafemontana.example",
          "phone": "", "language": "es", "time_zone": "America/Bogota", "role": "requester",
          "department": ""}
CARLA = {"display_name": "Carla Rueda", "email": "carla@cafemontana.example", "phone": "",
         "language": "es", "time_zone": "America/Bogota", "is_active": "on"}


@pytest.fixture
def places(admin, requester_carla, agent_bruno_other_department, it, hr, other_it,
           team_redes):
    team_other_org = TeamFactory(department=it, name="Soporte")
    return {"carla": requester_carla.pk, "it": it.pk, "hr": hr.pk, "other_it": other_it.pk,
            "redes": team_redes.pk, "soporte": team_other_org.pk}


BAD_FORMS = {
    "profile without a name": (
        "/profile/", {**PROFILE, "display_name": "  "}, {"display_name": [REQUIRED]}),
    "profile with a name too long": (
        "/profile/", {**PROFILE, "display_name": "x" * 151},
        {"display_name": ["Ensure this value has at most 150 characters (it has 151)."]}),
    "profile with an unknown time zone and language": (
        "/profile/", {**PROFILE, "time_zone": "Mars/Olympus", "language": "fr"},
        {"language": ["Select a valid choice. fr is not one of the available choices."],
         "time_zone": [
             "Select a valid choice. Mars/Olympus is not one of the available choices."]}),
    "token without a name": (
        "/profile/tokens/", {"name": "", "expires_in_days": "30"}, {"name": [REQUIRED]}),
    "token with an expiry not offered": (
        "/profile/tokens/", {"name": "Power BI", "expires_in_days": "7"},
        {"expires_in_days": ["Select a valid choice. 7 is not one of the available choices."]}),
    "new person with nothing": (
        "/manage/cafe-montana/people/new/", {},
        {"display_name": [REQUIRED], "email": [REQUIRED], "language": [REQUIRED],
         "time_zone": [REQUIRED], "role": [REQUIRED]}),
    "new person with a bad e-mail": (
        "/manage/cafe-montana/people/new/", {**PERSON, "email": "julian(at)cafemontana"},
        {"email": ["Enter a valid email address."]}),
    "new agent without a department": (
        "/manage/cafe-montana/people/new/", {**PERSON, "role": "agent"},
        {"department": ["This role needs a department."]}),
    "new organization admin with a department": (
        "/manage/cafe-montana/people/new/",
        {**PERSON, "role": "organization_admin", "department": "{it}"},
        {"department": ["This role applies to the whole organization; leave the department "
                        "empty."]}),
    "new person in another organization's department": (
        "/manage/cafe-montana/people/new/",
        {**PERSON, "role": "agent", "department": "{other_it}"},
        {"department": ["Select a valid choice. {other_it} is not one of the available "
                        "choices."]}),
    "new provider admin": (
        "/manage/cafe-montana/people/new/", {**PERSON, "role": "provider_admin"},
        {"role": ["Select a valid choice. provider_admin is not one of the available "
                  "choices."]}),
    "person without an e-mail": (
        "/manage/cafe-montana/people/{carla}/", {**CARLA, "email": ""}, {"email": [REQUIRED]}),
    "person with someone else's e-mail": (
        "/manage/cafe-montana/people/{carla}/", {**CARLA, "email": "Bruno@cafemontana.example"},
        {"email": ["A user with this e-mail address already exists."]}),
    "department without a name": (
        "/manage/cafe-montana/departments/", {"name": "", "function": "it"},
        {"name": [REQUIRED]}),
    "department with a taken name": (
        "/manage/cafe-montana/departments/", {"name": "TECNOLOGÍA", "function": "it"},
        {"name": ["This organization already has a department with this name."]}),
    "department with an unknown function": (
        "/manage/cafe-montana/departments/", {"name": "Compras", "function": "purchasing"},
        {"function": ["Select a valid choice. purchasing is not one of the available "
                      "choices."]}),
    "department renamed to a taken name": (
        "/manage/cafe-montana/departments/{it}/",
        {"name": "talento humano", "function": "it", "is_active": "on"},
        {"name": ["This organization already has a department with this name."]}),
    "team with a taken name": (
        "/manage/cafe-montana/teams/", {"name": "redes", "description": "", "department": "{it}"},
        {"name": ["This department already has a team with this name."]}),
    "team without a department": (
        "/manage/cafe-montana/teams/", {"name": "Nómina", "description": ""},
        {"department": [REQUIRED]}),
    "team in another organization's department": (
        "/manage/cafe-montana/teams/",
        {"name": "Nómina", "description": "", "department": "{other_it}"},
        {"department": ["Select a valid choice. {other_it} is not one of the available "
                        "choices."]}),
    "team renamed to a taken name": (
        "/manage/cafe-montana/teams/{redes}/", {"name": "SOPORTE", "description": ""},
        {"name": ["This department already has a team with this name."]}),
    "team page sent empty": (
        "/manage/cafe-montana/teams/{redes}/", {}, {"name": [REQUIRED]}),
    "profile sent empty": (
        "/profile/", {}, {"display_name": [REQUIRED], "language": [REQUIRED],
                          "time_zone": [REQUIRED]}),
    "team with a description too long": (
        "/manage/cafe-montana/teams/{redes}/", {"name": "Redes", "description": "x" * 2001},
        {"description": ["Ensure this value has at most 2000 characters (it has 2001)."]}),
}


@pytest.mark.parametrize("name", BAD_FORMS)
def test_a_bad_form_shows_each_error_beside_its_field_and_writes_nothing(
    admin, places, web_client, name
):
    # given
    url, data, errors = BAD_FORMS[name]
    speak_english(admin)
    before = world_state()

    # when
    response = web_client(admin).post(
        url.format(**places), {k: v.format(**places) for k, v in data.items()})

    # then
    assert response.status_code == 200
    assert all_field_errors(response) == {
        field: [e.format(**places) for e in messages] for field, messages in errors.items()}
    assert world_state() == before


def test_a_refused_form_keeps_what_was_typed(admin, places, web_client):
    # when
    response = web_client(admin).post("/manage/cafe-montana/people/new/",
                                      {**PERSON, "role": "agent"})

    # then
    form = page(response)
    assert form.find_all("input", name="display_name")[0].attrs["value"] == "Julián Herrera"
    assert form.find_all("input", name="email")[0].attrs["value"] == (
        "julian@cafemontana.example")


# --- hostile input --------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'
IMAGE = "<img src=x onerror=alert(1)>"


def test_markup_in_names_is_shown_as_text_everywhere(admin, it, web_client):
    # given
    speak_english(admin)
    client = web_client(admin)
    added = client.post("/manage/cafe-montana/people/new/",
                        {**PERSON, "display_name": SCRIPT}, follow=True)
    client.post("/manage/cafe-montana/departments/", {"name": IMAGE, "function": "other"})
    client.post("/manage/cafe-montana/teams/", {"name": IMAGE, "description": SCRIPT,
                                                "department": str(it.pk)})
    person = User.objects.get(email="julian@cafemontana.example")
    department = Department.objects.get(name=IMAGE)

    # when
    pages = {
        "added": added,
        "people": client.get("/manage/cafe-montana/people/"),
        "person": client.get(f"/manage/cafe-montana/people/{person.pk}/"),
        "departments": client.get("/manage/cafe-montana/departments/"),
        "department": client.get(f"/manage/cafe-montana/departments/{department.pk}/"),
        "teams": client.get("/manage/cafe-montana/teams/"),
        "activity": client.get("/manage/cafe-montana/activity/"),
        "search": client.get("/manage/cafe-montana/people/", {"q": SCRIPT}),
    }

    # then
    for name, response in pages.items():
        html = response.content.decode()
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages["people"].content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["departments"].content.decode()
    assert [text for _kind, text in flash_messages(added)] == [f"{SCRIPT} has been added."]
    search_box = page(pages["search"]).find_all("input", name="q")[0]
    assert search_box.attrs["value"] == SCRIPT


def test_markup_in_a_token_name_is_shown_as_text(agent_ana, web_client):
    # when
    response = web_client(agent_ana).post("/profile/tokens/",
                                          {"name": SCRIPT, "expires_in_days": "30"})

    # then
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_hostile_path_is_not_reflected_as_markup(admin, web_client):
    # when
    response = web_client(admin).get('/manage/cafe-montana/teams/?q="><script>alert(1)</script>')

    # then
    assert "<script>alert(1)" not in response.content.decode()


# --- size limits ------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_with_413_before_anything_is_read(admin, web_client,
                                                                       settings):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 1024
    before = world_state()

    # when
    response = web_client(admin).post("/manage/cafe-montana/departments/",
                                      {"name": "x" * 2000, "function": "other"})

    # then
    assert response.status_code == 413
    assert "errors/413.html" in template_names(response)
    assert world_state() == before


def test_a_body_just_under_the_limit_is_accepted(admin, web_client, settings):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 1024

    # when
    response = web_client(admin).post("/manage/cafe-montana/departments/",
                                      {"name": "Compras", "function": "other"})

    # then
    assert response.status_code == 302


def test_an_unreadable_content_length_is_a_bad_request(admin, web_client):
    # when
    response = web_client(admin).post("/manage/cafe-montana/departments/",
                                      {"name": "Compras", "function": "other"},
                                      CONTENT_LENGTH="mucho")

    # then
    assert response.status_code == 400
    assert "errors/400.html" in template_names(response)
    assert not Department.objects.filter(name="Compras").exists()


def test_a_form_over_the_form_size_limit_gets_the_400_page(admin, web_client, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = world_state()

    # when
    response = web_client(admin).post("/manage/cafe-montana/departments/",
                                      {"name": "x" * 2000, "function": "other"})

    # then
    assert response.status_code == 400
    assert "errors/400.html" in template_names(response)
    assert world_state() == before


# --- another organization's ids ----------------------------------------------------------------


@pytest.fixture
def foreign(requester_other_org, other_it, agent_other_org, team_other_org):
    return {
        "rita": requester_other_org.pk,
        "rita_membership": Membership.objects.get(user=requester_other_org).pk,
        "team": team_other_org.pk,
        "oscar": agent_other_org.pk,
    }


FOREIGN_URLS = [
    ("get", "/manage/cafe-montana/people/{rita}/"),
    ("post", "/manage/cafe-montana/people/{rita}/"),
    ("post", "/manage/cafe-montana/people/{rita}/roles/"),
    ("post", "/manage/cafe-montana/people/{rita}/roles/{rita_membership}/remove/"),
    ("post", "/manage/cafe-montana/people/{carla}/roles/{rita_membership}/remove/"),
    ("get", "/manage/cafe-montana/departments/{other_it}/"),
    ("post", "/manage/cafe-montana/departments/{other_it}/"),
    ("get", "/manage/cafe-montana/teams/{team}/"),
    ("post", "/manage/cafe-montana/teams/{team}/"),
    ("post", "/manage/cafe-montana/teams/{team}/members/"),
    ("post", "/manage/cafe-montana/teams/{team}/members/{oscar}/remove/"),
    ("get", "/manage/cafe-montana/people/999999/"),
    ("get", "/manage/cafe-montana/teams/999999/"),
    ("get", "/manage/cafe-montana/departments/999999/"),
    ("get", "/manage/no-existe/people/"),
]


@pytest.mark.parametrize(("method", "url"), FOREIGN_URLS)
def test_another_organizations_ids_answer_not_found(admin, places, foreign, web_client,
                                                    method, url):
    # given
    url = url.format(**places, **foreign)
    before = world_state()
    data = {"name": "Tomado", "function": "it", "user": str(foreign["oscar"]),
            "role": "agent", "department": str(places["it"]), **CARLA}

    # when
    response = getattr(web_client(admin), method)(url, data if method == "post" else None)

    # then
    assert response.status_code == 404
    assert "errors/404.html" in template_names(response)
    assert world_state() == before


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/manage/clinica-norte/people/{carla}/"),
    ("post", "/manage/clinica-norte/people/{carla}/"),
    ("post", "/manage/clinica-norte/people/{carla}/roles/"),
    ("get", "/manage/clinica-norte/departments/{it}/"),
    ("get", "/manage/clinica-norte/teams/{redes}/"),
    ("post", "/manage/clinica-norte/teams/{redes}/members/"),
])
def test_the_provider_admin_meets_each_organization_only_under_its_own_pages(
    provider_admin, places, foreign, web_client, method, url
):
    # given Carla, IT and Redes belong to Café Montaña, not to Clínica Norte
    url = url.format(**places)
    before = world_state()
    data = {**CARLA, "role": "agent", "department": str(places["other_it"]),
            "user": str(places["carla"])}

    # when
    response = getattr(web_client(provider_admin), method)(
        url, data if method == "post" else None)

    # then
    assert response.status_code == 404
    assert world_state() == before


def test_a_role_is_removed_only_under_its_own_organization(provider_admin, agent_ana, org_other,
                                                           other_it, web_client):
    # given Ana also works in Clínica Norte's IT
    clinica = MembershipFactory(user=agent_ana, organization=org_other, department=other_it,
                                role=Role.AGENT)
    before = world_state()

    # when
    wrong_page = web_client(provider_admin).post(
        f"/manage/cafe-montana/people/{agent_ana.pk}/roles/{clinica.pk}/remove/")

    # then
    assert wrong_page.status_code == 404
    assert world_state() == before
    right_page = web_client(provider_admin).post(
        f"/manage/clinica-norte/people/{agent_ana.pk}/roles/{clinica.pk}/remove/")
    assert right_page.status_code == 302
    assert not Membership.objects.filter(pk=clinica.pk).exists()


def test_the_provider_admin_gives_a_provider_agent_a_role_in_a_client(
    provider_admin, agent_ana, other_it, web_client
):
    # given Ana is staff of the provider, with no role yet in Clínica Norte
    client = web_client(provider_admin)

    # when
    shown = client.get(f"/manage/clinica-norte/people/{agent_ana.pk}/")
    granted = client.post(f"/manage/clinica-norte/people/{agent_ana.pk}/roles/",
                          {"role": "agent", "department": str(other_it.pk)})

    # then
    assert shown.status_code == 200
    assert granted.status_code == 302
    assert Membership.objects.filter(user=agent_ana, department=other_it,
                                     role=Role.AGENT).exists()


def test_an_organization_admin_cannot_reach_provider_staff_who_do_not_serve_them(
    admin_other_org, agent_ana, web_client
):
    # when
    response = web_client(admin_other_org).get(f"/manage/clinica-norte/people/{agent_ana.pk}/")

    # then
    assert response.status_code == 404


def test_a_signed_out_visitor_sees_error_pages_without_the_menu(cast):
    # when
    response = Client().get("/no-such-page/")

    # then
    assert response.status_code == 404
    assert page(response).find_all("details", cls="usermenu") == []
