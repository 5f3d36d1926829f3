from django.urls import path

from users import views

urlpatterns = [
    path("login/", views.login_view),
    path("logout/", views.logout_view),
    path("info/", views.info_view),
    path("password/", views.password_view),
    path("csrf-probe/", views.csrf_probe),
]
