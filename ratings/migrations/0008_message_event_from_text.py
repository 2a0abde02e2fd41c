"""System entries written before events (0007) become events where their text is recognisable.

A gift entry was stored as Spanish or English words; it becomes "gift_sent" or
"gift_redeemed" when its text matches one of those wordings and names its grant's code.
The gift's name is taken from the text (the name it had then); what it gives and the last
day come from the grant, whose value cannot change once granted (gifts.services.gift_update).
The body stays as it was: the fallback for anything not recognised. The wording and the
value's shape are copied here, as they were when this was written, so later changes to
gifts.wording cannot change what this migration does.
Row-level security: platform-wide work, so app.all_merchants is on for it.
"""

import re
from zoneinfo import ZoneInfo

from django.db import migrations

BATCH_SIZE = 1000
SENT = [
    re.compile(r"^Gift sent: (?P<gift>.+?) — .+\. Code (?P<code>[A-Z0-9]+), valid until .+\.$", re.S),
    re.compile(r"^Regalo enviado: (?P<gift>.+?) — .+\. Código (?P<code>[A-Z0-9]+), válido hasta el .+\.$", re.S),
]
REDEEMED = [
    re.compile(r"^Gift redeemed: (?P<gift>.+) \(code (?P<code>[A-Z0-9]+)\)\.$", re.S),
    re.compile(r"^Regalo redimido: (?P<gift>.+) \(código (?P<code>[A-Z0-9]+)\)\.$", re.S),
]


def _match(patterns, body: str, code: str):
    for pattern in patterns:
        found = pattern.match(body)
        if found and found["code"] == code:
            return found
    return None


def _event(message):
    grant = message.gift_grant
    gift, merchant = grant.gift, message.merchant
    found = _match(SENT, message.body, grant.code)
    if found:
        amount = gift.discount_amount
        return "gift_sent", {
            "gift": found["gift"], "code": grant.code,
            "value": {
                "kind": gift.kind, "product_name": gift.product_name, "points": gift.points,
                "discount_percent": gift.discount_percent,
                "discount_amount": None if amount is None else str(amount), "currency": merchant.currency,
            },
            "valid_until": grant.expires_at.astimezone(ZoneInfo(merchant.timezone)).date().isoformat(),
        }
    found = _match(REDEEMED, message.body, grant.code)
    if found:
        return "gift_redeemed", {"gift": found["gift"], "code": grant.code}
    return None, None


def forwards(apps, schema_editor):
    schema_editor.execute("SET LOCAL app.all_merchants = 'on'")
    Message = apps.get_model("ratings", "Message")
    rows = (
        Message.objects.filter(author_kind="system", event__isnull=True, gift_grant__isnull=False)
        .select_related("gift_grant__gift", "merchant")
        .order_by("pk")
    )
    changed = []
    for message in rows.iterator(chunk_size=BATCH_SIZE):
        message.event, message.event_params = _event(message)
        if message.event is not None:
            changed.append(message)
        if len(changed) >= BATCH_SIZE:
            Message.objects.bulk_update(changed, ["event", "event_params"])
            changed = []
    Message.objects.bulk_update(changed, ["event", "event_params"])


def backwards(apps, schema_editor):
    schema_editor.execute("SET LOCAL app.all_merchants = 'on'")
    apps.get_model("ratings", "Message").objects.filter(event__isnull=False).update(event=None, event_params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0007_message_event"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
