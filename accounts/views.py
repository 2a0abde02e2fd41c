"""Login, logout and the per-user language switch."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import LoginForm
from .models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.lockout is not None:  # SEC-1: the page says so, and so does the status
            response.status_code = 429
            response.headers["Retry-After"] = str(form.lockout.retry_after())
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_POST
def language_set(request):
    language = request.POST.get("language")
    if language not in User.Language.values:
        return HttpResponseBadRequest("Unknown language.")
    request.user.language = language
    request.user.save(update_fields=["language"])
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target)
