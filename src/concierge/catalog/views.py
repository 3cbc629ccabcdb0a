from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concierge.catalog import selectors
from concierge.core.htmx import render_page_or_partial
from concierge.tickets.selectors import draft_list_for, ticket_list_for


@login_required
@require_GET
def catalog_index(request):
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query}
    if query:
        context["results"] = list(selectors.item_list_for(request.user, query=query)[:48])
    else:
        # Evaluated only when the cached fragment is missing (see the template).
        context["catalog_key"] = selectors.catalog_cache_key(request.user)
        context["categories"] = lambda: selectors.category_list_for(request.user)
    return render_page_or_partial(request, "catalog/catalog_index.html", context,
                                  partial="results")


@login_required
@require_GET
def category_detail(request, slug: str):
    category = selectors.category_get(slug)
    items = selectors.item_list_for(request.user, category=category)
    page = Paginator(items, 24).get_page(request.GET.get("page"))
    return render(request, "catalog/category_detail.html", {"category": category, "page": page})


@login_required
@require_GET
def item_detail(request, slug: str):
    item = selectors.item_get_for(request.user, slug)
    draft = draft_list_for(request.user).filter(item=item).first()
    # What the person already has of this: their own earlier requests for it.
    earlier = list(ticket_list_for(request.user, state="all").filter(item=item)[:3])
    return render(request, "catalog/item_detail.html",
                  {"item": item, "draft": draft, "earlier": earlier})
