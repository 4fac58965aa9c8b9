"""Publishing forms and asking for items."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.catalog import services
from atiende.catalog.models import FormVersion, RequestAnswers
from atiende.core.models import AuditEvent
from atiende.errors import NotFound, PermissionDenied, ValidationFailed
from atiende.tickets.models import Attachment, Event, Kind, Ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _nothing_written():
    return (Ticket.objects.count(), RequestAnswers.objects.count(), Event.objects.count(),
            Attachment.objects.count()) == (0, 0, 0, 0)


def test_editing_a_form_writes_a_new_version_and_keeps_the_old(admin, laptop):
    # given
    first = laptop.current_version
    # when
    second = services.form_publish(actor=admin, item=laptop, fields=[
        {"key": "reason", "label": "¿Por qué?", "type": "text", "required": True}])
    same = services.form_publish(actor=admin, item=laptop, fields=second.fields)
    # then
    laptop.refresh_from_db()
    assert (first.number, second.number, same.pk) == (2, 3, second.pk)
    assert laptop.current_version_id == second.pk
    assert FormVersion.objects.filter(item=laptop).count() == 3
    assert AuditEvent.objects.filter(action="catalog.form_published").count() == 2


def test_only_admins_of_the_department_publish(agent_ana, admin_other_org, laptop):
    for actor in (agent_ana, admin_other_org):
        with pytest.raises(PermissionDenied):
            services.form_publish(actor=actor, item=laptop, fields=[])


def test_a_broken_form_writes_nothing(admin, laptop):
    with pytest.raises(ValidationFailed) as refused:
        services.form_publish(actor=admin, item=laptop, fields=[{"key": "a", "type": "text"}])
    assert refused.value.fields == {"fields.0.label": "Give the field a label."}
    assert FormVersion.objects.filter(item=laptop).count() == 2


def test_asking_creates_the_service_request_with_its_answers(requester_carla, requester_diego,
                                                             laptop):
    # when
    ticket = services.request_submit(
        actor=requester_carla, item=laptop,
        answers={"reason": "Se dañó", "monitor": "on", "monitor_size": "27\"",
                 "approver": str(requester_diego.pk), "apps": ["Slack"]},
        files={"quote": SimpleUploadedFile("cotización.pdf", PDF)})
    # then
    assert (ticket.kind, ticket.title, ticket.channel) == (
        Kind.SERVICE_REQUEST, "Nuevo portátil", "portal")
    assert ticket.requester == requester_carla and ticket.department == laptop.department
    stored = RequestAnswers.objects.get(ticket=ticket)
    attachment = Attachment.objects.get(ticket=ticket)
    assert stored.form_version == laptop.current_version
    assert stored.answers == {
        "reason": "Se dañó", "monitor": True, "monitor_size": "27\"", "ram": None,
        "asset": None, "needed_by": None, "apps": ["Slack"],
        "approver": {"id": requester_diego.pk, "name": "Diego Torres"},
        "quote": {"attachment_id": attachment.pk, "file_name": attachment.file_name}}
    assert "<strong>Tamaño del monitor:</strong> 27\"" in ticket.description
    assert "Diego Torres" in ticket.description
    assert list(Event.objects.filter(ticket=ticket).values_list("kind", flat=True)
                ) == ["created", "attached"]


@pytest.mark.parametrize(("answers", "errors"), [
    ({}, {"reason": "This field is required."}),
    ({"reason": "x", "ram": 2}, {"ram": "Enter a number of at least 8."}),
    ({"reason": "x", "monitor_size": "24\""},
     {"monitor_size": "This field does not apply to your answers; leave it empty."}),
])
def test_bad_answers_write_nothing(requester_carla, laptop, answers, errors):
    with pytest.raises(ValidationFailed) as refused:
        services.request_submit(actor=requester_carla, item=laptop, answers=answers)
    assert refused.value.fields == errors
    assert _nothing_written()


def test_a_person_of_another_organization_cannot_be_named(requester_carla,
                                                          requester_other_org, laptop):
    with pytest.raises(ValidationFailed) as refused:
        services.request_submit(actor=requester_carla, item=laptop, answers={
            "reason": "x", "approver": requester_other_org.pk})
    assert refused.value.fields == {"approver": "Choose a person of your organization."}
    assert _nothing_written()


def test_a_refused_file_writes_nothing(requester_carla, laptop):
    with pytest.raises(ValidationFailed) as refused:
        services.request_submit(actor=requester_carla, item=laptop, answers={"reason": "x"},
                                files={"quote": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")})
    assert list(refused.value.fields) == ["quote"]
    assert refused.value.code == "file_type_refused"
    assert _nothing_written()


@pytest.mark.parametrize("who", ["requester_other_org", "agent_other_org", "admin_other_org"])
def test_an_item_not_theirs_is_not_found(actors, catalog, who):
    with pytest.raises(NotFound):
        services.request_submit(actor=actors[who], item=catalog["laptop"],
                                answers={"reason": "x"})
    assert _nothing_written()


def test_staff_who_see_an_item_may_not_ask_for_it(agent_ana, retired, requester_carla):
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=agent_ana, item=retired, answers={})
    with pytest.raises(NotFound):
        services.request_submit(actor=requester_carla, item=retired, answers={})
    assert _nothing_written()


def test_an_admin_asks_like_a_requester(admin, certificate):
    ticket = services.request_submit(actor=admin, item=certificate,
                                     answers={"addressed_to": "Embajada"})
    assert ticket.requester == admin and ticket.organization_id == admin.organization_id


def test_hostile_labels_and_answers_are_inert_in_the_description(admin, requester_carla, it):
    # given
    item = services.item_save(actor=admin, department=it, values={
        "name": "Prueba", "description": "<p onclick='x()'>Hola</p><script>alert(1)</script>"})
    services.form_publish(actor=admin, item=item, fields=[
        {"key": "note", "label": "<img src=x onerror=alert(1)>", "type": "long_text"}])
    # when
    ticket = services.request_submit(actor=requester_carla, item=item,
                                     answers={"note": "<script>alert(2)</script>\nlínea 2"})
    # then
    item.refresh_from_db()
    assert item.description == "<p>Hola</p>"
    assert "<script>" not in ticket.description and "<img" not in ticket.description
    assert "&lt;script&gt;alert(2)&lt;/script&gt;<br>línea 2" in ticket.description
