"""Web forms of the escalation editor: they shape input; the rules live in
`escalation_services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.sla.escalation import ESCALATION_METRICS
from atiende.sla.models import EscalationActionKind, EscalationWhom, Metric
from atiende.tickets.models import Priority


def metric_choices() -> list[tuple[str, str]]:
    labels = dict(Metric.choices)
    return [(metric, labels[metric]) for metric in ESCALATION_METRICS]


class LevelForm(forms.Form):
    metric = forms.ChoiceField(label=_("Clock"))
    percent = forms.CharField(
        label=_("At (percent of the target)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Below 100 a warning, 100 the breach, above 100 a later level (150, "
                    "200...)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="level", **kwargs)
        self.fields["metric"].choices = metric_choices()


class ActionForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"))
    kind = forms.ChoiceField(label=_("Action"), choices=EscalationActionKind.choices)
    whom = forms.MultipleChoiceField(
        label=_("People on the ticket"), required=False, choices=EscalationWhom.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("To notify or to add as watchers; found on the ticket when the level "
                    "comes."))
    people = forms.MultipleChoiceField(
        label=_("Named people"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Also notify or add as watchers these people."))
    team = forms.ChoiceField(label=_("Reassign to team"), required=False)
    agent = forms.ChoiceField(label=_("and to agent"), required=False,
                              help_text=_("Optional; a member of the team."))
    priority = forms.ChoiceField(
        label=_("Raise the priority to"), required=False,
        choices=[("", _("One level up")), *Priority.choices])

    def __init__(self, *args, levels, people, teams, agents, **kwargs):
        super().__init__(*args, prefix="action", **kwargs)
        self.fields["level"].choices = levels
        self.fields["people"].choices = people
        self.fields["team"].choices = [("", "—"), *teams]
        self.fields["agent"].choices = [("", "—"), *agents]
