"""API shapes of the knowledge base."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from atiende.api.schemas import Id, Input

LanguageCode = Literal["es", "en"]


class ReferenceOut(Schema):
    id: int
    name: str


class ArticleOut(Schema):
    id: int
    title: str = Field(alias="shown_title", description=(
        "The published title (Spanish first); for staff, the newest when none is published."))
    organization: ReferenceOut
    department: ReferenceOut
    category: ReferenceOut | None
    visibility: str = Field(description="public: requesters of the organizations served "
                                        "read it; internal: the department's staff only.")
    is_published: bool
    owner_id: int | None
    review_by: dt.date | None
    view_count: int
    useful_count: int
    not_useful_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class VersionOut(Schema):
    language: str
    number: int
    title: str
    body: str = Field(description="Sanitised HTML.")
    state: str = Field(description="draft, review, published or retired.")
    author_id: int | None
    created_at: dt.datetime
    published_at: dt.datetime | None


class ArticleDetailOut(ArticleOut):
    versions: list[VersionOut] = Field(alias="versions_shown", description=(
        "Readers get the published version of each language; staff every version, newest "
        "first."))


class ArticleHitOut(Schema):
    id: int
    title: str
    department: ReferenceOut
    visibility: str
    snippet: str = Field(description="HTML: a short passage with every character escaped "
                                     "and the words found in <mark>.")


class ArticleCreate(Input):
    department_id: Id
    language: LanguageCode = "es"
    title: str = Field(max_length=200)
    body: str = Field("", max_length=200_000, description="HTML; sanitised when stored.")
    visibility: Literal["public", "internal"] = "internal"
    category_id: Id | None = None
    review_by: dt.date | None = None
    ticket_number: str | None = Field(None, max_length=20, description=(
        "Link the article to this ticket (one the caller works on)."))


class ArticleUpdate(Input):
    language: LanguageCode = Field("es", description="The language the title and body are in.")
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=200_000)
    visibility: Literal["public", "internal"] | None = None
    category_id: Id | None = None
    review_by: dt.date | None = None


class WorkflowIn(Input):
    language: LanguageCode = "es"


class FeedbackIn(Input):
    useful: bool
    comment: str = Field("", max_length=2000)


class FeedbackOut(Schema):
    useful: bool
    comment: str
    updated_at: dt.datetime
