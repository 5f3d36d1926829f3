import sys

from django.core.management.base import BaseCommand

from users.models import User


class Command(BaseCommand):
    help = "Sets a shop user's password the Django way (set_password, save); password from standard input."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        user = User.objects.get(username=username)
        user.set_password(sys.stdin.readline().rstrip("\n"))
        user.save()
        self.stdout.write(user.password)
