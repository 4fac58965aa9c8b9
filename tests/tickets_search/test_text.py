"""How words are folded and stemmed (no database)."""

from __future__ import annotations

import pytest

from atiende.tickets.search.text import plain_text, snippet, term, terms


@pytest.mark.parametrize(("one", "other"), [
    ("impresora", "impresoras"),
    ("configuracion", "configuración"),
    ("configuración", "configuraciones"),
    ("configuracion", "Configuraciones"),
    ("IMPRESORA", "impresora"),
    ("contraseña", "CONTRASENA"),
    ("actualización", "actualizaciones"),
    ("conexión", "conexiones"),
    ("solución", "soluciones"),
    ("tecnología", "tecnologias"),
])
def test_forms_of_a_word_share_a_term(one, other):
    # given two forms of one word / when they are indexed / then they meet
    assert term(one) == term(other)
    assert term(one) is not None


def test_stop_words_and_punctuation_leave_no_term():
    assert terms("de la que el, y... (a) * ^ \" AND-") == ["and"]
    assert terms("") == []


def test_words_with_digits_are_kept_whole():
    assert terms("Error 404 en el módulo2") == ["error", "404", "modulo2"]


def test_plain_text_drops_tags_and_reads_entities():
    assert plain_text("<p>Hola <b>mundo</b></p><p>5 &lt; 6 &amp; x</p>") == "Hola mundo 5 < 6 & x"


def test_a_snippet_escapes_everything_and_marks_the_words():
    # given hostile text around the word
    text = 'Ver <script>alert("x")</script> la impresora & las Impresoras.'
    # when a snippet is cut
    cut = snippet([text], {term("impresora")})
    # then only <mark> is markup
    assert cut == ("Ver &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; la <mark>impresora"
                   "</mark> &amp; las <mark>Impresoras</mark>.")


def test_a_long_text_is_cut_around_the_first_hit():
    words = [f"palabra{i}" for i in range(100)]
    words[50] = "impresora"
    cut = snippet([" ".join(words)], {term("impresora")}, words=10, before=2)
    assert cut == "…palabra48 palabra49 <mark>impresora</mark> palabra51 palabra52 palabra53 " \
                  "palabra54 palabra55 palabra56 palabra57…"


def test_without_a_hit_the_snippet_opens_the_first_text():
    assert snippet(["", "Hola mundo"], {"impresor"}) == "Hola mundo"
    assert snippet(["", ""], {"impresor"}) == ""
