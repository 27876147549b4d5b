"""Sign in by a code texted to your mobile, into a Django session; sign out clears the site."""

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from notifications.services import login_code_send
from people.errors import DomainError, LoginCodeInvalid, TextsStopped
from people.services import login_code_verify, user_update
from web.forms import CodeForm, NameForm, PhoneForm, apply_error
from web.views.common import client_ip, give_back, page, too_many, wait_words

PHONE_KEY = "sign_in_phone"
NEXT_KEY = "sign_in_next"


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "web:home"


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        per_phone = (("login_code_phone_minute", phone), ("login_code_phone_hour", phone))
        wait = too_many(*per_phone, ("login_code_ip", client_ip(request)))
        if wait is not None:
            form.add_error(
                None, f"Too many codes asked for. Wait {wait_words(wait)}, then try again."
            )
            return page(request, "web/sign_in.html", {"form": form}, status=429)
        try:
            login_code_send(phone=phone)
        except DomainError as exc:
            if isinstance(exc, TextsStopped):
                # Nothing was sent: the number may ask again once it texts START. The
                # per-address count stands, as in the API.
                give_back(*per_phone)
            apply_error(form, exc, field="phone")
            return page(request, "web/sign_in.html", {"form": form}, status=exc.status_code)
        request.session[PHONE_KEY] = phone
        request.session[NEXT_KEY] = request.GET.get("next", "")
        return redirect("web:sign-in-code")
    return page(request, "web/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("web:sign-in")
    form = CodeForm(request.POST or None)
    context = {"form": form, "phone": phone}
    if request.method == "POST" and form.is_valid():
        wait = too_many(("login_token_ip", client_ip(request)))
        if wait is not None:
            form.add_error(None, f"Too many tries. Wait {wait_words(wait)}, then try again.")
            return page(request, "web/sign_in_code.html", context, status=429)
        try:
            user = login_code_verify(phone=phone, code=form.cleaned_data["code"])
        except LoginCodeInvalid as exc:
            form.add_error("code", str(exc.detail))
            return page(request, "web/sign_in_code.html", context)
        target = request.session.get(NEXT_KEY, "")
        login(request, user, backend="people.backends.PersonBackend")
        if not user.display_name:
            request.session[NEXT_KEY] = target
            response = redirect("web:welcome")
        else:
            response = redirect(_safe_next(request, target))
        # Whatever someone else left on this phone (a cached "My meals") is not theirs.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return page(request, "web/sign_in_code.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """A first sign-in asks only for a first name."""
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_update(user=request.user, display_name=form.cleaned_data["display_name"].strip())
        return redirect(_safe_next(request, request.session.pop(NEXT_KEY, "")))
    return page(request, "web/welcome.html", {"form": form})


@require_POST
def sign_out(request):
    logout(request)
    response = redirect("web:sign-in")
    # The browser forgets this site's cookies, cache and storage (the cached "My meals" too).
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
