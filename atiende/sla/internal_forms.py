"""Web forms of OLA targets and underpinning contracts: they shape input; the rules
live in `internal_services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.sla.internal_services import THIRD_PARTY_REASONS
from atiende.tickets.models import PendingReason, Priority


def _minutes_field(label, *, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class OlaForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int,
                                      choices=Priority.choices)
    calendar = forms.ChoiceField(label=_("Business calendar"))
    response_minutes = _minutes_field(
        _("Response (working minutes)"), required=False,
        help_text=_("From when the team gets the ticket to the desk's next public reply. "
                    "Empty: not measured."))
    resolution_minutes = _minutes_field(
        _("Resolution (working minutes)"),
        help_text=_("Working time the ticket may spend with the team before it is "
                    "resolved or handed on."))

    def __init__(self, *args, teams, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—"), *teams]
        self.fields["calendar"].choices = [("", "—"), *calendars]


class ContractForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=120)
    pending_reason = forms.ChoiceField(
        label=_("Pending reason that means “with this supplier”"),
        choices=[(value, label) for value, label in PendingReason.choices
                 if value in THIRD_PARTY_REASONS])
    calendar = forms.ChoiceField(label=_("Business calendar"))
    target_minutes = _minutes_field(
        _("Target (working minutes)"),
        help_text=_("Working time the ticket may stay pending with the supplier."))

    def __init__(self, *args, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [("", "—"), *calendars]
