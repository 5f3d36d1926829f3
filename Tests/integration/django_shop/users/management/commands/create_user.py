import sys

from django.core.management.base import BaseCommand

from users.models import User


class Command(BaseCommand):
    help = "Creates a shop user the Django way; the password is read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--mobile", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--inactive", action="store_true")

    def handle(self, username, mobile, email, inactive, **options):
        password = sys.stdin.readline().rstrip("\n")
        user = User.objects.create_user(username=username, password=password, mobile=mobile, email=email,
                                        is_active=not inactive)
        self.stdout.write(str(user.pk))
