"""Form widgets the web UI renders often enough to matter.

Django renders every `<option>` of a select through a template of its own: a page with
a dozen filters and hundreds of options (agents, categories, time zones) spends more
time there than in its queries. `QuickSelect` renders the same markup in Python.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "", "<option value=\"{}\"{}>{}</option>",
                ((option["value"] if option["value"] is not None else "",
                  flatatt(option["attrs"]), option["label"]) for option in options))
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
                         if group_name else rendered)
        return format_html('<select name="{}"{}>{}</select>', widget["name"],
                           flatatt(widget["attrs"]), SafeString("".join(parts)))


class ChoiceField(forms.ChoiceField):
    widget = QuickSelect


class TypedChoiceField(forms.TypedChoiceField):
    widget = QuickSelect
