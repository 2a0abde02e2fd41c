"""The tenant tables under row-level security, shared by the migration and the tests."""

TENANT_TABLES = [
    "merchants_branch",
    "merchants_membership",
    "merchants_membershipbranch",
    "merchants_apikey",
    "merchants_auditlog",
    "customers_customer",
    "customers_customernametoken",
    "customers_visit",
    "customers_invoiceline",
    "ratings_rating",
    "ratings_message",
    "ratings_quickreply",
    "gifts_gift",
    "gifts_giftgrant",
    "gifts_pointsentry",
    "autoreply_autoreplysettings",
    "notifications_outgoingemail",
]
