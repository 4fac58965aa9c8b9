"""The wording every e-mail notification starts with, in Spanish and English. It is
data, not code: an organization replaces it with its own (NotificationTemplate) in
the restricted template language of `atiende.notifications.rendering`, and it is
translated here, in place, not through gettext (an admin edits the text itself)."""

from __future__ import annotations

# (kind, language) -> (subject, body). The ticket tag ([INC-000123]) is put in front
# of every subject by the code, whatever the template says.
TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("ticket_created", "es"): (
        "Recibimos su solicitud: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "Registramos su caso {{ number }} «{{ title }}» en {{ department }}. "
        "Le avisaremos cuando haya novedades.\n\n"
        "Puede responder a este correo para agregar información.",
    ),
    ("ticket_created", "en"): (
        "We received your request: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "We logged your ticket {{ number }} \"{{ title }}\" with {{ department }}. "
        "We will let you know when there is news.\n\n"
        "You can reply to this e-mail to add information.",
    ),
    ("public_reply", "es"): (
        "Nueva respuesta: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ actor_name }} respondió en {{ number }}:\n\n{{ comment }}",
    ),
    ("public_reply", "en"): (
        "New reply: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ actor_name }} replied on {{ number }}:\n\n{{ comment }}",
    ),
    ("status_changed", "es"): (
        "Estado actualizado: {{ status }}",
        "Hola, {{ recipient_name }}:\n\n"
        "El caso {{ number }} «{{ title }}» ahora está en estado: {{ status }}."
        "{% if reason %}\nMotivo: {{ reason }}{% endif %}",
    ),
    ("status_changed", "en"): (
        "Status updated: {{ status }}",
        "Hello {{ recipient_name }},\n\n"
        "Ticket {{ number }} \"{{ title }}\" is now: {{ status }}."
        "{% if reason %}\nReason: {{ reason }}{% endif %}",
    ),
    ("resolved", "es"): (
        "Resuelto: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "Dimos por resuelto el caso {{ number }} «{{ title }}»."
        "{% if resolution %}\n\n{{ resolution }}{% endif %}\n\n"
        "Si el problema continúa, responda a este correo o reabra el caso en los próximos "
        "{{ reopen_days }} días."
        "{% if survey_link %}\n\n¿Cómo le atendimos? Califique de 1 (muy mal) a 5 (excelente) "
        "con un clic:\n1: {{ survey_link_1 }}\n2: {{ survey_link_2 }}\n3: {{ survey_link_3 }}"
        "\n4: {{ survey_link_4 }}\n5: {{ survey_link_5 }}{% endif %}",
    ),
    ("resolved", "en"): (
        "Resolved: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "We resolved ticket {{ number }} \"{{ title }}\"."
        "{% if resolution %}\n\n{{ resolution }}{% endif %}\n\n"
        "If the problem persists, reply to this e-mail or reopen the ticket within "
        "{{ reopen_days }} days."
        "{% if survey_link %}\n\nHow did we do? Rate us from 1 (very poor) to 5 (excellent) "
        "with one click:\n1: {{ survey_link_1 }}\n2: {{ survey_link_2 }}\n3: {{ survey_link_3 }}"
        "\n4: {{ survey_link_4 }}\n5: {{ survey_link_5 }}{% endif %}",
    ),
    ("assigned", "es"): (
        "Asignado: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ actor_name }} asignó el caso {{ number }} «{{ title }}» "
        "{% if team %}al equipo {{ team }}{% else %}a usted{% endif %}.\n"
        "Solicitante: {{ requester_name }}. Prioridad: {{ priority }}.",
    ),
    ("assigned", "en"): (
        "Assigned: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ actor_name }} assigned ticket {{ number }} \"{{ title }}\" "
        "{% if team %}to the team {{ team }}{% else %}to you{% endif %}.\n"
        "Requester: {{ requester_name }}. Priority: {{ priority }}.",
    ),
    ("mentioned", "es"): (
        "Le mencionaron en {{ number }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ actor_name }} le mencionó en una nota interna de {{ number }} «{{ title }}»:"
        "\n\n{{ comment }}",
    ),
    ("mentioned", "en"): (
        "You were mentioned on {{ number }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ actor_name }} mentioned you in an internal note on {{ number }} \"{{ title }}\":"
        "\n\n{{ comment }}",
    ),
    ("sla_warning", "es"): (
        "Alerta de ANS: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "El caso {{ number }} «{{ title }}» está por incumplir su acuerdo de nivel de "
        "servicio. Prioridad: {{ priority }}.",
    ),
    ("sla_warning", "en"): (
        "SLA warning: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "Ticket {{ number }} \"{{ title }}\" is about to breach its service level "
        "agreement. Priority: {{ priority }}.",
    ),
    ("sla_breached", "es"): (
        "ANS incumplido: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "El caso {{ number }} «{{ title }}» incumplió su acuerdo de nivel de servicio. "
        "Prioridad: {{ priority }}.",
    ),
    ("sla_breached", "en"): (
        "SLA breached: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "Ticket {{ number }} \"{{ title }}\" breached its service level agreement. "
        "Priority: {{ priority }}.",
    ),
    ("sla_escalated", "es"): (
        "Escalamiento de ANS: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "El caso {{ number }} «{{ title }}» alcanzó un nivel de escalamiento de su acuerdo "
        "de nivel de servicio y se le notifica a usted. Prioridad: {{ priority }}."
        "{% if team %} Equipo: {{ team }}.{% endif %}",
    ),
    ("sla_escalated", "en"): (
        "SLA escalation: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "Ticket {{ number }} \"{{ title }}\" reached an escalation level of its service "
        "level agreement and you are being told. Priority: {{ priority }}."
        "{% if team %} Team: {{ team }}.{% endif %}",
    ),
    ("low_satisfaction", "es"): (
        "Calificación baja ({{ score }}/5): {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ requester_name }} calificó con {{ score }} de 5 la atención del caso {{ number }} "
        "«{{ title }}»{% if team %} del equipo {{ team }}{% endif %}."
        "{% if survey_comment %}\n\nSu comentario:\n{{ survey_comment }}{% endif %}",
    ),
    ("low_satisfaction", "en"): (
        "Low satisfaction score ({{ score }}/5): {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ requester_name }} rated the service on ticket {{ number }} \"{{ title }}\""
        "{% if team %} (team {{ team }}){% endif %} {{ score }} out of 5."
        "{% if survey_comment %}\n\nTheir comment:\n{{ survey_comment }}{% endif %}",
    ),
    ("approval_requested", "es"): (
        "Aprobación pendiente: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ requester_name }} solicitó «{{ title }}» ({{ number }}) y necesita su "
        "aprobación.\n\n"
        "Revise la solicitud y decida aquí (el enlace sirve una sola vez y vence en 7 "
        "días):\n{{ approval_link }}\n\n"
        "También puede decidir en Atiende, en «Aprobaciones».",
    ),
    ("approval_requested", "en"): (
        "Approval needed: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ requester_name }} asked for \"{{ title }}\" ({{ number }}) and needs your "
        "approval.\n\n"
        "Review the request and decide here (the link works once and expires in 7 days):"
        "\n{{ approval_link }}\n\n"
        "You can also decide in Atiende, under \"Approvals\".",
    ),
    ("approval_rejected", "es"): (
        "Solicitud rechazada: {{ title }}",
        "Hola, {{ recipient_name }}:\n\n"
        "{{ actor_name }} rechazó su solicitud {{ number }} «{{ title }}», que quedó "
        "cancelada.{% if comment %}\n\nMotivo:\n{{ comment }}{% endif %}",
    ),
    ("approval_rejected", "en"): (
        "Request rejected: {{ title }}",
        "Hello {{ recipient_name }},\n\n"
        "{{ actor_name }} rejected your request {{ number }} \"{{ title }}\", and it was "
        "cancelled.{% if comment %}\n\nReason:\n{{ comment }}{% endif %}",
    ),
}
