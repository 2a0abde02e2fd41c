"""Activates the logged-in user's language (PRODUCT.md §10: switchable per user)."""

from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # The thread's language must not outlive the request (a worker thread serves others).
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
