"""Demo catalog: what each client's desks offer, built through the catalog services.

Called by `atiende.core.demo.load_demo` once the departments (and their services,
from the ticket demo) exist.
"""

from __future__ import annotations

from atiende.catalog import services
from atiende.core.models import Department, DepartmentFunction, User
from atiende.tickets.models import Service

LAPTOP_FORM = [
    {"key": "motivo", "label": "¿Para qué lo necesita?", "type": "choice", "required": True,
     "choices": ["Persona nueva", "Reemplazo por daño", "Renovación"]},
    {"key": "para", "label": "¿Para quién es?", "type": "user",
     "help": "Déjelo vacío si es para usted."},
    {"key": "perfil", "label": "Perfil de uso", "type": "choice", "required": True,
     "choices": ["Oficina", "Diseño", "Desarrollo"], "default": "Oficina"},
    {"key": "programas", "label": "Programas adicionales", "type": "multiple_choice",
     "choices": ["Microsoft Project", "Visio", "Adobe Acrobat Pro", "Power BI Desktop"]},
    {"key": "monitor", "label": "¿Necesita monitor adicional?", "type": "checkbox"},
    {"key": "tamano_monitor", "label": "Tamaño del monitor", "type": "choice",
     "required": True, "choices": ["24 pulgadas", "27 pulgadas"],
     "show_if": {"field": "monitor", "equals": True}},
    {"key": "fecha", "label": "¿Para cuándo lo necesita?", "type": "date"},
    {"key": "comentarios", "label": "Comentarios", "type": "long_text"},
]
VPN_FORM = [
    {"key": "usuario", "label": "Usuario de red", "type": "text", "required": True,
     "pattern": r"[a-z][a-z0-9.]{2,30}", "help": "Como inicia sesión en Windows, p. ej. "
     "valentina.lopez"},
    {"key": "equipo", "label": "Equipo desde el que se conecta", "type": "choice",
     "required": True, "choices": ["Portátil de la empresa", "Equipo personal"]},
    {"key": "acepta", "label": "Acepto la política de uso de acceso remoto",
     "type": "checkbox", "required": True},
]
CERTIFICATE_FORM = [
    {"key": "dirigido_a", "label": "Dirigido a", "type": "choice", "required": True,
     "choices": ["A quien interese", "Entidad bancaria", "Embajada"]},
    {"key": "entidad", "label": "Nombre de la entidad", "type": "text", "required": True,
     "show_if": {"field": "dirigido_a", "equals": "Entidad bancaria"}},
    {"key": "incluye_salario", "label": "Incluir el salario", "type": "checkbox"},
]
REFUND_FORM = [
    {"key": "viaje", "label": "Motivo del viaje", "type": "text", "required": True},
    {"key": "fecha_viaje", "label": "Fecha del viaje", "type": "date", "required": True,
     "min": "2024-01-01"},
    {"key": "valor", "label": "Valor a reembolsar (COP)", "type": "number", "required": True,
     "min": 1000, "max": 5000000, "help": "Entre $1.000 y $5.000.000."},
    {"key": "soporte", "label": "Factura o soporte", "type": "attachment", "required": True},
    {"key": "cuenta", "label": "Cuenta para el pago", "type": "text",
     "pattern": r"\d{6,20}", "help": "Solo números."},
]

DESCRIPTIONS = {
    "Nuevo portátil": "<p>Le entregamos un portátil con Windows, Office y el antivirus de "
    "la empresa, listo para iniciar sesión con su usuario de red.</p><ul><li>Si es para una "
    "persona nueva, pídalo con una semana de anticipación.</li><li>El equipo anterior se "
    "devuelve a Tecnología el día de la entrega.</li></ul>",
    "Acceso a VPN": "<p>Acceso remoto seguro a las carpetas y sistemas internos. Se "
    "activa para su usuario de red y se usa con el cliente de VPN y su segundo factor.</p>",
    "Certificado laboral": "<p>Certificado firmado digitalmente con su cargo, fecha de "
    "ingreso y tipo de contrato. Llega a su correo en PDF.</p>",
    "Reembolso de viáticos": "<p>Legalice los gastos de un viaje de trabajo aprobado. "
    "Adjunte la factura electrónica o el soporte de cada gasto; el pago se hace en el "
    "siguiente ciclo de tesorería.</p>",
}

# function -> [(category, position, item name, short description, delivery (amount,
# unit), service name, form)]
ITEMS = {
    DepartmentFunction.IT: [
        ("Equipos", 1, "Nuevo portátil", "Un portátil configurado con su software.",
         (5, "working_days"), "Puesto de trabajo", LAPTOP_FORM),
        ("Accesos", 2, "Acceso a VPN", "Conéctese a la red de la empresa desde fuera.",
         (8, "hours"), "Acceso remoto (VPN)", VPN_FORM),
    ],
    DepartmentFunction.HR: [
        ("Certificados", 1, "Certificado laboral", "Constancia de su vínculo laboral.",
         (2, "working_days"), "Certificaciones laborales", CERTIFICATE_FORM),
    ],
    DepartmentFunction.FINANCE: [
        ("Gastos de viaje", 1, "Reembolso de viáticos", "Recupere los gastos de un viaje de "
         "trabajo.", (10, "working_days"), "Reembolsos y viáticos", REFUND_FORM),
    ],
}


def load_demo_catalog(*, actor: User) -> None:
    """Categories and items, with their forms, for every client organization's desks."""
    departments = Department.objects.filter(
        organization__is_provider=False, function__in=list(ITEMS)).select_related(
        "organization")
    for department in departments:
        categories = {}
        for category, position, name, short, (amount, unit), service, form in ITEMS[
                department.function]:
            if category not in categories:
                categories[category] = services.category_save(
                    actor=actor, department=department, name=category, position=position,
                    channel="cli")
            item = services.item_save(actor=actor, department=department, channel="cli", values={
                "name": name, "short_description": short, "category": categories[category],
                "delivery_amount": amount, "delivery_unit": unit,
                "service": Service.objects.filter(department=department, name=service).first(),
                "description": DESCRIPTIONS[name],
            })
            services.form_publish(actor=actor, item=item, fields=form, channel="cli")
            _plans(actor, item)


# item name -> (approval steps, fulfilment tasks as (title, team name, stage)). The
# requesters' managers are set by the people demo (atiende.core.demo).
PLANS = {
    "Nuevo portátil": ([{"approver_kind": "manager"}], [
        ("Crear la cuenta de red y el correo", "Redes e infraestructura", 1),
        ("Preparar el portátil con su software", "Soporte en sitio", 1),
        ("Entregar el portátil y recibir el anterior", "Soporte en sitio", 2)]),
    "Acceso a VPN": ([{"approver_kind": "manager"}], [
        ("Activar la VPN y el segundo factor", "Redes e infraestructura", 1)]),
}


def _plans(actor: User, item) -> None:
    from atiende.catalog import approval_services
    from atiende.core.models import Team

    steps, tasks = PLANS.get(item.name, ([], []))
    teams = {team.name: team for team in Team.objects.filter(
        department__organization=item.department.organization, is_active=True)}
    tasks = [{"title": title, "team": teams[team], "stage": stage}
             for title, team, stage in tasks if team in teams]
    if steps:
        approval_services.approval_plan_save(actor=actor, item=item, steps=steps,
                                             channel="cli")
    if tasks:
        approval_services.fulfilment_plan_save(actor=actor, item=item, tasks=tasks,
                                               channel="cli")
