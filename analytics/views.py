"""The analytics dashboard (ANA-1..3, ANA-5, ANA-6) for every member, within their branches, and
the CSV of each of its tables. Filters live in the URL; every figure comes from analytics.selectors."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from inbox.export import CONTENT_TYPE, neutralised
from merchants.decorators import member_required
from ratings.models import band_for
from ratings_inbox import l10n

from . import charts, selectors
from .params import filters_from
from .templatetags.analytics_tags import days, minutes, percent

WATCHLIST_PAGE = 25
WATCHLIST_CSV_ROWS = 1000


def _filters(request):
    try:
        return filters_from(request.GET, request.access), None
    except ValidationError as exc:
        return None, exc


def _period_labels(series: list[dict], interval: str) -> list[str]:
    label = l10n.month if interval == "month" else l10n.day_of_month
    return [label(row["period_start"]) for row in series]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _funnel_steps(row: dict) -> list[tuple[str, str, int]]:
    return [("detractors", _("Detractors"), row["detractors"]), ("answered", _("Answered"), row["answered"]),
            ("answered_within_target", pgettext("recovery funnel step: detractors", "Answered in time"),
             row["answered_within_target"]),
            ("gift_offered", _("Offered a gift"), row["gift_offered"]),
            ("gift_redeemed", _("Redeemed it"), row["gift_redeemed"]),
            ("returned", _("Came back"), row["returned"]), ("rerated", _("Rated again"), row["rerated"]),
            ("recovered", _("Recovered (9–10)"), row["recovered"])]


def _watchlist(request, filters, now):
    rows = selectors.watchlist(access=request.access, now=now, branch_id=filters.branch_id)
    currency = request.access.merchant.currency
    return [selectors.watch_item(stats, now=now, currency=currency) for stats in rows[:WATCHLIST_PAGE]]


@require_GET
@member_required()
def dashboard(request, merchant_slug):
    filters, error = _filters(request)
    now = timezone.now()
    if error is not None:
        return render(request, "analytics/dashboard.html", {"errors": error.message_dict,
                                                            "branches": _branch_choices(request)}, status=400)
    branches = _branch_choices(request)
    figures = selectors.dashboard(access=request.access, filters=filters, branches=branches)
    nps, response, recovery = figures["nps"], figures["response"], figures["recovery"]
    labels = _period_labels(nps["series"], filters.interval)
    steps = _funnel_steps(recovery)
    base = recovery["detractors"]
    previous = recovery["previous"] or {}
    funnel_rows = [{"key": key, "label": label, "count": count, "rate": _percent(count, base),
                    "previous": previous.get(key)} for key, label, count in steps]
    context = {
        "filters": filters, "figures": figures, "nps": nps, "response": response, "recovery": recovery,
        "nps_rows": charts.table_rows([
            (label, [row["ratings"], row["promoters"], row["passives"], row["detractors"], row["comments"], row["nps"]])
            for row, label in zip(nps["series"], labels, strict=True)]),
        "nps_charts": [charts.nps_svg(charts.nps_bars(nps["series"], labels=labels), size="narrow",
                                      labelledby="an-nps"),
                       charts.nps_svg(charts.nps_bars(nps["series"], labels=labels, width=900), size="wide",
                                      labelledby="an-nps")],
        "ranking_chart": charts.hbars_svg(charts.horizontal_bars(
            [(row["branch"]["name"], row["nps"], "—" if row["nps"] is None else str(row["nps"]))
             for row in figures["ranking"]], low=-100, high=100), labelledby="an-branches"),
        "response_chart": charts.hbars_svg(charts.horizontal_bars(
            [(row["branch"]["name"], None if row["within_target_rate"] is None else 100 * row["within_target_rate"],
              "—" if row["within_target_rate"] is None else
              percent(row["within_target_rate"]))
             for row in response["by_branch"]], low=0, high=100, css="rate"), labelledby="an-response"),
        "funnel_rows": funnel_rows,
        "funnel_chart": charts.funnel(
            [(row["label"], row["count"], l10n.number(row["count"])
              + ("" if row["rate"] is None else f" · {l10n.number(row['rate'], 0)} %"))
             for row in funnel_rows], base),
        "comment_rate": _percent(nps["total"]["comments"], nps["total"]["ratings"]),
        "previous_comment_rate": _percent(nps["previous"]["comments"], nps["previous"]["ratings"])
        if nps["previous"] else None,
        "watchlist": (watch := _watchlist(request, filters, now)),
        "watchlist_rows": _watch_rows(request, watch),
        "branches": branches,
        "query": request.GET.urlencode(),
        "csv": {name: reverse("analytics:csv", args=[merchant_slug, name]) for name in CSV_TABLES},
    }
    context.update(_tables(figures, response, recovery))
    return render(request, "analytics/dashboard.html", context)


def _watch_rows(request, items: list[dict]) -> SafeString:
    """The watchlist's rows, drawn in Python: a link to each customer's latest rating, the flag of
    a detractor, money and days in the reader's language."""
    rating_url = reverse("ratings:rating", args=[request.merchant.slug, 0])[:-2]  # ".../inbox/" + id + "/"
    flag_title = escape(_("Their last rating was a detractor"))
    flag = (f' <span class="flag" title="{flag_title}">'
            f'{render_to_string("layouts/_icon.html", {"name": "flag", "size": 14})}'
            f'<span class="visually-hidden">{flag_title}</span></span>')
    rows = []
    for item in items:
        name = escape(item["customer"]["full_name"])
        if item["last_rating"]:
            name = f'<a href="{rating_url}{int(item["last_rating"])}/">{name}</a>'
        score = item["last_score"]
        badge = "—" if score is None else f'<span class="score score-{band_for(score)}">{int(score)}</span>'
        flagged = (' class="flagged"', flag) if item["detractor"] else ("", "")
        rows.append(
            f'<tr{flagged[0]}><th scope="row">{name}{flagged[1]}</th>'
            f'<td class="num">{escape(l10n.money(item["total_spent"], item["currency"]))}</td>'
            f'<td class="num">{int(item["visits"])}</td><td class="num">{escape(days(item["median_gap_days"]))}</td>'
            f'<td class="num">{escape(days(item["days_since_last_visit"]))}</td>'
            f'<td>{escape(l10n.day(item["last_visit_at"]))}</td>'
            f'<td class="num">{badge}</td><td>{escape(item["branch"]["name"]) if item["branch"] else ""}</td></tr>')
    return mark_safe("".join(rows))  # every value escaped or a number


def _response_cells(row: dict) -> list:
    within = f"{row['answered_within_target']}"
    if row["within_target_rate"] is not None:
        within += f" ({percent(row['within_target_rate'])})"
    return [row["cases"], row["answered"], within, minutes(row["median_first_response_minutes"]),
            minutes(row["p90_first_response_minutes"])]


def _tables(figures: dict, response: dict, recovery: dict) -> dict:
    """The branch and member tables' rows, drawn in Python (charts.table_rows): a large merchant's
    20 branches made them the page's costliest templates."""
    currency = recovery["currency"]

    def cost(value):
        return "—" if value is None else l10n.money(value, currency)

    return {
        "ranking_rows": charts.table_rows([(row["branch"]["name"], [row["ratings"], row["nps"], row["previous_nps"]])
                                           for row in figures["ranking"]]),
        "response_branch_rows": charts.table_rows([(row["branch"]["name"], _response_cells(row))
                                                   for row in response["by_branch"]]),
        "response_member_rows": charts.table_rows([(row["member"]["full_name"], _response_cells(row))
                                                   for row in response["by_member"]]),
        "recovery_branch_rows": charts.table_rows([
            (row["branch"]["name"], [row["detractors"], row["answered"], row["gift_redeemed"], row["returned"],
                                     row["recovered"], cost(row["gift_cost"]), cost(row["cost_per_recovered"])])
            for row in recovery["by_branch"]]),
    }


def _branch_choices(request):
    from merchants.selectors import branch_list

    return list(branch_list(access=request.access).only("id", "name").order_by("name", "id"))


# --- CSV of each table (ANA-6) -------------------------------------------------------------------

def _nps_table(request, filters):
    figures = selectors.nps_series(access=request.access, filters=filters)
    header = ("period_start", "ratings", "promoters", "passives", "detractors", "comments", "nps")
    return header, [[row[name] for name in header] for row in figures["series"]]


def _branches_table(request, filters):
    rows = selectors.branch_ranking(access=request.access, filters=filters)
    header = ("branch", "ratings", "promoters", "passives", "detractors", "comments", "nps", "previous_nps")
    return header, [[row["branch"]["name"], *(row[name] for name in header[1:])] for row in rows]


RESPONSE_FIGURES = ("cases", "answered", "answered_within_target", "within_target_rate",
                    "median_first_response_minutes", "p90_first_response_minutes")


def _response_table(request, filters):
    figures = selectors.response_summary(access=request.access, filters=filters)
    rows = [["branch", row["branch"]["name"], *(row[name] for name in RESPONSE_FIGURES)]
            for row in figures["by_branch"]]
    rows += [["member", row["member"]["full_name"], *(row[name] for name in RESPONSE_FIGURES)]
             for row in figures["by_member"]]
    rows.append(["total", "", *(figures[name] for name in RESPONSE_FIGURES)])
    return ("kind", "name", *RESPONSE_FIGURES), rows


FUNNEL_FIGURES = ("detractors", "answered", "answered_within_target", "gift_offered", "gift_redeemed", "returned",
                  "rerated", "recovered", "gift_cost", "cost_per_recovered")


def _recovery_table(request, filters):
    figures = selectors.recovery_funnel(access=request.access, filters=filters)
    rows = [[row["branch"]["name"], *(row[name] for name in FUNNEL_FIGURES)] for row in figures["by_branch"]]
    rows.append(["total", *(figures[name] for name in FUNNEL_FIGURES)])
    return ("branch", *FUNNEL_FIGURES, ), rows


def _watchlist_table(request, filters):
    now = timezone.now()
    stats = selectors.watchlist(access=request.access, now=now, branch_id=filters.branch_id)[:WATCHLIST_CSV_ROWS]
    currency = request.access.merchant.currency
    header = ("customer_id", "customer", "visits", "median_gap_days", "days_since_last_visit", "last_visit_at",
              "last_score", "detractor", "branch", "total_spent", "currency")
    rows = []
    for item in (selectors.watch_item(row, now=now, currency=currency) for row in stats):
        rows.append([item["customer"]["id"], item["customer"]["full_name"], item["visits"], item["median_gap_days"],
                     item["days_since_last_visit"], item["last_visit_at"].isoformat(), item["last_score"],
                     "yes" if item["detractor"] else "no", item["branch"]["name"] if item["branch"] else "",
                     item["total_spent"], currency])
    return header, rows


CSV_TABLES = {"nps": _nps_table, "branches": _branches_table, "response": _response_table,
              "recovery": _recovery_table, "watchlist": _watchlist_table}


@require_GET
@member_required()
def table_csv(request, merchant_slug, table):
    """One table of the dashboard as CSV, with the page's filters; text cells made formula-safe."""
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    filters, error = _filters(request)
    if error is not None:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    header, rows = CSV_TABLES[table](request, filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else neutralised(value) if isinstance(value, str) else value
                         for value in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CONTENT_TYPE)
    name = f"{request.merchant.slug}-{table}-{filters.date_from}-{filters.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
