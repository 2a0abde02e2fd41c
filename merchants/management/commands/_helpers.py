"""Shared bits of the provisioning commands: merchant lookup and error reporting."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from merchants.models import Merchant


def merchant_by_slug(slug: str) -> Merchant:
    merchant = Merchant.objects.filter(slug=slug).first()
    if merchant is None:
        raise CommandError(f"No merchant with slug {slug!r}.")
    return merchant


def command_error(exc: ValidationError) -> CommandError:
    if hasattr(exc, "message_dict"):
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        text = " ".join(exc.messages)
    return CommandError(text)
