"""The restricted template language: variables and {% if %}, nothing else."""

from __future__ import annotations

import pytest
from django.utils import translation

from atiende.errors import ValidationFailed
from atiende.notifications import defaults, rendering


@pytest.mark.parametrize("source", [
    "{% load static %}", "{% include 'base.html' %}", "{% extends 'base.html' %}",
    "{{ title|upper }}", "{% for x in title %}{{ x }}{% endfor %}", "{% debug %}",
    "{{ title.__class__ }}", "{% if title %}open",
])
def test_anything_beyond_variables_and_if_is_refused(source):
    with pytest.raises(ValidationFailed) as refused:
        rendering.check_template("Asunto", source)
    assert refused.value.code == "invalid_template"
    assert set(refused.value.fields) == {"body"}


def test_every_shipped_template_parses_in_both_languages():
    for (kind, language), (subject, body) in defaults.TEMPLATES.items():
        rendering.check_template(subject, body)
        assert (kind, "es" if language == "en" else "en") in defaults.TEMPLATES


def test_values_are_escaped_in_html_and_plain_in_text():
    rendered = rendering.render(
        subject="{{ title }}", body="Hola {{ recipient_name }}\n\n{{ comment }}",
        context={"title": "A & B", "recipient_name": "<b>Eve</b>",
                 "comment": "<script>alert(1)</script>", "link": "https://x.example/t/1/"},
        tag="INC-000009")
    assert rendered.subject == "[INC-000009] A & B"
    assert rendered.text.startswith("Hola <b>Eve</b>\n\n<script>alert(1)</script>")
    assert "&lt;b&gt;Eve&lt;/b&gt;" in rendered.html
    assert "<script" not in rendered.html


def test_markup_written_in_a_template_is_sanitised():
    rendered = rendering.render(subject="x", body='<a href="javascript:alert(1)">x</a><img '
                                'src=x onerror=alert(1)>', context={}, tag="INC-000001")
    assert "javascript:" not in rendered.html and "onerror" not in rendered.html


def test_a_template_nested_too_deeply_is_refused_not_a_server_error():
    source = "{% if ticket %}" * 700 + "x" + "{% endif %}" * 700

    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        rendering.compile_template(source, "body")

    assert refused.value.fields == {"body": "The template nests too deeply."}
