"""Writing articles: validation, the workflow, the audit trail, feedback."""

from __future__ import annotations

import pytest

from atiende.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.knowledge import services
from atiende.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleFeedback,
    ArticleTicketLink,
    ArticleVersion,
)


def _events(article) -> list[tuple[str, str, int | None]]:
    return [(e.action, e.language, e.version_number)
            for e in ArticleEvent.objects.filter(article=article).order_by("id")]


def test_create_starts_a_sanitised_draft_owned_by_its_author(agent_ana, it):
    # when Ana writes an article with hostile markup
    article = services.article_create(
        actor=agent_ana, department=it, title="  Impresoras  ",
        body='<p onclick="x()">Hola<script>alert(1)</script></p>', visibility="public")
    # then one draft exists, cleaned, and the trail says who created it
    version = article.versions.get()
    assert (version.title, version.body, version.state, version.number) == (
        "Impresoras", "<p>Hola</p>", "draft", 1)
    assert (article.organization_id, article.owner_id, article.is_published) == (
        it.organization_id, agent_ana.pk, False)
    assert _events(article) == [("created", "es", 1)]


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"title": ""}, "title", "required"),
    ({"title": "x" * 201}, "title", "too_long"),
    ({"language": "fr"}, "language", "invalid_choice"),
    ({"visibility": "secret"}, "visibility", "invalid_choice"),
    ({"title": "a\x00b"}, "title", "nul_character"),
])
def test_create_refuses_bad_input_and_writes_nothing(agent_ana, it, changes, field, code):
    values = {"title": "Bien", "body": "", "language": "es", "visibility": "public", **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.article_create(actor=agent_ana, department=it, **values)
    assert (list(refused.value.fields), refused.value.code) == ([field], code)
    assert Article.objects.count() == 0


@pytest.mark.parametrize("who", ["requester_carla", "agent_bruno_other_department",
                                 "agent_other_org", "admin_other_org"])
def test_only_the_departments_staff_write(who, actors, it):
    with pytest.raises(PermissionDenied):
        services.article_create(actor=actors[who], department=it, title="No", body="")
    assert Article.objects.count() == 0


def test_category_of_another_department_is_refused(agent_ana, it, hr):
    from atiende.knowledge.models import KnowledgeCategory
    other = KnowledgeCategory.objects.create(department=hr, name="Nómina")
    with pytest.raises(ValidationFailed) as refused:
        services.article_create(actor=agent_ana, department=it, title="T", body="",
                                category=other.pk)
    assert refused.value.code == "invalid_category"


def test_workflow_draft_review_published_new_draft_retired(agent_ana, it):
    # given a draft
    article = services.article_create(actor=agent_ana, department=it, title="VPN", body="v1")
    # when it goes through review to publication
    services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                action="submit")
    services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                action="publish")
    # and is edited (a new draft: the published words stay)
    draft = services.article_edit(actor=agent_ana, article_id=article.pk, language="es",
                                  title="VPN 2", body="v2")
    assert draft.number == 2
    # and the new draft is published: the first version retires
    services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                action="publish")
    states = list(ArticleVersion.objects.filter(article=article).order_by("number")
                  .values_list("number", "state"))
    assert states == [(1, "retired"), (2, "published")]
    services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                action="retire")
    article.refresh_from_db()
    assert article.is_published is False
    assert _events(article) == [("created", "es", 1), ("submitted", "es", 1),
                                ("published", "es", 1), ("edited", "es", 2),
                                ("published", "es", 2), ("retired", "es", 2)]
    assert set(ArticleEvent.objects.values_list("actor", flat=True)) == {agent_ana.pk}


def test_editing_a_draft_rewrites_it_and_a_translation_starts_at_one(agent_ana, it):
    article = services.article_create(actor=agent_ana, department=it, title="Correo", body="")
    services.article_edit(actor=agent_ana, article_id=article.pk, language="es",
                          title="Correo web", body="")
    english = services.article_edit(actor=agent_ana, article_id=article.pk, language="en",
                                    title="Web mail", body="")
    assert list(article.versions.order_by("language", "number")
                .values_list("language", "number", "title")) == [
        ("en", 1, "Web mail"), ("es", 1, "Correo web")]
    assert english.state == "draft"


def test_a_step_the_workflow_does_not_allow_is_a_conflict(agent_ana, it):
    article = services.article_create(actor=agent_ana, department=it, title="T", body="")
    with pytest.raises(Conflict) as refused:
        services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                    action="retire")
    assert refused.value.code == "invalid_transition"
    assert _events(article) == [("created", "es", 1)]


def test_readers_may_not_publish_and_strangers_get_404(library, requester_carla,
                                                      agent_other_org):
    article = library["it_public"]
    with pytest.raises(PermissionDenied):
        services.article_edit(actor=requester_carla, article_id=article.pk, language="es",
                              title="Mío", body="")
    with pytest.raises(NotFound):
        services.article_transition(actor=agent_other_org, article_id=article.pk,
                                    language="es", action="retire")
    assert article.versions.count() == 1
    assert ArticleEvent.objects.filter(article=article).count() == 2


def test_feedback_is_one_per_person_and_changeable(library, requester_carla, requester_diego):
    article = library["it_public"]
    services.feedback_give(actor=requester_carla, article_id=article.pk, useful=False,
                           comment="No me sirvió")
    services.feedback_give(actor=requester_diego, article_id=article.pk, useful=True)
    services.feedback_give(actor=requester_carla, article_id=article.pk, useful=True,
                           comment="Ahora sí")
    article.refresh_from_db()
    assert (article.useful_count, article.not_useful_count) == (2, 0)
    assert ArticleFeedback.objects.get(user=requester_carla).comment == "Ahora sí"


def test_feedback_on_an_invisible_or_unpublished_article_is_refused(library, requester_other_org,
                                                                   agent_ana):
    with pytest.raises(NotFound):
        services.feedback_give(actor=requester_other_org, article_id=library["it_public"].pk,
                               useful=True)
    with pytest.raises(Conflict):
        services.feedback_give(actor=agent_ana, article_id=library["it_draft"].pk, useful=True)
    assert ArticleFeedback.objects.count() == 0


def test_article_from_a_resolution_is_linked_to_the_ticket(agent_ana, it, incident):
    article = services.article_create(actor=agent_ana, department=it, title=incident.title,
                                      body="<p>Cambiar el tóner.</p>", ticket=incident)
    assert list(ArticleTicketLink.objects.values_list("article", "ticket")) == [
        (article.pk, incident.pk)]
    assert _events(article) == [("created", "es", 1), ("linked", "", None)]


def test_linking_a_ticket_of_another_department_is_404(library, agent_bruno_other_department,
                                                       incident):
    with pytest.raises(NotFound):
        services.article_link_ticket(actor=agent_bruno_other_department,
                                     article_id=library["hr_public"].pk, ticket=incident)
    assert ArticleTicketLink.objects.count() == 0


def test_saving_the_same_words_with_new_settings_starts_no_draft(library, agent_ana):
    article = library["it_public"]
    version = article.versions.get()
    services.article_edit(actor=agent_ana, article_id=article.pk, language="es",
                          title=version.title, body=version.body,
                          changes={"visibility": "internal"})
    article.refresh_from_db()
    assert (article.visibility, article.versions.count()) == ("internal", 1)
