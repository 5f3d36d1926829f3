"""The shop's own pages, as Meiduo's users app has them (a test-only password form and CSRF
probe besides). Each page says it is Django's, so tests can tell who answered."""
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


def login_view(request):
    if request.method == "GET":
        return render(request, "login.html", {"next": request.GET.get("next", "")})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    remembered = request.POST.get("remembered")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    user = authenticate(request, username=username, password=password)
    if user is None:
        return render(request, "login.html", {"next": next_url, "errmsg": "用户名或密码错误"}, status=400)
    login(request, user)
    # As Meiduo: without "remember me" the session ends with the browser.
    request.session.set_expiry(None if remembered == "on" else 0)
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/info/"
    response = redirect(next_url)
    response.set_cookie("username", user.username, max_age=3600 * 24 * 14)
    return response


def logout_view(request):
    logout(request)
    response = redirect("/login/")
    response.delete_cookie("username")
    return response


@login_required
def info_view(request):
    return render(request, "info.html", {"user": request.user})


@login_required
def password_view(request):
    """Test-only: sets a new password the Django way. The session that changes it stays
    logged in (update_session_auth_hash, as Django's PasswordChangeView); every other
    session of the user ends."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    user.set_password(request.POST["new_password"])
    user.save()
    update_session_auth_hash(request, user)
    return JsonResponse({"code": "0", "errmsg": "OK"})


def csrf_probe(request):
    """Test-only: answers 200 to any unsafe method that passed Django's CSRF middleware, so a
    test can ask real Django what it accepts (refusals are Django's own 403 page)."""
    return JsonResponse({"code": "0", "errmsg": "OK", "method": request.method})
