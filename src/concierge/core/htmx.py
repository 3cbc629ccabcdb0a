"""One rule for htmx requests: a partial for htmx, the whole page otherwise."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_partial_request(request: HttpRequest) -> bool:
    """True for htmx requests that swap part of a page (not boosted page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_page_or_partial(
    request: HttpRequest, template: str, context: dict, *, partial: str, status: int = 200
) -> HttpResponse:
    """Render ``template#partial`` for htmx requests and ``template`` for everything else."""
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return render(request, name, context, status=status)
