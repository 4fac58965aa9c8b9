"""Demo knowledge: Spanish articles (some translated to English) in every client's IT,
HR and Finance departments, in every state of the workflow."""

from __future__ import annotations

from django.utils.html import linebreaks

from atiende.core.models import Department, DepartmentFunction, User
from atiende.knowledge import services
from atiende.knowledge.models import KnowledgeCategory

# (function, category, visibility, Spanish title, Spanish text, English title and text or
# None, state: "published", "review" or "draft")
ARTICLES = [
    (DepartmentFunction.IT, "Acceso remoto", "public", "Conectarse a la VPN desde casa",
     "Descargue el cliente VPN desde el portal de la empresa e instálelo.\n\n"
     "Abra el cliente, escriba vpn.empresa.example como servidor y entre con su usuario y "
     "contraseña de red. Si la conexión falla, revise que su internet funcione y reinicie "
     "el equipo.",
     ("Connect to the VPN from home",
      "Download the VPN client from the company portal and install it.\n\nOpen it, type "
      "vpn.empresa.example as the server and sign in with your network user and password."),
     "published"),
    (DepartmentFunction.IT, "Impresión", "public", "La impresora no imprime o saca hojas en blanco",
     "Revise que la impresora esté encendida y conectada a la red.\n\nSi saca hojas en blanco, "
     "cambie el tóner. Si la cola de impresión está detenida, elimine los trabajos pendientes "
     "y envíe el documento otra vez.",
     ("The printer does not print or prints blank pages",
      "Check that the printer is on and connected.\n\nIf pages come out blank, replace the "
      "toner."), "published"),
    (DepartmentFunction.IT, "Impresión", "public", "Agregar una impresora de red en Windows",
     "Abra Configuración → Dispositivos → Impresoras y escáneres y elija «Agregar impresora». "
     "Seleccione la impresora del piso en la lista. Las impresoras compartidas aparecen con "
     "el nombre del piso.", None, "published"),
    (DepartmentFunction.IT, "Correo", "public", "Configurar el correo en el celular",
     "Instale la aplicación de correo corporativo. Entre con su dirección de correo y "
     "contraseña y acepte la configuración de seguridad del dispositivo.",
     ("Set up e-mail on your phone",
      "Install the corporate mail app, sign in with your e-mail address and password and "
      "accept the device security settings."), "published"),
    (DepartmentFunction.IT, "Correo", "public", "El buzón de correo está lleno",
     "Vacíe la papelera y la carpeta de elementos enviados. Archive los correos con adjuntos "
     "grandes. Si necesita más espacio, solicítelo en el catálogo de servicios.", None,
     "published"),
    (DepartmentFunction.IT, "Cuentas y contraseñas", "public", "Cambiar o recuperar la contraseña",
     "Para cambiarla, entre al portal y elija «Cambiar contraseña». Debe tener al menos 12 "
     "caracteres.\n\nSi la olvidó, use «¿Olvidó su contraseña?» en la pantalla de inicio: "
     "recibirá un enlace en su correo personal.",
     ("Change or recover your password",
      "To change it, open the portal and choose “Change password”. If you forgot it, use "
      "“Forgot your password?” on the sign-in page."), "published"),
    (DepartmentFunction.IT, "Cuentas y contraseñas", "internal",
     "Desbloquear una cuenta de directorio activo",
     "Verifique la identidad de la persona con dos datos. En la consola de usuarios, busque "
     "la cuenta, desbloquéela y obligue el cambio de contraseña en el próximo inicio.", None,
     "published"),
    (DepartmentFunction.IT, "Acceso remoto", "internal", "Renovar el certificado del servidor VPN",
     "Genere la solicitud de certificado, envíela a la autoridad certificadora e instale el "
     "certificado nuevo una semana antes del vencimiento.", None, "review"),
    (DepartmentFunction.HR, "Certificados", "public", "Solicitar un certificado laboral",
     "Pida el certificado laboral en el catálogo de servicios de Talento Humano. Indique si "
     "debe incluir el salario. Lo recibirá por correo en dos días hábiles.",
     ("Request an employment certificate",
      "Ask for the employment certificate in the HR service catalog. It arrives by e-mail "
      "within two working days."), "published"),
    (DepartmentFunction.HR, "Vacaciones", "public", "Cómo pedir vacaciones",
     "Solicite sus vacaciones con quince días de anticipación. Su jefe inmediato las aprueba "
     "y Talento Humano confirma los días disponibles.", None, "published"),
    (DepartmentFunction.HR, "Vacaciones", "internal", "Liquidar vacaciones en la nómina",
     "Revise los días causados, registre la novedad en el sistema de nómina antes del corte "
     "y adjunte la aprobación del jefe.", None, "draft"),
    (DepartmentFunction.FINANCE, "Viáticos", "public", "Pedir el reembolso de viáticos",
     "Legalice sus viáticos dentro de los cinco días hábiles siguientes al viaje. Adjunte las "
     "facturas electrónicas a nombre de la empresa y el formato de legalización firmado.",
     ("Get your travel expenses reimbursed",
      "Submit your travel expenses within five working days of the trip, with the company's "
      "electronic invoices attached."), "published"),
]


def _html(text: str) -> str:
    return linebreaks(text, autoescape=True)


def load_demo_knowledge(*, actor: User) -> int:
    """Write the demo articles in every client's departments (the first client gets
    all of them, the others the published ones of their IT and HR desks: 30 in all);
    return how many."""
    count = 0
    clients = (Department.objects.filter(organization__is_provider=False)
               .select_related("organization").order_by("organization_id", "pk"))
    first_client = None
    for department in clients:
        first_client = first_client or department.organization_id
        for function, category, visibility, title, body, english, state in ARTICLES:
            if function != department.function:
                continue
            if department.organization_id != first_client and (
                    state != "published" or function == DepartmentFunction.FINANCE):
                continue
            count += 1
            _write(actor, department, category, visibility, title, body, english, state)
    return count


def _write(actor, department, category, visibility, title, body, english, state) -> None:
    heading, _created = KnowledgeCategory.objects.get_or_create(department=department,
                                                                name=category)
    article = services.article_create(actor=actor, department=department, title=title,
                                      body=_html(body), visibility=visibility,
                                      category=heading, channel="cli")
    if state in ("review", "published"):
        services.article_transition(actor=actor, article_id=article.pk, language="es",
                                    action="submit", channel="cli")
    if state == "published":
        services.article_transition(actor=actor, article_id=article.pk, language="es",
                                    action="publish", channel="cli")
    if english:
        services.article_edit(actor=actor, article_id=article.pk, language="en",
                              title=english[0], body=_html(english[1]), channel="cli")
        if state == "published":
            services.article_transition(actor=actor, article_id=article.pk, language="en",
                                        action="publish", channel="cli")
