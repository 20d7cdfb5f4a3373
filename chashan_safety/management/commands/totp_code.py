"""``manage.py totp_code USERNAME``: the code a user's authenticator app shows now (debug mode only).

For the demo on a laptop, where ``admin`` and ``leader`` must give a code after the password and nobody has
added the demo key to a phone. With ``DJANGO_DEBUG=0`` it refuses: in production the code comes from the
person's phone, or a town administrator resets their two-factor sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor sign-in code of USERNAME's authenticator (debug mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code works only with DJANGO_DEBUG=1: in production the code comes from a phone.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(f"{username} has no authenticator: two-factor sign-in is not set up for that account.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        step = totp.t()
        # each code is taken once: when this step's code was used already, give the next one (also accepted)
        offset = 0 if step > device.last_t else 1
        totp.drift += offset
        seconds = (device.step - int(totp.time - device.t0) % device.step) + offset * device.step
        self.stdout.write(str(totp.token()).zfill(device.digits))
        self.stdout.write(f"(valid for about {seconds} more seconds; each code signs in once)")
