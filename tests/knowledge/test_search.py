"""Knowledge search: accents and Spanish word forms, within what the actor may see."""

from __future__ import annotations

import pytest

from atiende.knowledge import services
from atiende.knowledge.search import reindex_all, search_articles


def _found(actor, query) -> list[str]:
    return [hit.article.versions.order_by("-number").first().title
            for hit in search_articles(actor=actor, query=query)]


@pytest.mark.parametrize(("query", "title"), [
    ("impresora", "Configurar la impresora del piso"),
    ("IMPRESORAS", "Configurar la impresora del piso"),
    ("controladores", "Configurar la impresora del piso"),
    ("certificado laboral", "Pedir un certificado laboral"),
])
def test_spanish_forms_and_accents_find_the_article(query, title, library, requester_carla):
    assert _found(requester_carla, query) == [title]


def test_configuracion_finds_configuracion(library, requester_other_org):
    assert _found(requester_other_org, "configuracion") == ["Configuración del correo"]


def test_results_respect_scoping(library, requester_carla, agent_ana, requester_other_org):
    # "vpn": a draft of Ana's IT, a public article and an internal one of the shared desk
    assert _found(requester_carla, "vpn") == ["Conectarse a la VPN"]
    assert sorted(_found(agent_ana, "vpn")) == ["Borrador sobre la VPN", "Conectarse a la VPN"]
    assert _found(requester_other_org, "impresora") == []
    # internal words never reach a reader
    assert _found(requester_carla, "bóveda") == []
    assert _found(agent_ana, "boveda") == ["Reiniciar la cola de impresoras"]


def test_unpublished_words_are_found_by_staff_only(library, agent_ana, requester_carla,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.article_edit(actor=agent_ana, article_id=library["it_public"].pk,
                              language="es", title="Configurar la impresora del piso",
                              body="<p>Nueva palabra: fotocopiadora.</p>")
    assert _found(requester_carla, "fotocopiadora") == []
    assert _found(agent_ana, "fotocopiadora") == ["Configurar la impresora del piso"]


def test_snippets_are_escaped_and_marked(write, agent_ana, it, requester_carla):
    write(agent_ana, it, "Impresora rota", "<p>&lt;script&gt;alert(1)&lt;/script&gt; la "
          "impresora falla</p>")
    hit = search_articles(actor=requester_carla, query="impresora")[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>impresora</mark>" in hit.snippet


@pytest.mark.parametrize("query", ["", "   ", "de la", '"', "AND OR NOT *", "a" * 5000])
def test_any_text_is_a_valid_query(query, library, agent_ana):
    assert search_articles(actor=agent_ana, query=query) == []


def test_reindex_all_rebuilds_every_document(library, requester_carla):
    assert reindex_all() == len(library)
    assert _found(requester_carla, "impresoras") == ["Configurar la impresora del piso"]
