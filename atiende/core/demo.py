"""A living demo desk: a provider serving three client organizations.

Loaded by `atiende demo`; every write goes through the services, as a provider admin
would make it. Later capabilities add their own demo records here (tickets:
`atiende.tickets.demo`).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction

from atiende.catalog.demo import load_demo_catalog
from atiende.core import services
from atiende.core.models import DepartmentFunction, Role, User
from atiende.knowledge.demo import load_demo_knowledge
from atiende.portal.demo import load_demo_portal
from atiende.satisfaction.demo import load_demo_surveys
from atiende.sla.demo import load_demo_calendars, load_demo_policies
from atiende.tickets.demo import DEMO_TICKETS, load_demo_tickets

DEMO_PASSWORD = "atiende-demo"

PROVIDER = {"name": "Nube Andina Servicios TI", "domain": "nubeandina.example"}

CLIENTS = [
    {
        "name": "Café Montaña S.A.S.", "slug": "cafe-montana", "domain": "cafemontana.example",
        "time_zone": "America/Bogota", "country": "CO",
        "admin": "Mateo Ramírez", "hr": "Sofía Castro", "finance": "Julián Ortiz",
        "requesters": ["Valentina López", "Andrés Moreno", "Isabella Rojas"],
    },
    {
        "name": "Clínica San Rafael", "slug": "clinica-san-rafael",
        "domain": "clinicasanrafael.example", "time_zone": "America/Bogota", "country": "CO",
        "admin": "Patricia Suárez", "hr": "Carolina Jiménez", "finance": "Felipe Torres",
        "requesters": ["Daniela Peña", "Santiago Mejía", "Mariana Cárdenas"],
    },
    {
        "name": "Distribuidora Azteca", "slug": "distribuidora-azteca",
        "domain": "azteca.example", "time_zone": "America/Mexico_City", "country": "MX",
        "admin": "Alejandro Hernández", "hr": "Guadalupe Ramírez", "finance": "Luis Fernández",
        "requesters": ["Ximena Flores", "Jorge Sánchez", "Fernanda Cruz"],
    },
]

DEPARTMENTS = [
    ("Tecnología", DepartmentFunction.IT,
     ["Mesa de servicio N1", "Soporte en sitio", "Redes e infraestructura"]),
    ("Talento Humano", DepartmentFunction.HR, ["Nómina", "Bienestar"]),
    ("Finanzas", DepartmentFunction.FINANCE, ["Cuentas por pagar", "Tesorería"]),
]

# Provider agents and the IT desks (by client index) they serve, with their role.
PROVIDER_AGENTS = [
    ("Ana Gómez", Role.AGENT, [0, 1, 2], "Mesa de servicio N1"),
    ("Bruno Díaz", Role.AGENT, [0, 1], "Soporte en sitio"),
    ("Camila Restrepo", Role.TEAM_LEAD, [0, 1], "Redes e infraestructura"),
    ("Diego Herrera", Role.DEPARTMENT_MANAGER, [0, 1, 2], None),
    ("Elena Vargas", Role.AGENT, [2], "Mesa de servicio N1"),
]


def email_for(name: str, domain: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, *rest = plain.split()
    return f"{first}.{rest[-1] if rest else 'x'}@{domain}"


def demo_accounts() -> list[tuple[str, str]]:
    client = CLIENTS[0]
    return [
        (email_for("Laura Martínez", PROVIDER["domain"]), "provider admin (Nube Andina)"),
        (email_for("Ana Gómez", PROVIDER["domain"]), "IT agent for the three clients"),
        (email_for("Diego Herrera", PROVIDER["domain"]), "IT department manager"),
        (email_for(client["admin"], client["domain"]), f"organization admin ({client['name']})"),
        (email_for(client["hr"], client["domain"]), f"HR agent ({client['name']})"),
        (email_for(client["requesters"][0], client["domain"]), f"requester ({client['name']})"),
    ]


@transaction.atomic
def load_demo(*, tickets: int = DEMO_TICKETS, now: datetime | None = None) -> None:
    """The provider, its three clients and their people, then `tickets` tickets over
    the last 120 days (`atiende.tickets.demo`)."""
    admin = services.provider_bootstrap(
        name=PROVIDER["name"], admin_email=email_for("Laura Martínez", PROVIDER["domain"]),
        admin_name="Laura Martínez",
    )
    provider = admin.organization
    it_departments, teams = [], {}
    for index, client in enumerate(CLIENTS):
        organization = services.organization_create(
            actor=admin, name=client["name"], slug=client["slug"],
            time_zone=client["time_zone"], country=client["country"], channel="cli",
        )
        departments = {}
        for name, function, team_names in DEPARTMENTS:
            department = services.department_create(
                actor=admin, organization=organization, name=name, function=function,
                channel="cli",
            )
            departments[function] = department
            for team_name in team_names:
                teams[(index, team_name)] = services.team_create(
                    actor=admin, department=department, name=team_name, channel="cli"
                )
        it_departments.append(departments[DepartmentFunction.IT])
        chief = _person(admin, organization, client, client["admin"], Role.ORGANIZATION_ADMIN)
        hr = _person(admin, organization, client, client["hr"], Role.AGENT,
                     departments[DepartmentFunction.HR])
        finance = _person(admin, organization, client, client["finance"], Role.AGENT,
                          departments[DepartmentFunction.FINANCE])
        services.team_member_add(actor=admin, team=teams[(index, "Nómina")], user=hr,
                                 channel="cli")
        services.team_member_add(actor=admin, team=teams[(index, "Cuentas por pagar")],
                                 user=finance, channel="cli")
        # The admin leads the organization: manager of its requesters (who approves what
        # they ask for) and its one "VIP", whom service levels may favour.
        vip = services.group_create(actor=admin, organization=organization, name="VIP",
                                    description="Gerencia", channel="cli")
        services.group_member_add(actor=admin, group=vip, user=chief, channel="cli")
        for name in client["requesters"]:
            requester = _person(admin, organization, client, name, Role.REQUESTER)
            services.user_update(actor=admin, user=requester, changes={"manager_id": chief.pk},
                                 channel="cli")

    for name, role, client_indexes, team_name in PROVIDER_AGENTS:
        agent = services.user_create(
            actor=admin, organization=provider, email=email_for(name, PROVIDER["domain"]),
            display_name=name, role=None, invite=False, channel="cli",
        )
        for index in client_indexes:
            client_organization = it_departments[index].organization
            services.membership_grant(actor=admin, user=agent, organization=client_organization,
                                      department=it_departments[index], role=role,
                                      channel="cli")
            if team_name:
                team = teams[(index, team_name)]
                services.team_member_add(actor=admin, team=team, user=agent, channel="cli")
                if role == Role.TEAM_LEAD:
                    services.team_update(actor=admin, team=team, changes={"lead_id": agent.pk},
                                         channel="cli")
    load_demo_calendars(actor=admin)
    load_demo_tickets(actor=admin, count=tickets, now=now)
    load_demo_policies(actor=admin)
    load_demo_catalog(actor=admin)
    load_demo_knowledge(actor=admin)
    load_demo_portal(actor=admin)
    load_demo_surveys(now=now)
    # One hash for every demo account: hashing it thirty times would only slow the load.
    User.objects.filter(email__endswith=".example").update(password=make_password(DEMO_PASSWORD))


def _person(admin, organization, client, name, role, department=None) -> User:
    return services.user_create(
        actor=admin, organization=organization, email=email_for(name, client["domain"]),
        display_name=name, role=role, department=department, time_zone=client["time_zone"],
        invite=False, channel="cli",
    )
