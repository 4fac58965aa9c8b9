"""Glue between the project's errors and server-rendered pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.http import Http404
from django.shortcuts import render

from atiende.errors import AtiendeError, NotFound, PermissionDenied, ValidationFailed


def posted(request):
    """The submitted data for a form, or None when nothing was submitted.

    Not `request.POST or None`: a POST that arrives empty must be validated (and its
    errors shown), not mistaken for a first visit."""
    return request.POST if request.method == "POST" else None


def add_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's field errors on the form; fields the form lacks go on top."""
    for name, message in error.fields.items():
        field = name.removesuffix("_id")
        if name in form.fields:
            form.add_error(name, message)
        elif field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, message)
    if not error.fields:
        form.add_error(None, error.message)


def handles_errors(view: Callable) -> Callable:
    """Turn the project's errors into the matching page: 404 for what the actor may not
    see, 403 for what they may not do, and the message for conflicts."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None
        except PermissionDenied as error:
            return render(request, "errors/403.html", {"message": error.message}, status=403)
        except AtiendeError as error:
            return render(request, "errors/problem.html", {"message": error.message},
                          status=error.status)

    return wrapper
