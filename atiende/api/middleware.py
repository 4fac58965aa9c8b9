"""Answers that Django or Ninja produce outside the API's handlers, in the API's format."""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.api.errors import PROBLEM_CONTENT_TYPE, problem

API_PREFIX = "/api/"


class ApiProblemMiddleware:
    """An unknown path under /api/ (404) or a method an endpoint does not have (405)
    answers problem+json like every other API error, not an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in (404, 405)
            and request.path.startswith(API_PREFIX)
            and response.get("Content-Type", "") != PROBLEM_CONTENT_TYPE
        ):
            if response.status_code == 404:
                return problem(404, "not_found", _("Not found."))
            replacement = problem(405, "method_not_allowed",
                                  _("This endpoint does not accept %(method)s.")
                                  % {"method": request.method})
            replacement["Allow"] = response.get("Allow", "")
            return replacement
        return response
