"""Demo satisfaction: the surveys the demo's resolved tickets would have sent, about
half of them answered, so the results page has months of answers to show.

Like the tickets' history (`atiende.tickets.demo`), these answers happened before the
desk was installed: their events are marked delivered, so no low-score alert goes out
for them."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from atiende.satisfaction import services
from atiende.satisfaction.services import SURVEYED_KINDS
from atiende.tickets.demo import DEMO_SEED
from atiende.tickets.models import Event, EventKind, Status

ANSWERED_SHARE = 0.55
SCORES = [5, 4, 3, 2, 1]
SCORE_WEIGHTS = [46, 30, 12, 7, 5]
COMMENTS = {
    5: ["Excelente atención, muy rápido.", "Resolvieron todo en la primera llamada.", ""],
    4: ["Bien, aunque tardó un poco.", "Buena atención.", ""],
    3: ["Se resolvió, pero tuve que insistir.", ""],
    2: ["Demoraron varios días en responder."],
    1: ["Nadie me contestó hasta que llamé al jefe del área."],
}


@transaction.atomic
def load_demo_surveys(*, seed: int = DEMO_SEED, now: dt.datetime | None = None) -> int:
    """Send the survey of every resolved demo incident and request (through the same
    service the outbox consumer calls) and answer about half of them as their
    requesters. Returns the number of answers."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:satisfaction")  # noqa: S311 (demo data, not secrets)
    resolutions = (Event.objects.filter(kind=EventKind.STATUS,
                                        ticket__kind__in=SURVEYED_KINDS)
                   .select_related("ticket__requester").order_by("pk"))
    latest: dict[int, Event] = {}
    for event in resolutions.iterator(chunk_size=2000):
        if event.new_value == Status.RESOLVED:
            latest[event.ticket_id] = event
    answered, answer_events = 0, []
    for event in latest.values():
        survey = services.survey_send(event=event)
        if survey is None or rng.random() >= ANSWERED_SHARE:
            continue
        score = rng.choices(SCORES, SCORE_WEIGHTS)[0]
        # Answered within two days of the resolution, as people answer such e-mails.
        answered_at = min(now, event.created_at + dt.timedelta(minutes=rng.randint(5, 2880)))
        services.survey_answer(actor=event.ticket.requester, survey=survey, score=score,
                               comment=rng.choice(COMMENTS[score]), at=answered_at)
        answered += 1
        answer_events.append(event.ticket_id)
    for first in range(0, len(answer_events), 500):
        Event.objects.filter(ticket_id__in=answer_events[first:first + 500],
                             kind=EventKind.SATISFACTION_RATED,
                             delivered_at__isnull=True).update(delivered_at=now)
    return answered
