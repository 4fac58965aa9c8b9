"""The named cast every test speaks of, and the clients that act as them.

Two client organizations served by one provider:
- Café Montaña (`org_cafe`) with departments IT (`it`) and HR (`hr`);
- Clínica Norte (`org_other`) with its own IT (`other_it`).

| name                         | who                                                       |
|------------------------------|-----------------------------------------------------------|
| provider_admin               | runs the whole installation                               |
| admin                        | organization admin of Café Montaña                        |
| agent_ana                    | provider agent in Café Montaña's IT, member of team Redes |
| agent_bruno_other_department | Café Montaña agent in HR only                             |
| agent_other_org              | agent in Clínica Norte's IT only                          |
| requester_carla              | requester of Café Montaña                                 |
| requester_other_org          | requester of Clínica Norte                                |
| admin_other_org              | organization admin of Clínica Norte                       |
| agent_nico                   | Café Montaña IT agent, not in team Redes                  |
| requester_diego              | a second requester of Café Montaña                        |
| team_nomina                  | team of Café Montaña's HR; Bruno is a member              |
| team_other_org               | team of Clínica Norte's IT; Óscar is a member             |
| lead_lucia                   | team lead of Café Montaña's IT, in team Redes             |

And Carla's incident INC-000001 in Café Montaña's IT (`incident`), logged by Ana by
phone, with the category `impresoras` (Hardware / Impresoras) at hand.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from atiende.core import services
from atiende.core.models import DepartmentFunction, Role
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)

PASSWORD = "clave-segura-123"


@pytest.fixture(scope="session", autouse=True)
def _test_resets_may_purge_the_event_log():
    """Between transactional tests the runner empties every table; the append-only
    event log lets that happen only under the purge permission, as any purge."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from atiende.tickets.integrity import event_purge_allowed

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self, sql_list):
        with event_purge_allowed(self.connection.alias):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Stored files of a test (and the periodic sweep of them) stay in its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Each test client builds the middleware afresh, and WhiteNoise would index every
    # static file each time; looking them up on demand keeps the suite fast.
    settings.WHITENOISE_AUTOREFRESH = True
    cache.clear()
    yield
    cache.clear()


# --- organizations and departments ------------------------------------------------------


@pytest.fixture
def provider(db):
    return OrganizationFactory(name="Nube Andina", slug="nube-andina", is_provider=True)


@pytest.fixture
def org_cafe(db):
    return OrganizationFactory(name="Café Montaña", slug="cafe-montana")


@pytest.fixture
def org_other(db):
    return OrganizationFactory(name="Clínica Norte", slug="clinica-norte")


@pytest.fixture
def it(org_cafe):
    return DepartmentFactory(organization=org_cafe, name="Tecnología", slug="tecnologia",
                             function=DepartmentFunction.IT)


@pytest.fixture
def hr(org_cafe):
    return DepartmentFactory(organization=org_cafe, name="Talento Humano",
                             slug="talento-humano", function=DepartmentFunction.HR)


@pytest.fixture
def other_it(org_other):
    return DepartmentFactory(organization=org_other, name="Sistemas", slug="sistemas",
                             function=DepartmentFunction.IT)


# --- people -----------------------------------------------------------------------------


def _person(email: str, name: str, organization, language: str = "es"):
    return UserFactory(email=email, display_name=name, organization=organization,
                       language=language)


@pytest.fixture
def provider_admin(provider):
    user = _person("laura@nubeandina.example", "Laura Martínez", provider)
    MembershipFactory(user=user, organization=provider, role=Role.PROVIDER_ADMIN)
    return user


@pytest.fixture
def admin(org_cafe, it, hr):
    user = _person("mateo@cafemontana.example", "Mateo Ramírez", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, role=Role.ORGANIZATION_ADMIN)
    return user


@pytest.fixture
def agent_ana(provider, org_cafe, it):
    user = _person("ana@nubeandina.example", "Ana Gómez", provider)
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.AGENT)
    return user


@pytest.fixture
def agent_bruno_other_department(org_cafe, hr):
    user = _person("bruno@cafemontana.example", "Bruno Díaz", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=hr, role=Role.AGENT)
    return user


@pytest.fixture
def agent_other_org(org_other, other_it):
    user = _person("oscar@clinicanorte.example", "Óscar Pineda", org_other)
    MembershipFactory(user=user, organization=org_other, department=other_it, role=Role.AGENT)
    return user


@pytest.fixture
def requester_carla(org_cafe):
    user = _person("carla@cafemontana.example", "Carla Rueda", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, role=Role.REQUESTER)
    return user


@pytest.fixture
def requester_other_org(org_other):
    user = _person("rita@clinicanorte.example", "Rita Salas", org_other)
    MembershipFactory(user=user, organization=org_other, role=Role.REQUESTER)
    return user


@pytest.fixture
def admin_other_org(org_other, other_it):
    user = _person("valeria@clinicanorte.example", "Valeria Ortiz", org_other)
    MembershipFactory(user=user, organization=org_other, role=Role.ORGANIZATION_ADMIN)
    return user


@pytest.fixture
def agent_nico(org_cafe, it):
    user = _person("nico@cafemontana.example", "Nicolás Vega", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.AGENT)
    return user


@pytest.fixture
def requester_diego(org_cafe):
    user = _person("diego@cafemontana.example", "Diego Torres", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, role=Role.REQUESTER)
    return user


@pytest.fixture
def team_nomina(hr, agent_bruno_other_department):
    team = TeamFactory(department=hr, name="Nómina")
    team.members.add(agent_bruno_other_department)
    return team


@pytest.fixture
def team_other_org(other_it, agent_other_org):
    team = TeamFactory(department=other_it, name="Soporte clínico")
    team.members.add(agent_other_org)
    return team


@pytest.fixture
def team_redes(it, agent_ana):
    team = TeamFactory(department=it, name="Redes")
    team.members.add(agent_ana)
    return team


@pytest.fixture
def lead_lucia(org_cafe, it, team_redes):
    """A team lead of Café Montaña's IT (may set priorities by hand), in team Redes."""
    user = _person("lucia@cafemontana.example", "Lucía Prieto", org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=it, role=Role.TEAM_LEAD)
    team_redes.members.add(user)
    return user


@pytest.fixture
def impresoras(it):
    from atiende.tickets.models import Category

    hardware = Category.objects.create(department=it, name="Hardware")
    return Category.objects.create(department=it, parent=hardware, name="Impresoras")


@pytest.fixture
def incident(agent_ana, requester_carla, org_cafe, it):
    """INC-000001: Carla's printer, logged by Ana by phone."""
    from atiende.tickets import services as ticket_services
    from atiende.tickets.models import Kind

    return ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="La impresora del piso 3 no imprime",
        description="<p>Sale una hoja en blanco.</p>", organization=org_cafe, department=it,
        requester=requester_carla, channel="phone",
    )


@pytest.fixture
def cast(request, admin, agent_ana, agent_bruno_other_department, agent_other_org,
         requester_carla, requester_other_org, provider_admin):
    """Every member of the cast at once, by name (None for anonymous)."""
    return {
        "anonymous": None,
        "requester_carla": requester_carla,
        "requester_other_org": requester_other_org,
        "agent_other_org": agent_other_org,
        "agent_bruno_other_department": agent_bruno_other_department,
        "agent_ana": agent_ana,
        "admin": admin,
        "provider_admin": provider_admin,
    }


@pytest.fixture
def actors(cast, admin_other_org) -> dict:
    """The cast by name, plus the admin of the other organization, who must not reach
    Café Montaña's pages either."""
    return {**cast, "admin_other_org": admin_other_org}


# --- clients ----------------------------------------------------------------------------


@pytest.fixture
def english_speakers():
    """Everyone saved in the test prefers English, so the pages and messages it reads
    are the source strings, whatever the Spanish catalog says. For modules that assert
    many messages: `pytestmark = pytest.mark.usefixtures("english_speakers")`."""
    from django.db.models.signals import pre_save

    from atiende.core.models import User

    def prefer_english(sender, instance, **kwargs):
        instance.language = "en"

    pre_save.connect(prefer_english, sender=User, dispatch_uid="english_speakers")
    yield
    pre_save.disconnect(sender=User, dispatch_uid="english_speakers")


@pytest.fixture
def web_client():
    """A browser-like client signed in as `user` (anonymous for None)."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client():
    """An API client that sends `user`'s new bearer token (no header for None)."""

    def make(user=None) -> Client:
        if user is None:
            return Client()
        _token, plaintext = services.token_create(actor=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {plaintext}"})

    return make
