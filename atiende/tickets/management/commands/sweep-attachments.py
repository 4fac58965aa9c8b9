"""`atiende sweep-attachments`: delete stored files that no attachment refers to."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from atiende.tickets.attachments import ORPHAN_MIN_AGE, sweep_orphan_files


class Command(BaseCommand):
    help = ("Delete the files of the attachment storage that no attachment refers to (left "
            "by uploads whose transaction failed, or by deleted tickets). Only files older "
            "than an hour are touched, so an upload in progress is never swept.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="list the files that would be deleted; delete nothing")
        parser.add_argument("--min-age-minutes", type=int,
                            default=int(ORPHAN_MIN_AGE.total_seconds() // 60),
                            help="only files at least this old (default 60)")

    def handle(self, *args, dry_run: bool, min_age_minutes: int, **options) -> None:
        report = sweep_orphan_files(min_age=dt.timedelta(minutes=max(0, min_age_minutes)),
                                    dry_run=dry_run)
        if dry_run:
            for swept in report.files:
                self.stdout.write(f"{swept.name}\t{swept.size}")
            message = _("%(count)d orphan files (%(bytes)d bytes) would be deleted.")
        else:
            message = _("Deleted %(count)d orphan files (%(bytes)d bytes).")
        self.stdout.write(message % {"count": report.count, "bytes": report.size})
