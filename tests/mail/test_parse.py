"""The parser, quote stripping and the text helpers, on their own (no database)."""

from __future__ import annotations

import pytest

from atiende.mail.parse import AutoKind, content_hash, message_key, parse_message
from atiende.mail.quotes import strip_reply
from atiende.mail.text import html_to_text, text_to_html
from tests.mail.conftest import eml


def _raw(headers: str, body: bytes | str = "Hola.\n") -> bytes:
    body = body.encode() if isinstance(body, str) else body
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


# --- identity -------------------------------------------------------------------------


def test_the_content_hash_ignores_the_hops_a_message_took():
    assert content_hash(eml("missing-message-id.eml")) == content_hash(
        eml("missing-message-id-other-hop.eml"))


def test_the_content_hash_changes_with_the_content():
    one = _raw("From: a@x.example\nSubject: uno")
    other = _raw("From: a@x.example\nSubject: dos")
    assert content_hash(one) != content_hash(other)


def test_the_key_is_the_message_id_when_there_is_one():
    assert message_key("a@x", "h1") == message_key("a@x", "h2")
    assert message_key("", "h1") != message_key("", "h2")
    assert len(message_key("a@x", "")) == 64


def test_thread_ids_are_the_closest_first():
    parsed = parse_message(_raw("From: a@x.example\nIn-Reply-To: <c@x>\n"
                                "References: <a@x> <b@x>\n <c@x>"))
    assert parsed.thread_ids == ["c@x", "b@x", "a@x"]


def test_a_message_id_without_brackets_is_still_read():
    assert parse_message(_raw("From: a@x.example\nMessage-ID: sin-corchetes@x")).message_id == (
        "sin-corchetes@x")


# --- senders and headers --------------------------------------------------------------


@pytest.mark.parametrize(("header", "sender", "name"), [
    ("From: Ana <ANA@Example.COM>", "ana@example.com", "Ana"),
    ("From: =?ISO-8859-1?Q?Mar=EDa_P=E9rez?= <maria@x.example>", "maria@x.example", "María Pérez"),
    ("From: maria@x.example (María)", "maria@x.example", "María"),
    ("From: <>", "", ""),
    ("From: not an address", "", ""),
    ("Sender: respaldo@x.example", "respaldo@x.example", ""),
])
def test_the_sender_is_a_lowercase_address_or_nothing(header, sender, name):
    parsed = parse_message(_raw(header))
    assert (parsed.sender, parsed.sender_name) == (sender, name)


def test_control_characters_never_survive_in_a_header_value():
    parsed = parse_message(_raw("From: a@x.example\n"
                                "Subject: =?UTF-8?Q?uno=0Ddos=0Atres=00cuatro=E2=80=AEcinco?="))
    assert parsed.subject == "uno dos tres cuatrocinco"


def test_an_unknown_encoded_word_charset_falls_back():
    parsed = parse_message(_raw("From: a@x.example\nSubject: =?x-nada?Q?caf=C3=A9?="))
    assert "caf" in parsed.subject


# --- charsets -------------------------------------------------------------------------


@pytest.mark.parametrize(("declared", "body", "expected"), [
    ("utf-8", "año".encode(), "año"),
    ("iso-8859-1", "año".encode("latin-1"), "año"),
    ("iso-8859-1", "“comillas” €".encode("cp1252"), "“comillas” €"),
    ("windows-1252", "“comillas” €".encode("cp1252"), "“comillas” €"),
    ("iso-8859-15", "€".encode("iso-8859-15"), "€"),
    ("us-ascii", "año".encode(), "año"),  # a wrong declaration
    ("utf-8", "año".encode("latin-1"), "año"),  # a wrong declaration the other way
    ("x-no-existe", "año".encode(), "año"),
    ("", "año".encode(), "año"),
])
def test_text_is_read_whatever_its_charset_says(declared, body, expected):
    charset = f"; charset={declared}" if declared else ""
    parsed = parse_message(_raw(f"From: a@x.example\nContent-Type: text/plain{charset}\n"
                                "Content-Transfer-Encoding: 8bit", body))
    assert parsed.text == expected


# --- classification -------------------------------------------------------------------


@pytest.mark.parametrize(("header", "kind"), [
    ("Auto-Submitted: auto-replied", AutoKind.AUTO_REPLY),
    ("Auto-Submitted: auto-generated", AutoKind.AUTO_REPLY),
    ("Auto-Submitted: no", ""),
    ("X-Autoreply: yes", AutoKind.AUTO_REPLY),
    ("X-Autorespond: yes", AutoKind.AUTO_REPLY),
    ("X-Auto-Response-Suppress: OOF", AutoKind.AUTO_REPLY),
    ("Precedence: auto_reply", AutoKind.AUTO_REPLY),
    ("Precedence: bulk", AutoKind.BULK),
    ("Precedence: JUNK", AutoKind.BULK),
    ("Precedence: list", AutoKind.BULK),
    ("Subject: Automatic reply: hola", AutoKind.AUTO_REPLY),
    ("Subject: Respuesta automática: hola", AutoKind.AUTO_REPLY),
    ("Subject: Fuera de la oficina: hola", AutoKind.AUTO_REPLY),
    ("Subject: Out of office: hola", AutoKind.AUTO_REPLY),
    ("Subject: Out of office no funciona", ""),
    ("Subject: Undeliverable: hola", AutoKind.BOUNCE),
    ("Subject: No se puede entregar: hola", AutoKind.BOUNCE),
    ("Subject: Error en la entrega del pedido", ""),
])
def test_mail_no_person_wrote_is_recognised(header, kind):
    assert parse_message(_raw(f"From: a@x.example\n{header}")).auto == kind


@pytest.mark.parametrize(("headers", "trusted", "expected"), [
    ("Authentication-Results: mx.example; dmarc=fail header.from=x.example", (), "fail"),
    ("Authentication-Results: mx.example; spf=fail; dkim=pass", (), "pass"),
    ("Authentication-Results: mx.example; spf=fail; dkim=none", (), "fail"),
    ("Authentication-Results: mx.example; spf=pass; dkim=pass; dmarc=pass", (), "pass"),
    ("", (), "none"),
    # only the topmost counts: the sender may have written the one below
    ("Authentication-Results: mx.example; dmarc=pass\n"
     "Authentication-Results: mx.example; dmarc=fail", (), "pass"),
    # with trusted servers named, only theirs count, wherever they are
    ("Authentication-Results: forged.example; dmarc=pass\n"
     "Authentication-Results: mx.example; dmarc=fail", ("mx.example",), "fail"),
    ("Authentication-Results: forged.example; dmarc=fail", ("mx.example",), "none"),
])
def test_the_receiving_servers_verdict_on_the_sender(headers, trusted, expected):
    parsed = parse_message(_raw(f"From: a@x.example\n{headers}"),
                           trusted_authserv_ids=frozenset(trusted))
    assert parsed.authentication == expected


# --- bodies and files -----------------------------------------------------------------


def test_remote_images_are_dropped_and_the_messages_own_kept():
    parsed = parse_message(_raw(
        "From: a@x.example\nContent-Type: text/html; charset=utf-8",
        '<p>x</p><img src="https://t.example/p.gif" alt="logo"><img src="cid:uno@x">'))
    assert parsed.html == '<p>x</p>logo<img src="cid:uno@x">'


def test_an_unreadable_winmail_dat_is_kept_as_it_came():
    parsed = parse_message(_raw(
        'From: a@x.example\nContent-Type: multipart/mixed; boundary="b"',
        '--b\r\nContent-Type: text/plain\r\n\r\nHola\r\n--b\r\n'
        'Content-Type: application/ms-tnef; name="winmail.dat"\r\n'
        'Content-Transfer-Encoding: base64\r\n\r\nbm90IHRuZWY=\r\n--b--\r\n'))
    assert [(a.file_name, a.data) for a in parsed.attachments] == [("winmail.dat", b"not tnef")]
    assert parsed.defects[-1].startswith("winmail.dat unreadable")


def test_a_message_of_only_html_gets_its_text_from_the_html():
    parsed = parse_message(_raw("From: a@x.example\nContent-Type: text/html; charset=utf-8",
                                "<p>Hola <b>mundo</b></p><script>x()</script>"))
    assert parsed.text == "Hola mundo"


def test_hostile_nesting_stops_without_failing():
    body = "".join(f'--b{n}\r\nContent-Type: multipart/mixed; boundary="b{n + 1}"\r\n\r\n'
                   for n in range(40))
    parsed = parse_message(_raw('From: a@x.example\nContent-Type: multipart/mixed; boundary="b0"',
                                body))
    assert parsed.sender == "a@x.example"


# --- quotes ---------------------------------------------------------------------------


@pytest.mark.parametrize("reply", [
    "Listo.\n\nEl lun, 3 nov 2025 a las 10:00, Ana <ana@x.example> escribió:\n> Hola",
    "Listo.\n\nEl lun, 3 nov 2025 a las 10:00, Ana (<ana@x.example>)\nescribió:\n\n> Hola",
    "Listo.\n\nOn Mon, Nov 3, 2025 at 10:00 AM Ana <ana@x.example> wrote:\n> Hola",
    "Listo.\n\nOn Mon, Nov 3, 2025 at 10:00 AM Ana <\nana@x.example> wrote:\n> Hola",
    "Listo.\n\nEl 3 nov 2025, a las 10:00, Ana <ana@x.example> escribió:\n> Hola",
    "Listo.\n\nOn 3 Nov 2025, at 10:00, Ana <ana@x.example> wrote:\n> Hola",
    "Listo.\n\n-----Mensaje original-----\nDe: Ana\nEnviado: lunes\nPara: Carla\nAsunto: x\nHola",
    "Listo.\n\n-----Original Message-----\nFrom: Ana\nHola",
    "Listo.\n\nDe: Ana <ana@x.example>\nEnviado: lunes, 3 de noviembre de 2025 10:00\n"
    "Para: Carla <carla@x.example>\nAsunto: RE: x\n\nHola",
    "Listo.\n\nDe: Ana <ana@x.example>\nEnviado el: lunes, 3 de noviembre de 2025 10:00\n"
    "Para: Carla\nCC: Diego\nAsunto: RE: x\n\nHola",
    "Listo.\n________________________________\nFrom: Ana <ana@x.example>\n"
    "Sent: Monday, November 3, 2025 10:00 AM\nTo: Carla\nSubject: RE: x\n\nHola",
    "Listo.\n\n-- \nCarla Rueda\nCompras",
    "Listo.\n\nEnviado desde mi iPhone",
    "Listo.\n\nSent from my Galaxy",
    "Listo.\n\nObtener Outlook para Android",
    "Listo.\n\nEnviado desde Correo para Windows",
    "Listo.\n\n> Hola\n> ¿Ya quedó?\n",
])
def test_quoted_history_and_signatures_are_stripped(reply):
    assert strip_reply(reply) == "Listo."


def test_a_forwarded_message_in_a_reply_is_kept():
    reply = ("Miren esto:\n\n---------- Forwarded message ---------\nDe: Banco <b@x.example>\n"
             "Date: lun, 3 nov 2025\nSubject: Alerta\nTo: Carla\n\nSu cuenta...")
    assert strip_reply(reply) == reply


def test_answers_written_between_quotes_are_kept():
    reply = "> ¿Qué modelo es?\nHP M404\n> ¿Y el piso?\nEl 3"
    assert strip_reply(reply) == reply


def test_a_sentence_that_only_looks_like_a_header_is_kept():
    reply = "De: acuerdo con lo hablado, ya quedó.\nGracias"
    assert strip_reply(reply) == reply


def test_only_quotes_leave_nothing():
    assert strip_reply("On Mon, Nov 3, 2025 at 10:00 AM Ana <a@x> wrote:\n> Hola") == ""


# --- text helpers ---------------------------------------------------------------------


def test_html_to_text_keeps_blocks_and_quotes():
    html = ("<div>Uno<br>dos</div><blockquote><p>citado</p><blockquote>más</blockquote>"
            "</blockquote><ul><li>a</li><li>b</li></ul><style>p{}</style>&aacute;")
    assert html_to_text(html) == "Uno\ndos\n> citado\n> > más\n- a\n- b\ná"


def test_text_to_html_escapes_and_keeps_lines():
    assert text_to_html("a <b>\nc\n\n\nd & e") == "<p>a &lt;b&gt;<br>c</p><p>d &amp; e</p>"
