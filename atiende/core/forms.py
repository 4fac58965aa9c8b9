"""Web forms: they shape input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from atiende.core.models import DepartmentFunction, Role
from atiende.core.services import time_zone_names
from atiende.core.widgets import ChoiceField, TypedChoiceField


def time_zone_choices() -> list[tuple[str, str]]:
    americas = sorted(name for name in time_zone_names() if name.startswith("America/"))
    others = sorted(name for name in time_zone_names() if not name.startswith("America/"))
    return [(name, name.replace("_", " ")) for name in americas + others]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = ChoiceField(label=_("Time zone"), choices=time_zone_choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “Power BI” or “Script "
                                       "de inventario”."))
    expires_in_days = TypedChoiceField(
        label=_("Expires"), coerce=int, initial=90,
        choices=[(30, _("In 30 days")), (90, _("In 90 days")), (365, _("In a year")),
                 (0, _("Never"))],
    )


class PersonForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = ChoiceField(label=_("Time zone"), choices=time_zone_choices)


class PersonCreateForm(PersonForm):
    role = ChoiceField(label=_("Role"), choices=[])
    department = ChoiceField(label=_("Department"), required=False, choices=[])
    send_invitation = forms.BooleanField(
        label=_("E-mail an invitation to choose a password"), required=False, initial=True
    )

    def __init__(self, *args, roles, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["department"].choices = [("", "—"), *departments]


class PersonEditForm(PersonForm):
    manager = forms.EmailField(
        label=_("Manager's e-mail"), max_length=254, required=False,
        help_text=_("Approves what this person requests from the catalog."))
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class GroupMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person"), max_length=254)


class MembershipForm(forms.Form):
    role = ChoiceField(label=_("Role"), choices=[])
    department = ChoiceField(label=_("Department"), required=False, choices=[])

    def __init__(self, *args, roles, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["department"].choices = [("", "—"), *departments]


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    function = ChoiceField(label=_("Function"), choices=DepartmentFunction.choices)


class DepartmentEditForm(DepartmentForm):
    requesters_share_tickets = forms.BooleanField(
        label=_("Requesters of the organization see each other's requests here"),
        required=False,
        help_text=_("They follow every incident and request of their organization in this "
                    "desk, read only (public replies only). Leave it off where requests "
                    "are personal, such as Human Resources."))


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class TeamCreateForm(TeamForm):
    department = ChoiceField(label=_("Department"), choices=[])

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments


class TeamMemberForm(forms.Form):
    user = ChoiceField(label=_("Agent"), choices=[])

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = candidates


def grantable_roles(*, provider: bool, everything: bool) -> list[tuple[str, str]]:
    roles = [(role.value, role.label) for role in Role]
    if not (provider and everything):
        roles = [r for r in roles if r[0] != Role.PROVIDER_ADMIN]
    return roles
