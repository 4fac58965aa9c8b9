"""The form schema and the one check of answers (pure functions, no database)."""

from __future__ import annotations

import pytest

from atiende.catalog.forms_schema import SchemaError, validate_answers, validate_fields
from tests.catalog.conftest import LAPTOP_FIELDS

FIELDS = validate_fields(LAPTOP_FIELDS)


def _answers(**extra):
    return {"reason": "El mío se dañó", **extra}


def test_a_complete_answer_is_cleaned():
    # when
    clean, errors = validate_answers(FIELDS, _answers(
        monitor="on", monitor_size="27\"", ram="16", asset="AB-1234", needed_by="2026-03-01",
        approver="7", apps=["Slack", "Office"]), people={7}, files={"quote"})
    # then
    assert errors == {}
    assert clean == {"reason": "El mío se dañó", "monitor": True, "monitor_size": "27\"",
                     "ram": 16, "asset": "AB-1234", "needed_by": "2026-03-01",
                     "approver": 7, "apps": ["Office", "Slack"], "quote": True}


def test_a_conditional_field_is_required_only_while_shown():
    # when
    hidden, hidden_errors = validate_answers(FIELDS, _answers())
    shown, shown_errors = validate_answers(FIELDS, _answers(monitor=True))
    # then
    assert hidden_errors == {} and "monitor_size" not in hidden
    assert shown == {} and shown_errors == {"monitor_size": "This field is required."}


def test_a_hidden_field_that_was_filled_is_refused():
    clean, errors = validate_answers(FIELDS, _answers(monitor_size="24\""))
    assert clean == {}
    assert errors == {"monitor_size": "This field does not apply to your answers; "
                                      "leave it empty."}


@pytest.mark.parametrize(("answers", "field", "message"), [
    ({"reason": ""}, "reason", "This field is required."),
    ({"ram": "4"}, "ram", "Enter a number of at least 8."),
    ({"ram": 128}, "ram", "Enter a number of at most 64."),
    ({"ram": "ocho"}, "ram", "Enter a number."),
    ({"ram": True}, "ram", "Enter a number."),
    ({"asset": "ab-12"}, "asset", "The value does not have the expected format."),
    ({"needed_by": "2025-12-31"}, "needed_by", "Enter a date on or after 2026-01-01."),
    ({"needed_by": "31/12/2026"}, "needed_by", "Enter a date as YYYY-MM-DD."),
    ({"approver": 99}, "approver", "Choose a person of your organization."),
    ({"apps": ["Office", "Photoshop"]}, "apps", "“Photoshop” is not one of the options."),
    ({"quote": "file.pdf"}, "quote", "Attach the file in the form."),
    ({"nonsense": 1}, "nonsense", "This form has no such field."),
])
def test_bad_answers_are_refused_with_a_precise_message(answers, field, message):
    clean, errors = validate_answers(FIELDS, {**_answers(), **answers}, people={7})
    assert clean == {}
    assert errors == {field: message}


@pytest.mark.parametrize(("field", "where", "message"), [
    ({"key": "Bad Key", "label": "x", "type": "text"}, "fields.0.key",
     "Use a key of lowercase letters, digits and “_”, starting with a letter (at most 40)."),
    ({"key": "a", "label": "", "type": "text"}, "fields.0.label", "Give the field a label."),
    ({"key": "a", "label": "x", "type": "colour"}, "fields.0.type", None),
    ({"key": "a", "label": "x", "type": "choice"}, "fields.0.choices",
     "Give between 1 and 100 options, one per line."),
    ({"key": "a", "label": "x", "type": "text", "pattern": "[a-"}, "fields.0.pattern", None),
    ({"key": "a", "label": "x", "type": "text", "pattern": "(a+)+$"}, "fields.0.pattern",
     "Nested repetitions such as “(a+)+” are not allowed."),
    ({"key": "a", "label": "x", "type": "number", "min": 5, "max": 1}, "fields.0.max",
     "The maximum must not be below the minimum."),
    ({"key": "a", "label": "x", "type": "text", "min": 1}, "fields.0.min",
     "Only number and date fields have a range."),
    ({"key": "a", "label": "x", "type": "number", "max": 3, "default": 9}, "fields.0.default",
     "Enter a number of at most 3."),
    ({"key": "a", "label": "x", "type": "text", "show_if": {"field": "zz", "equals": "y"}},
     "fields.0.show_if", "Show this field depending on a field above it."),
])
def test_a_broken_form_is_refused_with_a_precise_message(field, where, message):
    with pytest.raises(SchemaError) as refused:
        validate_fields([field])
    assert list(refused.value.errors) == [where]
    if message:
        assert refused.value.errors[where] == message


def test_a_condition_must_name_an_option_of_its_field():
    with pytest.raises(SchemaError) as refused:
        validate_fields([
            {"key": "kind", "label": "Tipo", "type": "choice", "choices": ["A", "B"]},
            {"key": "more", "label": "Más", "type": "text",
             "show_if": {"field": "kind", "equals": "C"}},
        ])
    assert refused.value.errors == {"fields.1.show_if": "“C” is not an option of “Tipo”."}


def test_duplicate_keys_are_refused():
    with pytest.raises(SchemaError) as refused:
        validate_fields([{"key": "a", "label": "x", "type": "text"},
                         {"key": "a", "label": "y", "type": "text"}])
    assert refused.value.errors == {"fields.1.key": "Another field already uses the key “a”."}
