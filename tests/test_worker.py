"""The background worker with the real database task backend: a new person's invitation
is queued when the creating transaction commits and delivered by `db_worker`, once."""

from __future__ import annotations

import logging
import re
import signal

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import url_str_to_user_pk
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from atiende.core import services
from atiende.core.models import User

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default", "mail"]}}


def run_worker() -> None:
    """Run every ready task, as `atiende worker --batch` would, then give the test process
    back the signal handlers and log levels the worker sets for itself."""
    handlers = {signum: signal.getsignal(signum)
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                     "--no-reload", "--interval", "0", verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@pytest.fixture
def database_tasks(settings):
    """Undo the suite's immediate backend: tasks are rows that a worker runs."""
    settings.TASKS = DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_invitation_is_queued_on_commit_and_delivered_once_by_the_worker(
    database_tasks, admin, org_cafe, settings, mailoutbox, client
):
    # given: nothing queued yet
    assert DBTaskResult.objects.count() == 0

    # when: an organization admin creates a person
    person = services.user_create(actor=admin, organization=org_cafe,
                                  email="nueva.persona@cafemontana.example",
                                  display_name="Nueva Persona")

    # then: the invitation waits in the mail queue, nothing is sent yet
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "atiende.core.tasks.send_invitation"
    assert queued.queue_name == "mail"
    assert queued.status == "READY"
    assert queued.args_kwargs == {"args": [], "kwargs": {"user_id": person.pk}}
    assert mailoutbox == []

    # when: the worker runs
    run_worker()

    # then: one e-mail, in the person's language, with a working set-password link
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nueva.persona@cafemontana.example"]
    assert message.subject == "Lo invitaron a la mesa de servicio de Café Montaña"
    match = re.search(re.escape(settings.SITE_URL)
                      + r"(/accounts/password/reset/key/(\w+)-([\w-]+)/)", message.body)
    assert match is not None, message.body
    path, uid, key = match.groups()
    assert url_str_to_user_pk(uid) == person.pk
    assert default_token_generator.check_token(User.objects.get(pk=person.pk), key)
    assert client.get(path).status_code == 302  # allauth hides the key behind a redirect
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert len(queued.worker_ids) == 1

    # when: the worker runs again
    run_worker()

    # then: nothing more is sent
    assert len(mailoutbox) == 1
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert len(queued.worker_ids) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_when_the_creating_transaction_rolls_back(
    database_tasks, admin, org_cafe, mailoutbox
):
    # given: a person created inside a transaction that then fails
    with pytest.raises(RuntimeError), transaction.atomic():
        services.user_create(actor=admin, organization=org_cafe,
                             email="fantasma@cafemontana.example", display_name="Fantasma")
        raise RuntimeError("rolled back")

    # when: the worker runs
    run_worker()

    # then: no person, no task, no e-mail
    assert not User.objects.filter(email="fantasma@cafemontana.example").exists()
    assert DBTaskResult.objects.count() == 0
    assert mailoutbox == []
