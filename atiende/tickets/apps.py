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
        import datetime as dt

        # Registers the outbox consumer that keeps the search index up to date, in
        # every process that dispatches events (web and worker).
        import atiende.tickets.search.index  # noqa: F401
        from atiende.core import periodic
        from atiende.tickets.tasks import redeliver_events, sweep_attachment_files

        # Events a crashed process left undelivered, and consumers that failed on one,
        # are offered again within a minute; files of uploads whose transaction never
        # committed go within the hour.
        periodic.register("tickets.outbox", every=dt.timedelta(minutes=1),
                          task=redeliver_events)
        periodic.register("tickets.attachment_sweep", every=dt.timedelta(hours=1),
                          task=sweep_attachment_files)
