from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from concierge.catalog.choices import ItemKind
from concierge.catalog.selectors import catalog_cache_key, item_list_for
from concierge.feedback.selectors import survey_todo_for
from concierge.tickets.selectors import draft_list_for, ticket_list_for


@login_required
@require_GET
def home(request):
    user = request.user
    items = item_list_for(user)
    return render(request, "portal/home.html", {
        "open_tickets": list(ticket_list_for(user, state="open")[:5]),
        "drafts": list(draft_list_for(user)[:3]),
        "surveys": list(survey_todo_for(user)[:3]),
        # Lazy: rendered inside fragments cached per catalog version and audience.
        "catalog_key": catalog_cache_key(user),
        "popular": items.filter(kind=ItemKind.REQUEST)[:8],
        "broken_items": items.filter(kind=ItemKind.INCIDENT)[:1],
    })


@never_cache
@require_GET
def healthz(request):
    """For load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def floor(request):
    """The bare-Django floor for `make bench`: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
