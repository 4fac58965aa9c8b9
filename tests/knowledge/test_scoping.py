"""Who sees which article (issue #6, "Bad input / permissions")."""

from __future__ import annotations

import pytest

from atiende.errors import NotFound
from atiende.knowledge import selectors

ALL = {"it_public", "it_internal", "it_draft", "hr_public", "hr_internal", "other_public",
       "shared_public", "shared_internal"}

VISIBLE = {
    "anonymous": set(),
    "requester_carla": {"it_public", "hr_public", "shared_public"},
    "requester_other_org": {"other_public", "shared_public"},
    "agent_ana": {"it_public", "it_internal", "it_draft", "hr_public", "shared_public"},
    "agent_bruno_other_department": {"hr_public", "hr_internal", "it_public", "shared_public"},
    "agent_other_org": {"other_public", "shared_public"},
    "admin": {"it_public", "it_internal", "it_draft", "hr_public", "hr_internal",
              "shared_public"},
    "admin_other_org": {"other_public", "shared_public"},
    "provider_admin": ALL,
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_visible_articles_follow_the_matrix(who, actors, library):
    # given the library and one member of the cast
    names = {article.pk: name for name, article in library.items()}
    actor = actors[who]
    if actor is None:
        from django.contrib.auth.models import AnonymousUser
        actor = AnonymousUser()
    # when they list articles
    seen = {names[article.pk] for article in selectors.article_list(actor=actor)}
    # then they see exactly their part
    assert seen == VISIBLE[who]
    # and every other article is a 404 (missing and forbidden look alike)
    for name in ALL - VISIBLE[who]:
        with pytest.raises(NotFound):
            selectors.article_get(actor=actor, article_id=library[name].pk)


def test_shared_desk_staff_see_its_internal_articles(agent_sara_shared, library):
    seen = {article.pk for article in selectors.article_list(actor=agent_sara_shared)}
    assert library["shared_internal"].pk in seen
    assert library["it_internal"].pk not in seen


def test_readers_see_only_published_versions(requester_carla, agent_ana, library,
                                             django_capture_on_commit_callbacks):
    # given a published article with a newer draft
    from atiende.knowledge import services
    article = library["it_public"]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_edit(actor=agent_ana, article_id=article.pk, language="es",
                              title="Texto nuevo sin publicar", body="<p>Secreto</p>")
    # when a requester and an agent read it
    reader = selectors.readable_versions(actor=requester_carla, article=article)
    staff = selectors.readable_versions(actor=agent_ana, article=article)
    # then the requester sees the published version only
    assert [(v.number, v.state) for v in reader] == [(1, "published")]
    assert [(v.number, v.state) for v in staff] == [(2, "draft"), (1, "published")]


def test_a_retired_article_disappears_for_readers(requester_carla, agent_ana, library):
    from atiende.knowledge import services
    article = library["it_public"]
    services.article_transition(actor=agent_ana, article_id=article.pk, language="es",
                                action="retire")
    with pytest.raises(NotFound):
        selectors.article_get(actor=requester_carla, article_id=article.pk)
    assert selectors.article_get(actor=agent_ana, article_id=article.pk).is_published is False
