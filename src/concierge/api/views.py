"""REST API v1: my requests, messages on them, the catalog I may order from, and the agents'
view of the tickets they work (with internal notes). Views only parse, call a selector or
service and serialize; every read goes through the same scoped selectors as the pages."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from concierge.api import services
from concierge.api.models import AccessToken
from concierge.api.serializers import (
    CatalogItemSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DeskTicketDetailSerializer,
    DeskTicketSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from concierge.catalog.models import CatalogItem
from concierge.catalog.selectors import item_get_for, item_list_for
from concierge.desk.selectors import desk_ticket_get, desk_ticket_list
from concierge.tickets.choices import TicketKind, TicketStatus
from concierge.tickets.models import Comment, Ticket
from concierge.tickets.selectors import ticket_get_for, ticket_list_for
from concierge.tickets.services import TicketError, comment_add


def api_exception_handler(exc, context):
    """Domain errors become 400s with the message meant for the person."""
    if isinstance(exc, TicketError):
        exc = ValidationError({"detail": str(exc)})
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": " ".join(exc.messages)})
    return exception_handler(exc, context)


class IsAgent(permissions.BasePermission):
    message = gettext_lazy("Only the IT team can use the desk endpoints.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


def _choice(request, name: str, allowed, default: str) -> str:
    value = request.query_params.get(name, default) or default
    if value not in allowed:
        raise ValidationError({name: _("Choose one of: %(values)s.") % {
            "values": ", ".join(sorted(allowed))}})
    return value


def _comments() -> Prefetch:
    return Prefetch("comments", queryset=Comment.objects.select_related("author")
                    .prefetch_related("attachments"))


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([permissions.AllowAny])
def not_found(request, *args, **kwargs):
    return Response({"detail": _("There is no such endpoint. See /api/docs/.")},
                    status=status.HTTP_404_NOT_FOUND)


@extend_schema(tags=["My requests"])
class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    """Requests and incidents I asked for, or that were asked for me (public messages only)."""

    serializer_class = TicketSerializer
    queryset = Ticket.objects.none()  # for the schema; get_queryset scopes to the viewer
    lookup_value_regex = r"\d{1,12}"

    @extend_schema(parameters=[
        OpenApiParameter("state", enum=["open", "closed", "all"], default="open"),
        OpenApiParameter("kind", enum=list(TicketKind.values)),
        OpenApiParameter("q", description="Text or ticket number to look for"),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        return ticket_list_for(
            request.user, state=_choice(request, "state", {"open", "closed", "all"}, "open"),
            kind=_choice(request, "kind", {"", *TicketKind.values}, ""),
            query=request.query_params.get("q", "")[:200])

    def get_object(self):
        ticket = _own_ticket(self.request.user, self.kwargs["pk"])
        prefetch_related_objects([ticket], _comments())
        return ticket

    def get_serializer_class(self):
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["post"], url_path="comments")
    def comments(self, request, pk=None):
        """Write a message on my request (the service desk reads it)."""
        ticket = _own_ticket(request.user, pk)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_add(ticket=ticket, author=request.user, body=data.validated_data["body"])
        return Response(CommentSerializer(comment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _own_ticket(user, pk):
    """The ticket if the viewer asked for it or it is for them; everyone else: 404."""
    if not str(pk).isdigit():
        raise Http404("No such ticket")
    ticket = ticket_get_for(user, int(pk))
    if user.pk not in (ticket.requester_id, ticket.requested_for_id):
        raise Http404("No such ticket")
    return ticket


QUEUE_RE = re.compile(r"^(mine|unassigned|all|group-\d{1,12})$")
DESK_STATUSES = {"open", "any", *TicketStatus.values}


@extend_schema(tags=["Desk (agents)"])
class DeskTicketViewSet(viewsets.ReadOnlyModelViewSet):
    """For agents: the tickets of their organisation and groups, with internal notes."""

    permission_classes = [permissions.IsAuthenticated, IsAgent]
    queryset = Ticket.objects.none()  # for the schema; get_queryset scopes to the viewer
    lookup_field = "number"
    lookup_value_regex = r"(?i:(REQ|INC)-?)?\d{1,12}"

    @extend_schema(parameters=[
        OpenApiParameter("queue", description="mine, unassigned, all (default) or group-<id>"),
        OpenApiParameter("status", description="open (default), any, or one status"),
        OpenApiParameter("q", description="Text, requester or ticket number"),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        queue = request.query_params.get("queue", "all") or "all"
        if not QUEUE_RE.match(queue):
            raise ValidationError({"queue": _("Use mine, unassigned, all or group-<id>.")})
        filters = {"status": _choice(request, "status", DESK_STATUSES, "open"),
                   "q": request.query_params.get("q", "")[:200]}
        return desk_ticket_list(request.user, queue=queue, filters=filters).select_related(
            "requester", "assignee", "group")

    def get_object(self):
        ticket = desk_ticket_get(self.request.user, self.kwargs["number"])
        prefetch_related_objects([ticket], _comments())
        return ticket

    def get_serializer_class(self):
        return DeskTicketDetailSerializer if self.action == "retrieve" else DeskTicketSerializer


@extend_schema(tags=["Catalog"])
class CatalogItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Services I may order."""

    serializer_class = CatalogItemSerializer
    queryset = CatalogItem.objects.none()  # for the schema; get_queryset scopes to the viewer
    lookup_field = "slug"

    def get_queryset(self):
        return item_list_for(self.request.user, query=self.request.query_params.get("q", "")[:200])

    def get_object(self):
        return item_get_for(self.request.user, self.kwargs["slug"])


# --- personal access tokens (HTML, from the profile) ------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """Make and delete personal access tokens; a new token is shown once."""
    secret = None
    error = ""
    if request.method == "POST":
        try:
            _token, secret = services.token_create(user=request.user,
                                                   name=request.POST.get("name", ""))
        except services.TokenError as exc:
            error = str(exc)
    tokens = AccessToken.objects.filter(user=request.user)
    return render(request, "api/token_list.html",
                  {"tokens": tokens, "secret": secret, "error": error,
                   "name": request.POST.get("name", "") if error else ""},
                  status=422 if error else 200)


@login_required
@require_POST
def token_delete(request, pk: int):
    token = AccessToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    services.token_delete(token=token)
    messages.success(request, _("The token was deleted. Programs using it no longer get in."))
    return redirect("api:tokens")
