"""Web forms of the knowledge base: they shape input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.core.widgets import ChoiceField
from atiende.knowledge.models import TRANSITIONS, ArticleVisibility, Language
from atiende.tickets.forms import ObjectChoiceField, plain_to_html

MAX_QUERY = 500


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_QUERY)


class ArticleForm(forms.Form):
    """Writing an article: its words in one language (plain text, paragraphs kept, as
    the ticket editor) and what is said about it."""

    department = ObjectChoiceField(label=_("Department"), required=True, empty_label=None)
    language = ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("Plain text: leave an empty line between paragraphs."))
    visibility = ChoiceField(label=_("Visibility"), choices=ArticleVisibility.choices)
    category = ObjectChoiceField(label=_("Category"))
    review_by = forms.DateField(label=_("Review by"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, departments=None, categories=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if departments is None:  # editing: the department stays, the language is the page's
            del self.fields["department"]
            self.fields["language"].widget = forms.HiddenInput()
        else:
            departments = list(departments)
            many = len({d.organization_id for d in departments}) > 1
            self.fields["department"].set_objects(
                departments, label=lambda d: f"{d.name} · {d.organization.name}" if many
                else d.name)
        categories = list(categories)
        names = {c.department_id: c.department.name for c in categories}
        self.fields["category"].set_objects(categories, group=lambda c: names[c.department_id])

    def words(self) -> dict:
        return {"title": self.cleaned_data["title"],
                "body": plain_to_html(self.cleaned_data["body"])}

    def about(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("visibility", "category",
                                                           "review_by")}


class WorkflowForm(forms.Form):
    action = ChoiceField(choices=[(action, action) for action in TRANSITIONS])
    language = ChoiceField(choices=Language.choices)


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(label=_("Was this article useful?"),
                                    choices=[("yes", _("Yes")), ("no", _("No"))],
                                    coerce=lambda value: value == "yes",
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
