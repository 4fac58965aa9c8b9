"""Forms of the mail pages: they shape input; the rules live in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.mail.models import MailboxKind, UnknownSender


class MailboxForm(forms.Form):
    address = forms.EmailField(label=_("Address"), max_length=254,
                               help_text=_("Mail sent here becomes tickets, e.g. "
                                           "soporte@empresa.com."))
    department = forms.ChoiceField(label=_("Department"), choices=[])
    kind = forms.ChoiceField(label=_("New messages become"), choices=MailboxKind.choices)
    default_category = forms.ChoiceField(label=_("Default category"), required=False,
                                         choices=[])
    default_team = forms.ChoiceField(label=_("Default team"), required=False, choices=[])
    unknown_sender = forms.ChoiceField(
        label=_("Mail from unknown senders"), choices=UnknownSender.choices,
        help_text=_("Senders whose address is nobody's yet. Refused mail is bounced by "
                    "the mail server."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, departments, categories, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments
        self.fields["default_category"].choices = [("", "—"), *categories]
        self.fields["default_team"].choices = [("", "—"), *teams]


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Held and quarantined")), *states]
