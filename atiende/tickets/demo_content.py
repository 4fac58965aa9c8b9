"""What the demo desk's tickets say: Spanish situations, replies and notes.

This is demo *data*, not interface text, so it is not translated. Each situation is
one kind of thing people ask a desk for, with several ways of putting it; placeholders
in braces (`{area}`, `{mes}`, ...) are filled per ticket by `atiende.tickets.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass

from atiende.core.models import DepartmentFunction
from atiende.tickets.models import Kind, ResolutionCode

IT, HR, FINANCE = DepartmentFunction.IT, DepartmentFunction.HR, DepartmentFunction.FINANCE
INCIDENT, REQUEST = Kind.INCIDENT, Kind.SERVICE_REQUEST
FIXED, WORKAROUND, FULFILLED = (ResolutionCode.FIXED, ResolutionCode.WORKAROUND,
                                ResolutionCode.FULFILLED)
NO_FAULT, USER_ERROR, NOT_REPRODUCIBLE = (ResolutionCode.NO_FAULT, ResolutionCode.USER_ERROR,
                                          ResolutionCode.NOT_REPRODUCIBLE)

# Each department's category tree: a top level and its children (none: a leaf).
CATEGORY_TREES: dict[str, dict[str, tuple[str, ...]]] = {
    IT: {
        "Hardware": ("Impresoras", "Portátiles", "Periféricos"),
        "Software": ("Correo", "Ofimática", "ERP"),
        "Accesos": ("VPN", "Contraseñas", "Permisos"),
        "Redes": ("Wi-Fi", "Internet"),
    },
    HR: {
        "Nómina": ("Pagos", "Novedades"),
        "Certificados": (),
        "Vacaciones": (),
        "Incapacidades": (),
    },
    FINANCE: {
        "Reembolsos": (),
        "Facturas": (),
        "Presupuesto": (),
        "Pagos a proveedores": (),
    },
}

# Each department's services: name and description.
SERVICES: dict[str, tuple[tuple[str, str], ...]] = {
    IT: (
        ("Correo electrónico", "Buzones, listas de distribución y calendario."),
        ("Puesto de trabajo", "Equipos, periféricos y software de oficina."),
        ("Impresión", "Impresoras y escáneres de las sedes."),
        ("Acceso remoto (VPN)", "Conexión segura desde fuera de la oficina."),
        ("Cuentas y accesos", "Usuarios, contraseñas y permisos sobre carpetas y sistemas."),
        ("Red e Internet", "Red cableada, Wi-Fi y canales de Internet de las sedes."),
        ("Sistema ERP", "Facturación, inventario y contabilidad."),
    ),
    HR: (
        ("Nómina y compensación", "Pagos, novedades, descuentos y prestaciones."),
        ("Certificaciones laborales", "Certificados laborales y de ingresos."),
        ("Vacaciones y ausencias", "Vacaciones, permisos e incapacidades."),
    ),
    FINANCE: (
        ("Reembolsos y viáticos", "Anticipos, legalizaciones y reembolsos de gastos."),
        ("Cuentas por pagar", "Radicación y pago de facturas de proveedores."),
        ("Presupuesto", "Ejecución, traslados y aprobaciones presupuestales."),
        ("Tesorería", "Pagos, cuentas bancarias y conciliaciones."),
    ),
}


@dataclass(frozen=True)
class Situation:
    """One kind of thing people bring to a desk, and how it usually ends."""

    function: str
    category: tuple[str, ...]  # path in the department's tree
    service: str
    kind: str
    weight: int  # how often, relative to the department's other situations
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    resolutions: tuple[tuple[str, str], ...]  # (resolution code, notes)
    team: str | None = None  # the team that works it, when the department has it
    impact: tuple[int, ...] = (2, 3, 3)  # drawn from
    urgency: tuple[int, ...] = (2, 2, 3)
    third_party: str = ""  # who it may wait on


SITUATIONS: tuple[Situation, ...] = (
    # --- Tecnología ---------------------------------------------------------------------
    Situation(
        IT, ("Hardware", "Impresoras"), "Impresión", INCIDENT, 9, team="Soporte en sitio",
        titles=(
            "La impresora del piso {piso} no imprime",
            "La impresora de {area} atasca el papel en cada impresión",
            "No aparece la impresora de {area} en mi equipo",
            "La impresora imprime hojas en blanco",
            "Error de tóner en la impresora de {area}",
        ),
        descriptions=(
            "Desde esta mañana la impresora del piso {piso} muestra «{error_impresora}» y no "
            "sale ningún documento. Ya la apagué y la volví a encender, sin resultado.",
            "Cada vez que envío algo a la impresora de {area} se atasca la hoja en la bandeja "
            "2. Necesitamos imprimir {documento} hoy mismo.",
            "Cambiaron mi equipo la semana pasada y la impresora de {area} ya no aparece en la "
            "lista. Los compañeros sí pueden imprimir.",
            "Las hojas salen en blanco o con rayas grises. Ya cambiamos el papel.",
        ),
        resolutions=(
            (FIXED, "Se retiró el papel atascado del fusor y se limpiaron los rodillos. "
                    "La página de prueba salió bien."),
            (FIXED, "Se reinstaló el controlador y se volvió a agregar la cola de impresión "
                    "en el equipo del usuario."),
            (FIXED, "Se cambió el cartucho de tóner; la impresora imprime con normalidad."),
            (WORKAROUND, "Mientras llega el repuesto del fusor, la cola quedó redirigida a la "
                         "impresora del piso {piso_otro}."),
        ),
        third_party="el proveedor de las impresoras",
    ),
    Situation(
        IT, ("Hardware", "Portátiles"), "Puesto de trabajo", INCIDENT, 8,
        team="Soporte en sitio",
        titles=(
            "Mi portátil no enciende",
            "El portátil se recalienta y se apaga solo",
            "La pantalla del portátil tiene líneas de colores",
            "El equipo está muy lento desde la última actualización",
            "La batería del portátil dura menos de una hora",
            "El teclado del portátil no escribe algunas letras",
        ),
        descriptions=(
            "Al presionar el botón de encendido solo parpadea la luz naranja. Lo dejé cargando "
            "toda la noche y sigue igual. Tengo {reunion} y necesito el equipo.",
            "Después de unos veinte minutos de uso el ventilador suena muy fuerte y el equipo "
            "se apaga. Me pasa sobre todo con Teams abierto.",
            "Desde ayer la pantalla muestra líneas verticales de colores. Con un monitor "
            "externo se ve bien.",
            "Abrir Excel o el ERP tarda varios minutos desde que se instaló la actualización "
            "del {fecha}.",
        ),
        resolutions=(
            (FIXED, "Se reemplazó la batería y se actualizó el BIOS. El equipo enciende y carga "
                    "normalmente."),
            (FIXED, "Se limpió el sistema de ventilación y se cambió la pasta térmica."),
            (FIXED, "Se desinstaló la actualización defectuosa y se liberó espacio en disco; "
                    "el equipo arranca en menos de un minuto."),
            (WORKAROUND, "Se entregó un equipo de préstamo mientras el portátil está en "
                         "garantía con el fabricante."),
            (NOT_REPRODUCIBLE, "Se probó el equipo durante una hora sin que se repitiera la "
                               "falla. Se deja en observación."),
        ),
        third_party="el fabricante (garantía)",
    ),
    Situation(
        IT, ("Hardware", "Periféricos"), "Puesto de trabajo", REQUEST, 4,
        team="Soporte en sitio", impact=(3,), urgency=(3, 3, 2),
        titles=(
            "Solicitud de mouse y teclado inalámbricos",
            "Necesito una diadema para llamadas",
            "Solicitud de segundo monitor para {area}",
            "Solicitud de base refrigerante para portátil",
        ),
        descriptions=(
            "Buenos días, solicito {periferico} para mi puesto en {area}. Mi jefe ya aprobó la "
            "solicitud.",
            "Por favor, {periferico} para el puesto de la nueva persona que entra a {area} el "
            "{fecha}.",
        ),
        resolutions=(
            (FULFILLED, "Se entregó {periferico} en el puesto del usuario y quedó configurado."),
            (FULFILLED, "Elemento entregado y registrado en el inventario del usuario."),
        ),
    ),
    Situation(
        IT, ("Software", "Correo"), "Correo electrónico", INCIDENT, 9,
        team="Mesa de servicio N1",
        titles=(
            "No me llegan correos externos",
            "Outlook pide la contraseña constantemente",
            "Buzón lleno, no puedo enviar correos",
            "No puedo abrir archivos adjuntos en Outlook",
            "Los correos se quedan en la bandeja de salida",
            "No se sincroniza el correo en el celular",
        ),
        descriptions=(
            "Desde ayer no recibo correos de clientes. Los internos sí llegan. Un cliente me "
            "dice que le rebota el mensaje con un error.",
            "Cada vez que abro Outlook me pide usuario y contraseña, la escribo bien y vuelve "
            "a pedirla a los pocos minutos.",
            "Me sale el aviso de que el buzón está lleno y no puedo enviar nada. Tengo que "
            "mandar {documento} hoy.",
            "Al abrir un PDF adjunto Outlook se queda pensando y se cierra.",
        ),
        resolutions=(
            (FIXED, "Se ajustó la regla de filtrado que enviaba los correos externos a "
                    "cuarentena."),
            (FIXED, "Se eliminó la credencial guardada y se reconfiguró el perfil de Outlook."),
            (FIXED, "Se amplió el buzón y se activó el archivo en línea."),
            (USER_ERROR, "Se orientó al usuario para vaciar la carpeta de elementos eliminados "
                         "y usar el archivo en línea."),
            (NO_FAULT, "Se verificó el flujo de correo y los mensajes llegan bien; el remitente "
                       "tenía mal escrita la dirección."),
        ),
    ),
    Situation(
        IT, ("Software", "Correo"), "Correo electrónico", REQUEST, 3,
        team="Mesa de servicio N1", impact=(3,), urgency=(3, 2),
        titles=(
            "Solicitud de buzón compartido para {area}",
            "Crear lista de distribución para el equipo de {area}",
            "Agregar a una persona al buzón compartido de {area}",
        ),
        descriptions=(
            "Necesitamos un buzón compartido para {area}, con acceso para tres personas del "
            "equipo. El responsable será {jefe}.",
            "Por favor crear o actualizar el grupo de {area}; les envío la lista de personas "
            "por este medio.",
        ),
        resolutions=(
            (FULFILLED, "Buzón creado y permisos asignados; aparece en Outlook de cada "
                        "integrante en unas horas."),
            (FULFILLED, "Lista de distribución actualizada con las personas indicadas."),
        ),
    ),
    Situation(
        IT, ("Software", "Ofimática"), "Puesto de trabajo", INCIDENT, 5,
        team="Mesa de servicio N1",
        titles=(
            "Excel se cierra al abrir el informe de {mes}",
            "No puedo activar Office en el equipo nuevo",
            "Word muestra el mensaje «producto sin licencia»",
            "Teams no comparte pantalla",
        ),
        descriptions=(
            "El archivo del informe de {mes} se cierra solo al abrirlo. Otros archivos sí "
            "abren.",
            "Al iniciar Word sale el aviso de producto sin licencia y no deja editar.",
            "En las reuniones de Teams el botón de compartir pantalla no hace nada.",
        ),
        resolutions=(
            (FIXED, "Se reparó la instalación de Office y se reasignó la licencia."),
            (WORKAROUND, "El archivo tenía vínculos rotos; se entregó una copia sin vínculos "
                         "mientras el área actualiza las fuentes."),
            (FIXED, "Se actualizó Teams y se dieron permisos de grabación de pantalla."),
        ),
    ),
    Situation(
        IT, ("Software", "Ofimática"), "Puesto de trabajo", REQUEST, 4,
        team="Mesa de servicio N1", impact=(3,), urgency=(3, 3, 2),
        titles=(
            "Solicitud de instalación de {software}",
            "Instalar {software} en el equipo de {area}",
        ),
        descriptions=(
            "Buenos días, para las tareas de {area} necesito {software} en mi equipo. Adjunto "
            "la aprobación de mi jefe.",
            "Solicito instalar {software}; la licencia la compró el área el {fecha}.",
        ),
        resolutions=(
            (FULFILLED, "Se instaló {software} y se verificó que abre correctamente."),
            (FULFILLED, "Software instalado y licencia activada a nombre del usuario."),
        ),
    ),
    Situation(
        IT, ("Software", "ERP"), "Sistema ERP", INCIDENT, 6, team="Mesa de servicio N1",
        impact=(1, 2, 2), urgency=(1, 2, 2),
        titles=(
            "El ERP no deja registrar facturas",
            "Error al generar el reporte de inventario en el ERP",
            "El ERP está muy lento en {sede}",
            "El ERP muestra «sesión expirada» cada pocos minutos",
        ),
        descriptions=(
            "Al guardar una factura el ERP muestra «error de conexión con la base de datos». "
            "Estamos en cierre y hay {cantidad} facturas pendientes.",
            "El reporte de inventario se queda cargando y al final muestra un error. Lo "
            "necesitamos para el conteo de {fecha}.",
            "Todas las pantallas del ERP tardan más de un minuto en {sede}. Afecta a todo el "
            "equipo de {area}.",
        ),
        resolutions=(
            (FIXED, "Se reinició el servicio de aplicación del ERP y se amplió el grupo de "
                    "conexiones a la base de datos."),
            (WORKAROUND, "Se generó el reporte desde el servidor de réplica mientras el "
                         "fabricante corrige el error."),
            (FIXED, "Se depuraron las sesiones bloqueadas y se ajustó el tiempo de espera."),
        ),
        third_party="el fabricante del ERP",
    ),
    Situation(
        IT, ("Accesos", "VPN"), "Acceso remoto (VPN)", INCIDENT, 7,
        team="Redes e infraestructura", urgency=(1, 2, 2),
        titles=(
            "No puedo acceder a la VPN desde casa",
            "La VPN se desconecta cada pocos minutos",
            "Error de certificado al conectar la VPN",
            "Conectado a la VPN pero no abren las carpetas compartidas",
        ),
        descriptions=(
            "Desde casa la VPN muestra «no se pudo establecer la conexión». Ayer funcionaba. "
            "Hoy trabajo en remoto y no puedo entrar al ERP.",
            "La VPN conecta pero se cae cada cinco o diez minutos; pierdo lo que estoy "
            "haciendo en el ERP.",
            "Al conectar aparece un aviso de certificado vencido y no deja continuar.",
        ),
        resolutions=(
            (FIXED, "Se renovó el certificado del cliente VPN en el equipo del usuario."),
            (FIXED, "Se actualizó el cliente VPN a la última versión y se reconfiguró el "
                    "perfil."),
            (USER_ERROR, "El usuario tenía el perfil de otra sede; se orientó para usar el "
                         "perfil correcto."),
            (WORKAROUND, "Se habilitó el acceso por escritorio remoto web mientras el "
                         "proveedor de Internet del usuario revisa su enrutador."),
        ),
        third_party="el proveedor de Internet",
    ),
    Situation(
        IT, ("Accesos", "VPN"), "Acceso remoto (VPN)", REQUEST, 3,
        team="Redes e infraestructura", impact=(3,),
        titles=(
            "Solicitud de acceso VPN para trabajo remoto",
            "Acceso VPN temporal para {area} durante {mes}",
        ),
        descriptions=(
            "Me aprobaron trabajo en casa dos días por semana; solicito acceso a la VPN. "
            "Aprobación de {jefe} adjunta.",
            "Solicito VPN temporal para el equipo de {area} mientras se adecúan las oficinas.",
        ),
        resolutions=(
            (FULFILLED, "Usuario agregado al grupo de VPN y cliente instalado; conexión "
                        "probada con el usuario."),
        ),
    ),
    Situation(
        IT, ("Accesos", "Contraseñas"), "Cuentas y accesos", INCIDENT, 8,
        team="Mesa de servicio N1", urgency=(1, 2),
        titles=(
            "Se me bloqueó la cuenta de usuario",
            "Olvidé mi contraseña de red",
            "Restablecer la contraseña del correo",
            "No puedo iniciar sesión en el equipo",
        ),
        descriptions=(
            "Intenté varias veces entrar y ahora dice que la cuenta está bloqueada.",
            "Volví de vacaciones y no recuerdo la contraseña. ¿Me la pueden restablecer?",
            "El equipo dice «la relación de confianza entre esta estación y el dominio "
            "principal falló».",
        ),
        resolutions=(
            (FIXED, "Se desbloqueó la cuenta y se restableció la contraseña; el usuario la "
                    "cambió en el primer inicio de sesión."),
            (FIXED, "Se volvió a unir el equipo al dominio."),
            (USER_ERROR, "Se desbloqueó la cuenta; el celular seguía intentando con la "
                         "contraseña antigua. Se actualizó en el celular."),
        ),
    ),
    Situation(
        IT, ("Accesos", "Permisos"), "Cuentas y accesos", REQUEST, 6,
        team="Mesa de servicio N1", impact=(3,), urgency=(2, 3),
        titles=(
            "Solicitud de acceso a la carpeta compartida de {area}",
            "Alta de usuario para nuevo colaborador de {area}",
            "Baja de usuario por retiro",
            "Permisos de consulta en el ERP para {area}",
        ),
        descriptions=(
            "Solicito acceso de lectura y escritura a la carpeta de {area}. Aprobado por "
            "{jefe}.",
            "El {fecha} ingresa una persona nueva a {area}; necesita usuario de red, correo y "
            "acceso al ERP.",
            "Por retiro de un colaborador de {area}, por favor deshabilitar sus accesos a "
            "partir del {fecha}.",
        ),
        resolutions=(
            (FULFILLED, "Permisos asignados según la aprobación del responsable de la "
                        "carpeta."),
            (FULFILLED, "Usuario creado con correo y accesos; credenciales entregadas al jefe "
                        "inmediato."),
            (FULFILLED, "Cuenta deshabilitada y buzón convertido en compartido para el jefe."),
        ),
    ),
    Situation(
        IT, ("Redes", "Wi-Fi"), "Red e Internet", INCIDENT, 5,
        team="Redes e infraestructura",
        titles=(
            "El Wi-Fi de la sala de juntas no funciona",
            "Señal de Wi-Fi muy débil en el piso {piso}",
            "Los invitados no pueden conectarse al Wi-Fi",
        ),
        descriptions=(
            "En la sala de juntas del piso {piso} el Wi-Fi no aparece. Tenemos {reunion} con "
            "un cliente.",
            "En el costado norte del piso {piso} la señal se cae constantemente.",
            "La red de invitados no entrega dirección; los visitantes no pueden conectarse.",
        ),
        resolutions=(
            (FIXED, "Se reinició el punto de acceso y se actualizó su firmware."),
            (FIXED, "Se reubicó el punto de acceso del piso {piso}; la cobertura quedó "
                    "estable."),
            (FIXED, "Se amplió el rango DHCP de la red de invitados."),
        ),
    ),
    Situation(
        IT, ("Redes", "Internet"), "Red e Internet", INCIDENT, 3,
        team="Redes e infraestructura", impact=(1, 1, 2), urgency=(1, 1, 2),
        titles=(
            "Sin Internet en {sede}",
            "Internet muy lento en toda la oficina",
            "Caída intermitente del canal de Internet en {sede}",
        ),
        descriptions=(
            "Desde las {hora} no hay Internet en {sede}. Nadie puede facturar ni enviar "
            "correos.",
            "La navegación está muy lenta para todos; las videollamadas se cortan.",
        ),
        resolutions=(
            (FIXED, "El proveedor restableció el canal principal tras un corte de fibra."),
            (WORKAROUND, "Se conmutó al canal de respaldo mientras el proveedor repara el "
                         "principal."),
            (FIXED, "Se identificó un equipo que saturaba el canal con descargas; se limitó "
                    "su ancho de banda."),
        ),
        third_party="el proveedor de Internet",
    ),
    # --- Talento Humano -----------------------------------------------------------------
    Situation(
        HR, ("Nómina", "Pagos"), "Nómina y compensación", INCIDENT, 7, team="Nómina",
        urgency=(1, 2, 2),
        titles=(
            "Error en el desprendible de nómina de {mes}",
            "No me pagaron las horas extra de {mes}",
            "Descuento no reconocido en la nómina",
            "Diferencia en el pago de {bono}",
            "No ha llegado el pago de la quincena",
        ),
        descriptions=(
            "En el desprendible de {mes} aparece un salario básico menor al de mi contrato. "
            "Agradezco revisar.",
            "Trabajé horas extra en {mes} (aprobadas por {jefe}) y no aparecen en el pago.",
            "Aparece un descuento de {monto} que no reconozco. No tengo libranzas ni "
            "préstamos.",
            "El pago de {bono} llegó por un valor distinto al calculado.",
        ),
        resolutions=(
            (FIXED, "Se corrigió la novedad y el ajuste de {monto} se paga en la próxima "
                    "quincena."),
            (FIXED, "Se incluyeron las horas extra reportadas en el pago complementario."),
            (NO_FAULT, "Se revisó la liquidación: el valor es correcto. Se explicó el cálculo "
                       "al colaborador."),
        ),
        third_party="el banco",
    ),
    Situation(
        HR, ("Nómina", "Novedades"), "Nómina y compensación", REQUEST, 4, team="Nómina",
        impact=(3,), urgency=(2, 3),
        titles=(
            "Cambio de cuenta bancaria para el pago de nómina",
            "Solicitud de libranza con el fondo de empleados",
            "Actualización de beneficiarios para la caja de compensación",
        ),
        descriptions=(
            "Cambié de banco; adjunto la certificación bancaria para que el próximo pago "
            "llegue a la cuenta nueva.",
            "Solicito el trámite de la novedad; adjunto los documentos firmados.",
        ),
        resolutions=(
            (FULFILLED, "Novedad registrada; aplica a partir del pago de {mes_siguiente}."),
        ),
    ),
    Situation(
        HR, ("Certificados",), "Certificaciones laborales", REQUEST, 9,
        impact=(3,), urgency=(2, 3, 3),
        titles=(
            "Solicitud de certificado laboral",
            "Certificado laboral con funciones para trámite de visa",
            "{certificado_ingresos} {anio}",
            "Certificado laboral dirigido a {entidad}",
        ),
        descriptions=(
            "Buenos días, solicito un certificado laboral con cargo, salario y fecha de "
            "ingreso, dirigido a {entidad}.",
            "Necesito el certificado con funciones para la cita de visa del {fecha}.",
            "Por favor enviar el {certificado_ingresos_lower} del año {anio} para la "
            "declaración de renta.",
        ),
        resolutions=(
            (FULFILLED, "Certificado generado y enviado al correo del colaborador."),
            (FULFILLED, "Se envió el certificado firmado digitalmente."),
        ),
    ),
    Situation(
        HR, ("Vacaciones",), "Vacaciones y ausencias", REQUEST, 7, impact=(3,),
        urgency=(2, 3),
        titles=(
            "Solicitud de vacaciones del {inicio} al {fin}",
            "Consulta de saldo de días de vacaciones",
            "Aplazamiento de vacaciones programadas",
        ),
        descriptions=(
            "Solicito {dias} días hábiles de vacaciones del {inicio} al {fin}. Mi jefe, "
            "{jefe}, ya está enterado.",
            "¿Cuántos días de vacaciones tengo pendientes a la fecha?",
            "Por carga de trabajo en {area} necesito aplazar las vacaciones que tenía "
            "programadas para {mes_siguiente}.",
        ),
        resolutions=(
            (FULFILLED, "Vacaciones registradas; el pago se incluye en la nómina anterior a "
                        "la salida."),
            (FULFILLED, "Se informó el saldo: {dias} días hábiles pendientes."),
        ),
    ),
    Situation(
        HR, ("Incapacidades",), "Vacaciones y ausencias", REQUEST, 4, urgency=(2, 3),
        titles=(
            "Radicación de incapacidad médica de {dias} días",
            "Incapacidad no reflejada en la nómina",
        ),
        descriptions=(
            "Adjunto la incapacidad de {dias} días expedida el {fecha} por la EPS.",
            "Radiqué una incapacidad en {mes} y en el desprendible aparecen los días como "
            "ausencia no justificada.",
        ),
        resolutions=(
            (FULFILLED, "Incapacidad radicada ante la EPS y registrada en la nómina."),
            (FIXED, "Se corrigió la novedad; los días se reconocen en el siguiente pago."),
        ),
        third_party="la EPS",
    ),
    # --- Finanzas -----------------------------------------------------------------------
    Situation(
        FINANCE, ("Reembolsos",), "Reembolsos y viáticos", REQUEST, 9,
        impact=(3,), urgency=(2, 3),
        titles=(
            "Reembolso de viáticos {ciudad_a}–{ciudad_b}",  # noqa: RUF001 (a route)
            "Reembolso de gastos de taxi del {fecha}",
            "Legalización de anticipo de viaje a {ciudad_b}",
            "Reembolso de compra de {compra} para {area}",
        ),
        descriptions=(
            "Adjunto facturas del viaje a {ciudad_b} del {fecha} (hotel, alimentación y "
            "transporte) por {monto}.",
            "Solicito el reembolso de {monto} por taxis de la visita a clientes del {fecha}.",
            "Legalizo el anticipo del viaje a {ciudad_b}; adjunto soportes y el saldo a favor "
            "de la empresa.",
        ),
        resolutions=(
            (FULFILLED, "Reembolso aprobado por {monto}; se paga en la próxima dispersión."),
            (FULFILLED, "Anticipo legalizado con los soportes recibidos."),
        ),
    ),
    Situation(
        FINANCE, ("Reembolsos",), "Reembolsos y viáticos", INCIDENT, 3, urgency=(2, 2, 3),
        titles=(
            "Reembolso pendiente desde {mes}",
            "Me pagaron un valor menor en el reembolso",
        ),
        descriptions=(
            "Radiqué el reembolso de {monto} en {mes} y todavía no me llega el pago.",
            "El reembolso del viaje a {ciudad_b} llegó con {monto} menos de lo legalizado.",
        ),
        resolutions=(
            (FIXED, "El pago había quedado retenido por una cuenta inactiva; se reprocesó."),
            (NO_FAULT, "Se descontó una factura sin requisitos de ley; se explicó al "
                       "colaborador."),
        ),
    ),
    Situation(
        FINANCE, ("Facturas",), "Cuentas por pagar", INCIDENT, 6, team="Cuentas por pagar",
        urgency=(1, 2, 3),
        titles=(
            "Factura del proveedor {proveedor} rechazada",
            "Factura electrónica con {id_fiscal} incorrecto",
            "Pago pendiente de la factura {factura}",
        ),
        descriptions=(
            "El sistema rechazó la factura {factura} de {proveedor} por inconsistencia en el "
            "valor del IVA.",
            "La factura {factura} llegó con el {id_fiscal} de otra empresa; el proveedor pide "
            "que la aceptemos igual.",
            "{proveedor} reclama el pago de la factura {factura} por {monto}, vencida desde "
            "el {fecha}.",
        ),
        resolutions=(
            (FIXED, "Se solicitó nota crédito al proveedor y se radicó la factura corregida."),
            (FIXED, "Factura pagada en la dispersión del {fecha_pago}."),
            (NO_FAULT, "La factura ya había sido pagada; se envió el soporte al proveedor."),
        ),
        third_party="el proveedor",
    ),
    Situation(
        FINANCE, ("Facturas",), "Cuentas por pagar", REQUEST, 5, team="Cuentas por pagar",
        impact=(3,), urgency=(2, 3),
        titles=(
            "Radicación de factura {factura} de {proveedor}",
            "Solicitud de pago anticipado a {proveedor}",
        ),
        descriptions=(
            "Adjunto la factura {factura} de {proveedor} por {monto}, con la orden de compra "
            "aprobada.",
            "Solicito el pago anticipado a {proveedor} por {monto} según el contrato firmado.",
        ),
        resolutions=(
            (FULFILLED, "Factura radicada y programada para pago."),
            (FULFILLED, "Pago anticipado aprobado y programado."),
        ),
    ),
    Situation(
        FINANCE, ("Presupuesto",), "Presupuesto", REQUEST, 4, impact=(2, 3), urgency=(3,),
        titles=(
            "Solicitud de traslado presupuestal para {area}",
            "Consulta de ejecución presupuestal de {mes}",
            "Aprobación de compra fuera de presupuesto",
        ),
        descriptions=(
            "Solicito trasladar {monto} del rubro de capacitación al de tecnología de {area}.",
            "Necesito el informe de ejecución de {mes} para el comité de {area}.",
            "Se requiere comprar {compra} por {monto}, no prevista en el presupuesto anual.",
        ),
        resolutions=(
            (FULFILLED, "Traslado aprobado por la gerencia financiera."),
            (FULFILLED, "Informe de ejecución enviado al solicitante."),
        ),
    ),
    Situation(
        FINANCE, ("Pagos a proveedores",), "Tesorería", REQUEST, 3,
        impact=(3,), urgency=(2, 3),
        titles=(
            "Creación de proveedor nuevo: {proveedor}",
            "Cambio de cuenta bancaria del proveedor {proveedor}",
        ),
        descriptions=(
            "Adjunto documentos de {proveedor} ({id_fiscal}, certificación bancaria y "
            "formulario de vinculación) para crearlo como proveedor.",
            "{proveedor} informó cambio de cuenta bancaria; adjunto la certificación.",
        ),
        resolutions=(
            (FULFILLED, "Proveedor creado tras validar documentos y listas restrictivas."),
            (FULFILLED, "Cuenta actualizada después de confirmar el cambio por teléfono con el "
                        "proveedor."),
        ),
    ),
    Situation(
        FINANCE, ("Pagos a proveedores",), "Tesorería", INCIDENT, 2,
        impact=(1, 2), urgency=(1, 2),
        titles=(
            "Pago duplicado al proveedor {proveedor}",
            "Pago rechazado por el banco a {proveedor}",
        ),
        descriptions=(
            "En el extracto aparece dos veces el pago de la factura {factura} a {proveedor} "
            "por {monto}.",
            "El banco devolvió la transferencia a {proveedor} por cuenta inexistente.",
        ),
        resolutions=(
            (FIXED, "El proveedor devolvió el valor duplicado; se concilió en tesorería."),
            (FIXED, "Se corrigió la cuenta del proveedor y se repitió la transferencia."),
        ),
        third_party="el banco",
    ),
)

# What agents and requesters write along the way, per department function ("*": any).
ACKNOWLEDGEMENTS = {
    IT: (
        "Hola {nombre}, recibimos tu caso y ya lo estamos revisando.",
        "Buenos días {nombre}. Tomo el caso; en un momento te contacto.",
        "Hola {nombre}, ya estoy revisando. Te aviso cualquier novedad por aquí.",
        "{nombre}, el caso quedó asignado a {equipo}. Te mantenemos informado.",
    ),
    HR: (
        "Hola {nombre}, recibimos tu solicitud y la estamos tramitando.",
        "Buenos días {nombre}. Ya revisamos tu caso con el área de nómina.",
        "Hola {nombre}, gracias por escribirnos. Damos respuesta en los próximos días.",
    ),
    FINANCE: (
        "Hola {nombre}, recibimos los soportes y están en revisión.",
        "Buenos días {nombre}. Tu solicitud quedó radicada; te informamos cuando se apruebe.",
        "Hola {nombre}, estamos validando la información con tesorería.",
    ),
}
QUESTIONS = {
    IT: (
        "{nombre}, ¿me confirmas el número de inventario del equipo? Está en una etiqueta "
        "debajo del portátil.",
        "¿Puedes enviarme una captura de pantalla del error?",
        "¿A qué hora puedo conectarme de forma remota a tu equipo?",
        "¿Te pasa también desde otro equipo o solo desde el tuyo?",
    ),
    HR: (
        "{nombre}, ¿nos confirmas a quién debe ir dirigido el certificado?",
        "¿Puedes adjuntar la aprobación de tu jefe inmediato?",
        "Nos falta el soporte firmado; ¿nos lo envías por favor?",
    ),
    FINANCE: (
        "{nombre}, falta la factura del hotel; ¿la puedes adjuntar?",
        "¿Nos confirmas el centro de costos al que se carga el gasto?",
        "El soporte adjunto no es legible; ¿lo puedes enviar de nuevo?",
    ),
}
ANSWERS = {
    IT: (
        "Claro, el inventario es {inventario}.",
        "Adjunto la captura. Sale apenas abro el programa.",
        "Puedes conectarte hoy después de las {hora}.",
        "Solo me pasa en mi equipo; en el de mi compañera funciona bien.",
    ),
    HR: (
        "Debe ir dirigido a {entidad}. ¡Gracias!",
        "Adjunto la aprobación de {jefe}.",
        "Ya lo envié firmado.",
    ),
    FINANCE: (
        "Adjunto la factura del hotel. Disculpen.",
        "El centro de costos es el de {area}.",
        "Lo envío de nuevo escaneado.",
    ),
}
INTERNAL_NOTES = {
    IT: (
        "Revisé los registros: el error empezó después del mantenimiento del {fecha}.",
        "Posible falla del switch del piso {piso}; lo reviso con Redes.",
        "El usuario ya había reportado algo parecido hace dos semanas; revisar historial.",
        "Se pidió el repuesto al proveedor; llega en tres días hábiles.",
        "Conexión remota realizada; se tomaron los registros del equipo.",
    ),
    HR: (
        "Validar con contabilidad la fecha de corte antes de responder.",
        "Pendiente la firma de la jefa de área.",
        "Revisar si aplica el ajuste retroactivo.",
    ),
    FINANCE: (
        "Soportes completos; pasa a aprobación de tesorería.",
        "Verificar que la factura cumpla los requisitos de ley antes de aprobar.",
        "Monto por encima del tope de caja menor; requiere aprobación de gerencia.",
    ),
}
THIRD_PARTY_NOTES = (
    "Se escaló el caso a {tercero}; radicado {radicado}. Quedamos a la espera.",
    "En espera de respuesta de {tercero} (radicado {radicado}).",
)
ESCALATION_REASONS = (
    "Requiere revisión de la configuración de red.",
    "Fuera del alcance del primer nivel; necesita acceso a la infraestructura.",
    "Se descartó falla del equipo; parece un problema de la red.",
)
THANKS = (
    "¡Gracias! Ya funciona perfecto.",
    "Confirmo que quedó resuelto, muchas gracias.",
    "Listo, gracias por la ayuda.",
    "Recibido, muy amables.",
)
REOPEN_REASONS = (
    "Volvió a pasar esta mañana.",
    "Lamentablemente el problema persiste.",
    "Lo que me enviaron no corresponde a lo que pedí; ¿lo pueden revisar?",
    "Funcionó un día y otra vez está igual.",
)
CANCEL_REASONS = (
    "Ya no es necesario, se solucionó solo.",
    "Lo reporté por error, disculpen.",
    "Ya lo resolví directamente con mi jefe.",
    "Lo hablé con el área y ya no aplica.",
)

# Extra requesters per client (slug), so a thousand tickets do not come from six people.
REQUESTERS = {
    "cafe-montana": (
        "Camilo Arango", "Luisa Fernanda Gil", "Sebastián Osorio", "Natalia Quintero",
        "Juan Pablo Salazar", "Manuela Henao", "Esteban Zuluaga", "Paula Andrea Giraldo",
        "Tomás Londoño", "Catalina Duque",
    ),
    "clinica-san-rafael": (
        "Andrea Beltrán", "Ricardo Pineda", "Lina Marcela Ruiz", "Oscar Guerrero",
        "Claudia Patricia Rincón", "Hernán Vargas", "Diana Carolina Nieto", "Jaime Castaño",
        "Marcela Ospina", "Gustavo Parra", "Yolanda Cifuentes", "Alejandra Silva",
    ),
    "distribuidora-azteca": (
        "Miguel Ángel Torres", "Rosa María Gutiérrez", "Carlos Mendoza", "Adriana Navarro",
        "Ricardo Aguilar", "Verónica Domínguez", "Eduardo Vázquez", "Gabriela Ortega",
    ),
}

# Words and names that depend on the client or its country.
PLACES = {
    "cafe-montana": {
        "areas": ("Comercial", "Producción", "Logística", "Calidad", "Mercadeo",
                  "Contabilidad"),
        "sedes": ("la planta de Chinchiná", "la oficina de Bogotá", "la tienda de Usaquén"),
    },
    "clinica-san-rafael": {
        "areas": ("Urgencias", "Consulta externa", "Laboratorio clínico", "Facturación",
                  "Farmacia", "Hospitalización"),
        "sedes": ("la sede Norte", "la sede Centro", "la torre médica"),
    },
    "distribuidora-azteca": {
        "areas": ("Ventas", "Almacén", "Compras", "Distribución", "Crédito y cobranza"),
        "sedes": ("el CEDIS Tlalnepantla", "la sucursal Guadalajara",
                  "la sucursal Monterrey"),
    },
}
DEFAULT_PLACES = {"areas": ("Administración", "Operaciones"), "sedes": ("la sede principal",)}

COUNTRIES = {
    "CO": {
        "cities": ("Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena", "Bucaramanga",
                   "Pereira", "Manizales"),
        "suppliers": ("Papelería El Cóndor S.A.S.", "Transportes Andinos Ltda.",
                      "Tostadora La Esperanza", "Suministros Médicos del Valle",
                      "Aseo Integral S.A.S.", "Litografía Nacional"),
        "tax_id": "NIT",
        "bonus": "la prima de servicios",
        "income_certificate": "Certificado de ingresos y retenciones",
        "entities": ("Bancolombia", "la Embajada de España", "Davivienda",
                     "el Fondo Nacional del Ahorro", "a quien interese"),
        "invoice_prefix": "FE",
        "currency": "COP",
    },
    "MX": {
        "cities": ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Querétaro",
                   "Mérida", "León"),
        "suppliers": ("Papelera del Bajío", "Transportes Reyes", "Abarrotes La Merced",
                      "Empaques del Norte", "Logística Express Jalisco"),
        "tax_id": "RFC",
        "bonus": "el aguinaldo",
        "income_certificate": "Constancia de sueldos y retenciones",
        "entities": ("BBVA México", "el Consulado de Estados Unidos", "Infonavit",
                     "a quien corresponda"),
        "invoice_prefix": "A",
        "currency": "MXN",
    },
}

SOFTWARE = ("Adobe Acrobat Pro", "Power BI Desktop", "AutoCAD LT", "Zoom", "Microsoft Project",
            "7-Zip", "Visio")
PERIPHERALS = ("un mouse y un teclado inalámbricos", "una diadema con micrófono",
               "un segundo monitor de 24 pulgadas", "una base refrigerante",
               "un lector de código de barras")
PRINTER_ERRORS = ("Atasco de papel", "Tóner bajo", "Error 49", "Sin conexión")
DOCUMENTS = ("los informes del cierre", "las órdenes de despacho", "las facturas del día",
             "los contratos de los proveedores")
MEETINGS = ("una reunión a las 10", "una presentación con la gerencia",
            "una videollamada con un cliente")
PURCHASES = ("sillas ergonómicas", "un videoproyector", "licencias de software",
             "papelería")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")
