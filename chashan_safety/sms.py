"""Pluggable SMS backends: the console one by default; a gateway is a settings change (SMS_BACKEND).

A backend is a class with ``send_messages(messages: list[SmsMessage]) -> int``. A real gateway
(e.g. a carrier's HTTP API) subclasses ``BaseSmsBackend`` in its own module and is named in
``SMS_BACKEND``; nothing else changes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("chashan_safety.sms")

#: a mainland mobile number (11 digits from 13… to 19…, optionally +86 and spaces or hyphens): only these
#: take an SMS; an office's landline (0769-8664 1101) is shown on its account but gets no digest by SMS
MOBILE_NUMBER = re.compile(r"(\+?86)?1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s-]")


def can_text(phone: str) -> bool:
    """Whether an SMS can reach ``phone``."""
    return bool(MOBILE_NUMBER.fullmatch(_SEPARATORS.sub("", phone or "")))


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Writes each message to the log instead of sending it."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            log.info("SMS to %s: %s", message.phone, message.text)
        return len(messages)


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in ``LocmemBackend.outbox``, for tests."""

    outbox: list[SmsMessage] = []

    def send_messages(self, messages: list[SmsMessage]) -> int:
        LocmemBackend.outbox.extend(messages)
        return len(messages)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
