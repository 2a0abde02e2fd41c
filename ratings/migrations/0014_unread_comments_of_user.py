"""The merchant switcher's unread counts (TEN-2, INB-1): one function for all of a user's merchants.

Row-level security shows the application role one merchant's rows at a time, and the switcher needs
a number from each merchant the user belongs to: reading them one tenant at a time would be a statement
per merchant. This function, owned by the owner role (which bypasses row-level security), sums the
kept branch counters of exactly the merchants where the user set in `app.user_id` has a membership,
within the branches each membership may see; it returns no row, and reads nothing else, for anyone else.
The same trust as the policy own_memberships, which reads that setting too.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION ratings_unread_comments_of_user() RETURNS TABLE (merchant_id bigint, unread bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT ms.merchant_id, COALESCE(sum(c.unread_comments), 0)::bigint
    FROM merchants_membership ms
    JOIN ratings_ratingbranchcounter c ON c.merchant_id = ms.merchant_id
    WHERE ms.user_id = NULLIF(current_setting('app.user_id', true), '')::bigint
      AND (NOT ms.restricted_to_branches OR EXISTS (
          SELECT 1 FROM merchants_membershipbranch mb
          WHERE mb.merchant_id = ms.merchant_id AND mb.membership_id = ms.id AND mb.branch_id = c.branch_id))
    GROUP BY ms.merchant_id
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("merchants", "0008_staff_notifications"),
        ("ratings", "0013_case_view_counters"),
    ]

    operations = [
        migrations.RunSQL(CREATE, "DROP FUNCTION IF EXISTS ratings_unread_comments_of_user();"),
    ]
