"""Handing a solved ticket to the knowledge base as a draft article (knowledge app)."""

from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.i18n import localize
from concierge.tickets.models import Ticket
from concierge.tickets.services import TicketError


def resolution_of(ticket: Ticket) -> str:
    """The desk's last public answer: usually what solved it."""
    answer = (ticket.comments.filter(is_public=True)
              .exclude(author_id__in=[ticket.requester_id, ticket.requested_for_id])
              .order_by("-created_at", "-pk").first())
    return answer.body if answer else ""


def article_draft_text(ticket: Ticket, language: str) -> dict:
    """Title, summary and Markdown body for a draft, from the ticket's question and answer."""
    question = [f"- **{localize(a['label'], language)}:** {localize(a['display'], language)}"
                for a in ticket.answers if a.get("display") and a.get("type") != "attachment"]
    resolution = resolution_of(ticket)
    body = "\n".join([
        f"## {_('The question')}", "", *(question or [ticket.title]), "",
        f"## {_('The solution')}", "", resolution or _("(Describe the solution here.)"), "",
    ])
    summary = (resolution.splitlines()[0] if resolution else ticket.title)[:300]
    return {"title": ticket.title[:200], "summary": summary, "body": body}


def article_from_ticket(*, ticket: Ticket, actor: User) -> str:
    """Create a draft article owned by ``actor``; returns where to go next: the knowledge
    editor for those who may edit articles, else the ticket (a knowledge manager reviews it)."""
    from concierge.knowledge.choices import ArticleLanguage
    from concierge.knowledge.models import Article
    from concierge.knowledge.models import Category as KnowledgeCategory
    from concierge.knowledge.selectors import may_manage
    from concierge.knowledge.services import KnowledgeError, article_create

    category_slug = ticket.item.category.slug if ticket.item_id else ""
    category = (KnowledgeCategory.objects.filter(slug=category_slug).first()
                or KnowledgeCategory.objects.order_by("order", "slug").first())
    if category is None:
        raise TicketError(_("The knowledge base has no category yet."))
    language = ticket.requester.language if ticket.requester.language in \
        ArticleLanguage.values else ArticleLanguage.EN
    base = (slugify(ticket.title)[:90] or "article") + f"-{ticket.pk}"
    slug, n = base, 1
    while Article.objects.filter(slug=slug, language=language).exists():
        n += 1
        slug = f"{base}-{n}"
    try:
        article = article_create(author=actor, slug=slug, language=language,
                                 note=_("From %(number)s") % {"number": ticket.number},
                                 category=category, **article_draft_text(ticket, language))
    except KnowledgeError as exc:
        raise TicketError(str(exc)) from None
    from concierge.tickets.services import activity_log

    activity_log(ticket, actor, "desk.article.drafted", article=article.pk)
    if may_manage(actor):
        return reverse("knowledge:manage-edit", args=[article.pk])
    return reverse("desk:ticket", args=[ticket.number])
