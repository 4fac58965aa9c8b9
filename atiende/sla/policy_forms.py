"""Web form of SLA policies: it shapes input; the rules live in `policy_services`."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.tickets.models import Channel, Kind, PendingReason, Priority

_SEPARATOR = re.compile(r"[,;\s]+")
TARGET_FIELDS = ("first_response_minutes", "resolution_minutes", "next_response_minutes")


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    calendar = forms.ChoiceField(label=_("Business calendar"))
    department = forms.ChoiceField(label=_("Department"), required=False)
    kind = forms.ChoiceField(label=_("Ticket kind"), required=False,
                             choices=[("", _("Any")), *Kind.choices])
    service = forms.ChoiceField(label=_("Service"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    ticket_channel = forms.ChoiceField(label=_("Channel"), required=False,
                                       choices=[("", _("Any")), *Channel.choices])
    requester_group = forms.ChoiceField(
        label=_("Requester group"), required=False,
        help_text=_("Only tickets whose requester belongs to this group of people (e.g. VIP)."))
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"), required=False, choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple, help_text=_("None checked: any priority."))
    pause_reasons = forms.MultipleChoiceField(
        label=_("Pending reasons that pause the resolution clock"), required=False,
        choices=PendingReason.choices, widget=forms.CheckboxSelectMultiple)
    warning_percentages = forms.CharField(
        label=_("Warnings at (percent of the target)"), required=False, max_length=40,
        help_text=_("Whole numbers from 1 to 99, separated by commas; the breach is at 100."))
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, calendars, departments, services, categories, groups=(),
                 **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["calendar"].choices = [("", "—"), *calendars]
        self.fields["department"].choices = any_choice + departments
        self.fields["service"].choices = any_choice + services
        self.fields["category"].choices = any_choice + categories
        self.fields["requester_group"].choices = any_choice + list(groups)
        metrics = {"first_response_minutes": _("First response (minutes)"),
                   "resolution_minutes": _("Resolution (minutes)"),
                   "next_response_minutes": _("Next response (minutes)")}
        for priority, label in Priority.choices:
            for name in TARGET_FIELDS:
                text = f"{label}: {metrics[name]}"
                self.fields[f"p{priority}_{name}"] = forms.IntegerField(
                    label=text, required=False, widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "size": 6, "aria-label": text}))

    @property
    def condition_fields(self):
        return [self[name] for name in ("department", "kind", "service", "category",
                                        "ticket_channel", "requester_group", "priorities")]

    @property
    def target_rows(self):
        """(priority label, [bound fields of its three targets]) for each priority."""
        return [(label, [self[f"p{priority}_{name}"] for name in TARGET_FIELDS])
                for priority, label in Priority.choices]

    def clean_warning_percentages(self) -> list:
        raw = self.cleaned_data["warning_percentages"].strip()
        values = []
        for part in filter(None, _SEPARATOR.split(raw.replace("%", ""))):
            try:
                values.append(int(part))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a whole number."), params={"value": part}
                ) from None
        return values

    def targets(self) -> list[dict]:
        """The targets of the priorities whose row is not empty."""
        found = []
        for priority, _label in Priority.choices:
            values = {name: self.cleaned_data.get(f"p{priority}_{name}")
                      for name in TARGET_FIELDS}
            if any(value is not None for value in values.values()):
                found.append({"priority": priority, **values})
        return found

    @staticmethod
    def initial_of(policy) -> dict:
        initial = {
            "name": policy.name, "calendar": str(policy.calendar_id),
            "department": str(policy.department_id or ""), "kind": policy.kind,
            "service": str(policy.service_id or ""), "category": str(policy.category_id or ""),
            "ticket_channel": policy.ticket_channel,
            "requester_group": str(policy.requester_group_id or ""),
            "priorities": [str(value) for value in policy.priorities],
            "pause_reasons": list(policy.pause_reasons),
            "warning_percentages": ", ".join(str(v) for v in policy.warning_percentages),
            "is_active": policy.is_active,
        }
        for target in policy.targets.all():
            for name in TARGET_FIELDS:
                initial[f"p{target.priority}_{name}"] = getattr(target, name)
        return initial
