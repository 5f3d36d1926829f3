import re

from django.contrib.auth.backends import ModelBackend

from .models import User


def get_user_by_account(account):
    """A user by username, or by mobile when the account looks like one (as Meiduo)."""
    try:
        if re.match(r"^1[3-9]\d{9}$", account):
            return User.objects.get(mobile=account)
        return User.objects.get(username=account)
    except User.DoesNotExist:
        return None


class UsernameMobileAuthBackend(ModelBackend):
    """Meiduo's backend: log in by username or mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = get_user_by_account(username or "")
        if user and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
