"""The report's sections as CSV: one file per section, the same figures as the page's tables.

Sections with several tables are written in long form, the first column naming the table.
Numbers are plain (``1234.50``, shares in per cent), so spreadsheets read them in any language.
Text that a spreadsheet would take for a formula (people's searches, names) is quoted with ``'``.
"""

import csv
from decimal import Decimal

from django.utils.translation import gettext as _

from concierge.reports import selectors
from concierge.tickets.choices import TicketKind

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _percent(share) -> str:
    return "" if share is None else f"{100 * share:.1f}"


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def _hours(duration) -> str:
    return "" if duration is None else f"{duration.total_seconds() / 3600:.1f}"


def _volume(data: dict) -> list[list]:
    rows = [[_("Week of"), _("Requests submitted"), _("Incidents submitted"),
             _("Submitted"), _("Requests resolved"), _("Incidents resolved"), _("Resolved")]]
    columns = [f"opened_{TicketKind.REQUEST}", f"opened_{TicketKind.INCIDENT}", "opened",
               f"resolved_{TicketKind.REQUEST}", f"resolved_{TicketKind.INCIDENT}", "resolved"]
    for week in data["weeks"]:
        rows.append([week["week"].isoformat(), *(week[key] for key in columns)])
    rows.append([_("Total"), *(data["totals"][key] for key in columns)])
    rows.append([_("Open now"), data["backlog"][TicketKind.REQUEST],
                 data["backlog"][TicketKind.INCIDENT], data["backlog_total"], "", "", ""])
    return rows


def _deflection(data: dict) -> list[list]:
    total = _("Total")
    rows = [[_("Table"), _("Name"), _("Count")],
            [total, _("Forms with suggestions"), data["shown"]],
            [total, _("A suggestion was opened"), data["opened"]],
            [total, _("Marked “this solved it”"), data["solved"]],
            [total, _("Sent anyway"), data["submitted"]],
            [total, _("Deflected"), data["deflected"]],
            [total, _("Deflected (%)"), _percent(data["rate"])]]
    rows += [[_("Suggestions that deflected"), row["title"], row["n"]] for row in data["top"]]
    rows += [[_("Searches without a result"), row["t"], row["n"]]
             for row in data["no_result"] or []]
    return rows


def _satisfaction(data: dict) -> list[list]:
    rows = [[_("Table"), _("Name"), _("Asked"), _("Rated"), _("Average rating"),
             _("Satisfied (4 or 5, %)"), _("Ease"), _("Reopened as not fixed")]]

    def line(table, name, row):
        return [table, name, row["asked"], row["rated"], row["rating_avg"], row["csat"],
                row["effort_avg"], row["reopened"]]

    rows.append(line(_("Total"), "", data["summary"]))
    rows += [line(_("Per group"), row["group_name"] or _("No group"), row)
             for row in data["groups"]]
    rows += [line(_("Per agent"), row["agent_name"] or _("Nobody assigned"), row)
             for row in data["agents"]]
    return rows


def _sla(data: dict) -> list[list]:
    rows = [[_("Table"), _("Name"), _("With a target"), _("First response met"),
             _("First response breached"), _("First response met (%)"), _("Resolution met"),
             _("Resolution breached"), _("Resolution met (%)"), _("Breached"),
             _("Median time to first response (hours)"), _("Median time to resolution (hours)")]]

    def line(table, name, row):
        return [table, name, row["with_target"], row["response_met"], row["response_breached"],
                _percent(row["response_share"]), row["resolution_met"],
                row["resolution_breached"], _percent(row["resolution_share"]), row["breached"]]

    summary = data["summary"]
    rows.append([*line(_("Total"), "", summary), _hours(summary["median_response"]),
                 _hours(summary["median_resolution"])])
    rows += [[*line(_("Per group"), row["group__name"] or _("No group"), row), "", ""]
             for row in data["groups"]]
    rows += [[*line(_("Per priority"), str(row["label"]), row), "", ""]
             for row in data["priorities"]]
    return rows


def _costs(data: dict) -> list[list]:
    rows = [[_("Table"), _("Name"), _("Requests"), _("One-off"), _("Monthly")]]

    def line(table, name, row):
        return [table, name, row["requests"], _money(row["once"]), _money(row["monthly"])]

    rows.append(line(_("Total"), "", data["totals"]))
    rows += [line(_("Organisation"), row["name"], row) for row in data["organisations"]]
    rows += [line(_("Department"), row["name"] or _("No department"), row)
             for row in data["departments"]]
    rows += [line(_("Cost centre"), f"{row['code']} {row['name']}" if row["code"]
                  else _("No cost centre"), row) for row in data["centres"]]
    rows += [line(_("Service"), row["name"] or _("Service no longer offered"), row)
             for row in data["items"]]
    return rows


WRITERS = {"volume": _volume, "deflection": _deflection, "satisfaction": _satisfaction,
           "sla": _sla, "costs": _costs}


def write_section(out, section: str, *, user, filters: selectors.Filters) -> None:
    """Write ``section`` for ``filters`` as CSV to the file-like ``out``."""
    data = selectors.section_for(user, section, filters)
    writer = csv.writer(out)
    for row in WRITERS[section](data):
        writer.writerow([_cell(value) for value in row])
