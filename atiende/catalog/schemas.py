"""The catalog's API shapes."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from atiende.api.schemas import Input


class FormFieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    help: str
    default: Any = None
    choices: list[str]
    min: Any = None
    max: Any = None
    pattern: str
    show_if: dict[str, Any] | None = None


class FormOut(Schema):
    version: int
    fields: list[FormFieldOut]


class CatalogItemOut(Schema):
    id: int
    department_id: int
    department_name: str
    category: str | None
    name: str
    short_description: str
    delivery_amount: int | None
    delivery_unit: str
    service_id: int | None
    is_active: bool
    offered: bool  # whether the caller may ask for it


class CatalogItemDetailOut(CatalogItemOut):
    description: str  # sanitised HTML
    form: FormOut


class RequestIn(Input):
    """Answers by field key: text, number, `YYYY-MM-DD`, an option, a list of options,
    true/false, or a person's id. Files are attached through the web form."""

    answers: dict[str, Any] = {}


class RequestOut(Schema):
    number: str
    title: str
    item_id: int
    form_version: int
