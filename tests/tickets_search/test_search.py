"""search_tickets: words, numbers, ranking and scoping, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from atiende.tickets import outbox, services
from atiende.tickets.models import Kind, SearchDocument, Status, Visibility
from atiende.tickets.search import search_tickets
from atiende.tickets.search.text import terms
from tests.tickets_search.conftest import EXPECTED_HITS

# --- words ------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "written"), [
    ("impresora", "Las impresoras del piso 3"),
    ("IMPRESORA", "La impresora del piso 3"),
    ("configuracion", "Error de configuración del correo"),
    ("configuración", "Revisar las configuraciones"),
    ("Configuraciones", "Sin configuracion"),
    ("contrasena", "Olvidé mi CONTRASEÑA"),
    ("actualizacion", "Fallan las actualizaciones de Windows"),
    ("no imprimir", "La impresora no imprime nada"),
    ("404", "Error 404 en la intranet"),
])
def test_words_are_found_whatever_their_accents_case_and_endings(
    query, written, make_ticket, agent_ana, found,
):
    # given a ticket whose title has another form of the word
    ticket = make_ticket(written)
    make_ticket("Nada que ver")
    outbox.dispatch()
    # when an agent searches / then it is found, alone
    assert found({"it": ticket}, agent_ana, query) == ["it"]


def test_descriptions_and_comments_are_searched(make_ticket, agent_ana, requester_carla,
                                                found):
    described = make_ticket("Uno", "<p>El <b>escáner</b> hace ruido</p>")
    replied = make_ticket("Dos")
    services.comment_add(actor=requester_carla, ticket=replied, body="<p>Y el escáner</p>")
    outbox.dispatch()
    assert sorted(found({"a": described, "b": replied}, agent_ana, "escaner")) == ["a", "b"]


def test_every_word_must_be_found(make_ticket, agent_ana, found):
    both = make_ticket("Impresora sin tóner")
    make_ticket("Impresora atascada")
    outbox.dispatch()
    assert found({"both": both}, agent_ana, "toner impresoras") == ["both"]


@pytest.mark.parametrize("query", ["", "   ", "de la el", "¿?¡!", "\x00"])
def test_a_query_without_words_finds_nothing(query, corpus, agent_ana):
    results = search_tickets(actor=agent_ana, query=query)
    assert list(results[:10]) == [] and results.count() == 0 and not results.exact


# --- ranking ----------------------------------------------------------------------------


def test_a_title_hit_ranks_above_a_description_hit_above_a_comment_hit(
    make_ticket, agent_ana, requester_carla, found,
):
    # given the word in a comment (oldest), a description, and a title (newest)
    in_comment = make_ticket("Pantalla parpadea")
    services.comment_add(actor=requester_carla, ticket=in_comment,
                         body="Lo mismo con la impresora.")
    in_description = make_ticket("Falla general", "<p>La impresora no responde.</p>")
    in_title = make_ticket("Impresora bloqueada")
    outbox.dispatch()
    corpus = {"comment": in_comment, "description": in_description, "title": in_title}
    # when / then
    assert found(corpus, agent_ana, "impresora") == ["title", "description", "comment"]


def test_the_corpus_ranks_the_title_first(corpus, agent_ana, found):
    assert found(corpus, agent_ana, "impresora")[0] == "it_title"


# --- scoping ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED_HITS))
def test_each_person_finds_exactly_what_they_may_see(name, cast, corpus, found):
    assert set(found(corpus, cast[name], "impresora")) == EXPECTED_HITS[name]


def test_anonymous_finds_nothing(corpus):
    from django.contrib.auth.models import AnonymousUser

    assert search_tickets(actor=AnonymousUser(), query="impresora").count() == 0


def test_a_requester_never_finds_a_ticket_by_its_internal_notes(corpus, requester_carla,
                                                                agent_ana, found):
    # given "exchange" only in an internal note of Carla's own ticket
    # then staff find it and Carla does not, not even combined with a public word
    assert found(corpus, agent_ana, "exchange") == ["it_internal"]
    assert found(corpus, requester_carla, "exchange") == []
    assert found(corpus, requester_carla, "correo exchange") == []
    assert found(corpus, agent_ana, "correo exchange") == ["it_internal"]


def test_a_requester_snippet_never_shows_internal_text(corpus, requester_carla, agent_ana):
    mine = search_tickets(actor=requester_carla, query="correo")[:10]
    assert [t.pk for t in mine] == [corpus["it_internal"].pk]
    assert "Exchange" not in mine[0].search_snippet
    staff = search_tickets(actor=agent_ana, query="exchange")[:10]
    assert "<mark>Exchange</mark>" in staff[0].search_snippet


def test_a_watcher_finds_by_public_words_only(corpus, requester_diego, found):
    # given Diego watching Carla's ticket (he may read its public conversation)
    services.watcher_add(actor=requester_diego, ticket=corpus["it_internal"],
                         user=requester_diego)
    # then its public words find it, its internal note does not
    assert found(corpus, requester_diego, "correo") == ["it_internal"]
    assert found(corpus, requester_diego, "exchange") == []


def test_deleted_comments_are_not_found(corpus, requester_carla, agent_ana, found):
    assert "it_deleted" not in found(corpus, agent_ana, "impresora tampoco")
    assert found(corpus, requester_carla, "tampoco") == []


def test_filters_narrow_the_hits(corpus, provider_admin, org_other, hr, found):
    assert found(corpus, provider_admin, "impresora", organization_id=org_other.pk) == [
        "other_org"]
    assert found(corpus, provider_admin, "impresora", department_id=hr.pk) == ["hr_ticket"]
    assert found(corpus, provider_admin, "impresora", status=[Status.CLOSED]) == []


def test_counting_and_paging_agree(corpus, provider_admin):
    results = search_tickets(actor=provider_admin, query="impresora")
    everything = [t.pk for t in results[:100]]
    assert results.count() == len(results) == 5
    assert [t.pk for t in results[0:2]] + [t.pk for t in results[2:4]] + [
        t.pk for t in results[4:6]] == everything
    assert results[1].pk == everything[1]
    assert results[5:10] == []
    assert [t.pk for t in results] == everything
    pages = Paginator(results, 2)
    assert pages.num_pages == 3
    assert [t.pk for t in pages.page(3).object_list] == everything[4:]


# --- ticket numbers ---------------------------------------------------------------------


def _sequence(ticket) -> int:
    return int(ticket.number.split("-")[1])


def test_a_ticket_number_jumps_to_the_ticket(corpus, requester_carla):
    target = corpus["it_comment"]
    for query in (target.number, target.number.lower(), f"inc-{_sequence(target)}",
                  f"INC{_sequence(target)}", f"  #inc-{_sequence(target):03d} "):
        results = search_tickets(actor=requester_carla, query=query)
        assert results.exact, query
        assert [t.pk for t in results[:10]] == [target.pk]


def test_a_number_of_a_ticket_one_may_not_see_is_no_jump(corpus, requester_carla):
    results = search_tickets(actor=requester_carla, query=corpus["other_org"].number)
    assert not results.exact
    assert results[:10] == []


def test_a_hash_number_jumps_when_only_one_ticket_has_it(corpus, make_ticket, agent_ana,
                                                         requester_carla):
    target = corpus["it_title"]
    alone = search_tickets(actor=agent_ana, query=f"#{_sequence(target)}")
    assert alone.exact and [t.pk for t in alone[:10]] == [target.pk]
    # given a service request with the same sequence number
    request = make_ticket("Solicitud", kind=Kind.SERVICE_REQUEST)
    assert _sequence(request) == _sequence(target)
    outbox.dispatch()
    both = search_tickets(actor=agent_ana, query=f"#{_sequence(target)}")
    assert not both.exact
    assert {t.pk for t in both[:10]} == {target.pk, request.pk}


def test_a_bare_number_lists_that_ticket_first_then_text_hits(make_ticket, agent_ana):
    first = make_ticket("Uno")
    mentions = make_ticket("Error 1 en la intranet")
    outbox.dispatch()
    results = search_tickets(actor=agent_ana, query=str(_sequence(first)))
    assert not results.exact
    assert [t.pk for t in results[:10]] == [first.pk, mentions.pk]


# --- hostile queries --------------------------------------------------------------------

HOSTILE = [
    '"', '""', "'", "impresora\"", 'impresora" OR "x', "AND", "OR", "NOT", "NEAR",
    "impresora AND OR NOT", "NEAR(impresora piso, 2)", "*", "impresora*", "^impresora",
    "(", ")", "(impresora", "impresora)", "{title}: impresora", "title:impresora",
    "-impresora", "impresora -piso", "impresora\x00piso", "' OR 1=1 --", "%", "_", "\\",
    "%s", "%(x)s", "?", ":1", "$1", "<script>alert(1)</script>", "a" * 10_000,
    "impresora " * 2_000, "!!", "&", "|", "<->", "impresora:*", "impresora & piso",
    "\u202e", "💥 impresora", "ß æ ø",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_are_just_words(query, corpus, provider_admin):
    # when / then: no error, and only real hits
    results = search_tickets(actor=provider_admin, query=query)
    page = results[:20]
    assert results.count() == len(page)
    assert {t.pk for t in page} <= {t.pk for t in corpus.values()}


def test_operator_words_are_plain_words(corpus, provider_admin, found):
    assert found(corpus, provider_admin, "impresora OR teclado") == []
    assert found(corpus, provider_admin, "impresora*") == found(corpus, provider_admin,
                                                                 "impresora")


# --- the same words on both databases ---------------------------------------------------

VOCABULARY = (
    "impresora impresoras configuración configuracion configuraciones instalación "
    "instalaciones actualización actualizaciones conexión conexiones solución soluciones "
    "tecnología tecnologías teléfono contraseña CONTRASEÑAS usuario usuarios red redes "
    "servidor servidores pantalla teclado ratón impresión nómina vacaciones factura acceso "
    "permisos carpeta archivos error errores falla funciona funcionando imprime imprimir "
    "reinicie bloqueada lentitud camión camiones acción aplicación notificación autenticación "
    "información equipo portátil licencia sistema problemas urgente rápidamente nacional "
    "módulo2 404 más él está año ñandú"
)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL")
def test_python_folds_and_stems_as_postgresql_does(db):
    # SQLite's index uses the Python terms, PostgreSQL its own: they must agree.
    with connection.cursor() as cursor:
        for word in VOCABULARY.split():
            cursor.execute("SELECT tsvector_to_array(to_tsvector('pg_catalog.spanish', "
                           "atiende_search_text(%s)))", [word])
            assert cursor.fetchone()[0] == terms(word), word


def test_documents_hold_plain_text(corpus):
    document = SearchDocument.objects.get(ticket=corpus["it_internal"])
    assert document.description == "Desde ayer."
    assert document.internal == "Cambiar la impresora de red del servidor Exchange."
    assert document.comments == ""
    assert Visibility.INTERNAL == "internal"
