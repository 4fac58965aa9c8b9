"""Pages of the signed-in person: start page, profile, API tokens, language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core import selectors, services
from atiende.core.forms import ProfileForm, TokenForm
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed


@login_required
def home(request):
    return render(request, "core/home.html", selectors.home_summary(actor=request.user))


@login_required
@handles_errors
def profile(request):
    user = request.user
    form = ProfileForm(posted(request), initial={
        "display_name": user.display_name, "phone": user.phone,
        "language": user.language, "time_zone": user.time_zone,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=user, changes=form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile")
    return render(request, "core/profile.html", {"form": form})


@login_required
@handles_errors
def token_list(request):
    form = TokenForm(posted(request))
    created = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, plaintext = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            created = {"token": token, "plaintext": plaintext}
            form = TokenForm()
    tokens = selectors.token_list(actor=request.user)
    return render(request, "core/tokens.html", {"form": form, "tokens": tokens,
                                                "created": created})


@login_required
@require_POST
@handles_errors
def token_revoke(request, token_id: int):
    token = selectors.token_get(actor=request.user, token_id=token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("token_list")


@require_POST
def language_switch(request):
    """Switch the interface language; a signed-in person keeps it in their profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                           request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in services.LANGUAGE_CODES:
        return response
    if request.user.is_authenticated:
        services.profile_update(actor=request.user, changes={"language": language})
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=settings.SECURE_COOKIES)
    return response


def health(request):
    """For load balancers: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
