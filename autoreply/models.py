"""The auto-reply each merchant may send to silent detractors (AR-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from merchants.models import TenantModel

DEFAULT_TEXTS = {
    "es": {
        "subject": "{first_name}, ¿qué pasó en tu visita a {merchant}?",
        "body": (
            "Hola {first_name}:\n\n"
            "Gracias por calificar tu visita a {merchant} ({branch}) del {visit_date}. "
            "Vemos que no quedaste del todo satisfecho y lo sentimos mucho.\n\n"
            "¿Nos cuentas qué pasó? Responde a esta conversación y te atenderemos personalmente.\n\n"
            "El equipo de {merchant}"
        ),
    },
    "en": {
        "subject": "{first_name}, what happened on your visit to {merchant}?",
        "body": (
            "Hi {first_name},\n\n"
            "Thank you for rating your visit to {merchant} ({branch}) on {visit_date}. "
            "We can see it did not go as well as it should have, and we are sorry.\n\n"
            "Could you tell us what happened? Answer in this conversation and we will take care of it "
            "personally.\n\nThe {merchant} team"
        ),
    },
}


class AutoReplySettings(TenantModel):
    enabled = models.BooleanField(_("on"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    delay_minutes = models.PositiveIntegerField(_("delay (minutes)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="autoreply_one_per_merchant"),
            models.CheckConstraint(
                condition=models.Q(delay_minutes__gte=0, delay_minutes__lte=1440),
                name="autoreply_delay_0_to_1440",
            ),
        ]

    @classmethod
    def defaults_for(cls, merchant) -> "AutoReplySettings":
        """Unsaved: off, with the default text in the merchant's language (AR-1)."""
        texts = default_texts(merchant.language)
        return cls(merchant=merchant, subject=texts["subject"], body=texts["body"])


def default_texts(language: str) -> dict[str, str]:
    """The default subject and body in `language` (Spanish for any other)."""
    return DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["es"])
