"""Forms of the survey pages. They only parse and render: the rules (score 1 to 5,
comment length) are the service's, shown on the form through `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.satisfaction import selectors
from atiende.satisfaction.models import SCORES
from atiende.satisfaction.services import COMMENT_MAX

SCORE_LABELS = {
    1: _("Very poor"),
    2: _("Poor"),
    3: _("Fair"),
    4: _("Good"),
    5: _("Excellent"),
}


class AnswerForm(forms.Form):
    # Text with radio buttons: the service, not the form, judges the value.
    score = forms.CharField(
        label=_("How satisfied are you with how your ticket was handled?"), required=False,
        widget=forms.RadioSelect(choices=[(str(score), SCORE_LABELS[score])
                                          for score in SCORES]))
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        help_text=_("What went well, or what we could do better."))

    def answer(self) -> dict[str, str]:
        return {"score": self.data.get("score", ""), "comment": self.data.get("comment", "")}


def preselected_score(value: str | None) -> str | None:
    """The score a star link in the e-mail chose, when it is one (else none)."""
    return value if value in {str(score) for score in SCORES} else None


DEFAULT_GROUPING = "month"  # what the page shows before anything is chosen


class ResultsForm(forms.Form):
    group_by = forms.ChoiceField(
        label=_("Group by"), required=False, initial=DEFAULT_GROUPING,
        choices=[(name, title) for name, (title, _key, _label) in selectors.GROUPINGS.items()])
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> selectors.ResultFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.ResultFilters(group_by=data.get("group_by") or DEFAULT_GROUPING,
                                       since=data.get("since"), until=data.get("until"))
