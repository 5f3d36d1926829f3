#!/usr/bin/env python3
"""The test shop's manage.py: a small Django 4.2 project shaped like the Meiduo mall, against
which the service's "Django drop-in" mode is tested. scripts/stack runs it when
MEIDUO_DJANGO_SHOP names this folder; Tests/integration/conftest.py (django_stack) drives it."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
