"""What the API shows and accepts. Texts kept in several languages come out in the language of
the request (``Accept-Language``, else the person's own)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concierge.catalog.models import CatalogItem
from concierge.core.i18n import localize
from concierge.tickets.models import Attachment, Comment, Ticket


class LocalizedField(serializers.Field):
    """A ``{"en": ..., "de": ...}`` value as the text of the active language."""

    def to_representation(self, value) -> str:
        return localize(value)


@extend_schema_field(serializers.CharField())
class _Localized(LocalizedField):
    pass


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["name", "content_type", "size", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return self.context["request"].build_absolute_uri(attachment.get_absolute_url())


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at", "attachments"]


class DeskCommentSerializer(CommentSerializer):
    """For agents: with internal notes, marked by ``is_public``."""

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "is_public"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000, trim_whitespace=True)


class AnswerSerializer(serializers.Serializer):
    question = _Localized(source="label")
    answer = serializers.SerializerMethodField()

    def get_answer(self, answer: dict) -> str:
        if answer.get("type") == "attachment":
            return (answer.get("value") or {}).get("name", "")
        return localize(answer.get("display"))


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "number", "kind", "kind_label", "title", "status", "status_label",
                  "priority", "created_at", "updated_at", "due_at", "url"]

    def get_url(self, ticket: Ticket) -> str:
        return self.context["request"].build_absolute_uri(ticket.get_absolute_url())


class TicketDetailSerializer(TicketSerializer):
    requester = serializers.CharField(source="requester.display_name", read_only=True)
    requested_for = serializers.CharField(source="requested_for.display_name", read_only=True)
    service = _Localized(source="item_name")
    answers = AnswerSerializer(many=True, read_only=True)
    comments = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "resolved_at", "requester", "requested_for",
                  "service", "answers", "comments"]

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, ticket: Ticket) -> list:
        # Requesters see public messages only, whoever asks through this endpoint.
        comments = [c for c in ticket.comments.all() if c.is_public]
        return CommentSerializer(comments, many=True, context=self.context).data


class DeskTicketSerializer(TicketSerializer):
    requester = serializers.CharField(source="requester.display_name", read_only=True)
    assignee = serializers.CharField(source="assignee.display_name", read_only=True,
                                     default=None)
    group = serializers.CharField(source="group.name", read_only=True, default=None)
    sla_state = serializers.CharField(read_only=True, allow_null=True,
                                      help_text="on_time, at_risk, breached, paused or null")

    class Meta(TicketSerializer.Meta):
        # Only what the desk's list loads (desk.selectors.desk_ticket_list).
        fields = ["id", "number", "kind", "kind_label", "title", "status", "status_label",
                  "priority", "created_at", "updated_at", "resolved_at", "url", "requester",
                  "assignee", "group", "sla_state", "response_due_at", "resolution_due_at"]


class DeskTicketDetailSerializer(DeskTicketSerializer):
    service = _Localized(source="item_name")
    answers = AnswerSerializer(many=True, read_only=True)
    comments = DeskCommentSerializer(many=True, read_only=True)

    class Meta(DeskTicketSerializer.Meta):
        fields = [*DeskTicketSerializer.Meta.fields, "service", "answers", "comments"]


class CatalogItemSerializer(serializers.ModelSerializer):
    name = _Localized()
    summary = _Localized()
    category = _Localized(source="category.name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = CatalogItem
        fields = ["slug", "name", "summary", "kind", "category", "price_once", "price_monthly",
                  "delivery_days", "url"]

    def get_url(self, item: CatalogItem) -> str:
        return self.context["request"].build_absolute_uri(item.get_absolute_url())
