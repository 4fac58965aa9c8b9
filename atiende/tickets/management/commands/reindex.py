"""`atiende reindex`: rebuild the search documents of every ticket."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from atiende.tickets.search import reindex_all
from atiende.tickets.search.index import BATCH


class Command(BaseCommand):
    help = ("Rebuild the search index of every ticket, in batches (after an upgrade or a "
            "bulk load). Searches keep working while it runs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH,
                            help=f"tickets per transaction (default {BATCH})")

    def handle(self, *args, batch_size: int, **options) -> None:
        started = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} tickets indexed")

        done = reindex_all(batch=max(1, batch_size), progress=progress)
        self.stdout.write(f"Search index rebuilt: {done} tickets in "
                          f"{time.monotonic() - started:.1f} s.")
