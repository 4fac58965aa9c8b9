"""The portal's forms: they parse what was sent; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.tickets.forms import ObjectChoiceField, plain_to_html

SEARCH_MAX = 200


class SearchForm(forms.Form):
    q = forms.CharField(label=_("What do you need?"), max_length=SEARCH_MAX, required=False)


class ReportForm(forms.Form):
    """"Report a problem": who can help, what happens, the details, a file."""

    department = ObjectChoiceField(label=_("Who can help"), required=True, empty_label=None)
    title = forms.CharField(label=_("What is happening?"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, max_length=100_000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("Attach a file (optional)"), required=False)

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].set_objects(departments)
        self.fields["title"].widget.attrs.update(autocomplete="off")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"department": data["department"], "title": data["title"],
                "description": plain_to_html(data["description"]),
                "files": [data["file"]] if data.get("file") else []}


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("Attach a file (optional)"), required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"body": plain_to_html(data["body"]),
                "files": [data["file"]] if data.get("file") else []}


class VersionForm(forms.Form):
    """Reopen or cancel: the version of the ticket the requester saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class BrandingForm(forms.Form):
    title = forms.CharField(label=_("Name shown in the portal"), max_length=120,
                            required=False, help_text=_("Empty: the organization's name."))
    primary_colour = forms.CharField(
        label=_("Primary colour"), max_length=7,
        help_text=_("Buttons and the header use it with white text: it needs a contrast "
                    "of at least 4.5:1 against white."),
        widget=forms.TextInput(attrs={"type": "color"}))
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG, WebP or GIF, at most 512 KB."),
                           widget=forms.ClearableFileInput(attrs={
                               "accept": "image/png,image/jpeg,image/webp,image/gif"}))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "primary_colour": data["primary_colour"],
                "logo": data.get("logo") or None, "remove_logo": data["remove_logo"]}
