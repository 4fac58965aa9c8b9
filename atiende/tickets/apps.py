from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "atiende.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from atiende.tickets.integrity import register_sqlite_permission

        connection_created.connect(register_sqlite_permission,
                                   dispatch_uid="atiende_event_purge_permission")
        # Registers the outbox consumer that keeps the search index up to date, in
        # every process that dispatches events (web and worker).
        import atiende.tickets.search.index  # noqa: F401
