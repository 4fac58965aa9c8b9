"""The whole vocabulary of notification templates: `{% if %}` (with `else`, `elif`
and the comparison operators it takes) and nothing else. No `load`, `include`,
`extends`, filters or other tags: a template can only print the plain strings it is
given and choose between pieces of text."""

from django.template import Library
from django.template.defaulttags import do_if

register = Library()
register.tag("if", do_if)
