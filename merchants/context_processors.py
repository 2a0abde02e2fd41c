"""Puts the current merchant and membership in every template."""


def tenancy(request):
    return {
        "merchant": getattr(request, "merchant", None),
        "membership": getattr(request, "membership", None),
    }
