from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge.catalog.selectors import item_get_for
from concierge.search import selectors, services
from concierge.search.choices import EntryKind, Source
from concierge.search.forms import SearchForm

INSTANT_LIMIT = 5
PAGE_SIZE = 10
TOKEN_SALT = "concierge.search.query"
TOKEN_MAX_AGE = 86400


def _query_id(token: str | None) -> int | None:
    """The query row a signed token names (results carry it; no session write per keystroke)."""
    try:
        return int(signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _record(request, results, source: str) -> str:
    """Log the search; a signed token of its row for the result links and the next keystroke
    (``prev``), so typing on updates the same row."""
    query = services.query_record(text=results.text, language=get_language() or "en",
                                  result_count=len(results.hits), source=source,
                                  previous_id=_query_id(request.GET.get("prev")))
    return signing.dumps(query.pk, salt=TOKEN_SALT)


@login_required
@require_GET
def search_page(request):
    """The full results page (works without JavaScript): facets and pages."""
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    text = filters.get("q", "")
    results = selectors.search_for(user=request.user, text=text, kind=filters.get("kind", ""),
                                   category=filters.get("category", ""),
                                   result_language=filters.get("lang", ""))
    # One row per search: other pages of it are not logged again, and its links carry the
    # row's token (``prev``) so a filter or a longer query updates the same row.
    token = ""
    if results.text and not request.GET.get("page"):
        token = _record(request, results, Source.PAGE)
    elif _query_id(request.GET.get("prev")) is not None:
        token = request.GET["prev"]
    page = Paginator(results.hits, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in filters.items() if v} | ({"prev": token} if token else {})
    return render(request, "search/search_page.html", {
        "form": form, "results": results, "page": page, "query": results.text,
        "token": token, "filters": filters,
        "facets": selectors.facet_rows(results.facets, filters, keep={"prev": token}
                                       if token else None),
        "requests": selectors.my_requests_for(user=request.user, text=results.text),
        "query_string": urlencode(kept) + "&",
        "rank_offset": page.start_index() - 1 if page.object_list else 0,
    })


@login_required
@require_GET
def search_instant(request):
    """htmx: the header's drop-down, grouped, while the person types."""
    text = selectors.clean_query(request.GET.get("q"))
    if len(text) < 2:
        return HttpResponse("")
    results = selectors.search_for(user=request.user, text=text)
    token = _record(request, results, Source.HEADER)
    requests = selectors.my_requests_for(user=request.user, text=text)
    return render(request, "search/_instant.html", {
        "results": results, "token": token, "requests": requests,
        "services": results.services[:INSTANT_LIMIT],
        "articles": results.articles[:INSTANT_LIMIT],
        "total": len(results.hits) + len(requests),
    })


@login_required
@require_GET
def search_go(request, kind: str, key: str):
    """A result was chosen: remember it for the analytics, then go there."""
    url = selectors.result_url(kind, key)
    query_id = _query_id(request.GET.get("t"))
    if query_id is not None:
        rank = request.GET.get("rank", "")
        services.query_click(query_id=query_id, kind=kind, key=key,
                             rank=int(rank) if rank.isdigit() and int(rank) < 1000 else None)
    text = selectors.clean_query(request.GET.get("q"))
    if kind == EntryKind.ARTICLE and text:
        url += "?" + urlencode({"q": text})
    return redirect(url)


# --- deflection -------------------------------------------------------------------------------

@login_required
@require_GET
def deflection_suggest(request, slug: str):
    """htmx: articles and services matching what is typed into a request form."""
    item = item_get_for(request.user, slug)
    text = selectors.clean_query(request.GET.get("q"))
    if len(text) < 3:
        return render(request, "search/_deflection.html", {"item": item})
    results = selectors.search_for(user=request.user, text=text)
    hits = [hit for hit in results.hits
            if not (hit.kind == EntryKind.ITEM and hit.key == item.slug)][:4]
    deflection = services.deflection_show(user=request.user, item=item, text=text,
                                          shown=[f"{h.kind}:{h.key}" for h in hits])
    return render(request, "search/_deflection.html", {
        "item": item, "hits": hits, "deflection": deflection, "text": text})


@login_required
@require_GET
def deflection_open(request, pk: int, kind: str, key: str):
    deflection = selectors.deflection_get_for(user=request.user, pk=pk)
    if f"{kind}:{key}" not in deflection.shown:
        raise Http404("Not suggested")
    services.deflection_open(deflection=deflection, kind=kind, key=key)
    url = selectors.result_url(kind, key)
    if kind == EntryKind.ARTICLE:
        url += "?" + urlencode({"from": "deflection", "d": deflection.pk, "q": deflection.text})
    return redirect(url)


@login_required
@require_POST
def deflection_solved(request, pk: int):
    """"This solved it" on an article opened from a suggestion."""
    deflection = selectors.deflection_get_for(user=request.user, pk=pk)
    discarded = services.deflection_solve(deflection=deflection)
    if discarded:
        messages.success(request, _("Glad it helped! Your unsent request was deleted."))
    else:
        messages.success(request, _("Glad it helped! Thank you for telling us."))
    if deflection.opened_kind == EntryKind.ARTICLE:
        return redirect(selectors.result_url(EntryKind.ARTICLE, deflection.opened_key))
    return redirect("portal:home")


# --- analytics --------------------------------------------------------------------------------

@login_required
@require_GET
def search_analytics(request):
    if not selectors.may_see_analytics(request.user):
        raise Http404("Not a knowledge manager")
    days = request.GET.get("days", "30")
    days = int(days) if days in ("7", "30", "90", "365") else 30
    return render(request, "search/analytics.html", selectors.analytics(days=days))
