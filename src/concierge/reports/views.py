from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concierge.reports import exports, selectors
from concierge.reports.forms import ReportFilterForm


def _filters(request) -> tuple[ReportFilterForm, dict, selectors.Filters | None]:
    """The filter form from the query string and, when it is valid, the report's filters (a
    service manager's always about their own organisation)."""
    selectors.require_reports(request.user)
    choices = selectors.filter_choices(request.user)
    form = ReportFilterForm(request.GET, choices=choices)
    if not form.is_valid():
        return form, choices, None
    organisation_id = selectors.report_organisation_for(
        request.user, form.cleaned_data.get("organisation"))
    return form, choices, form.filters(organisation_id=organisation_id)


@login_required
@require_GET
def report(request):
    """Volume, deflection, satisfaction, service levels and costs for a period."""
    form, choices, filters = _filters(request)
    context = {"form": form, "filters": filters, "csv_query": request.GET.urlencode(),
               "organisation": selectors.organisation_label(request.user, filters, choices)}
    if filters is None:
        return render(request, "reports/report.html", context, status=400)
    context.update(selectors.report_for(request.user, filters))
    return render(request, "reports/report.html", context)


@login_required
@require_GET
def report_csv(request, section: str):
    """One section of the report as a CSV file, for the same filters as the page."""
    if section not in selectors.SECTIONS:
        raise Http404("No such section")
    form, _choices, filters = _filters(request)
    if filters is None:
        errors = "\n".join(f"{name}: {' '.join(messages)}"
                           for name, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="concierge-{section}-{filters.start}-{filters.end}.csv"')
    exports.write_section(response, section, user=request.user, filters=filters)
    return response
