"""Background work for the knowledge base: safe to run twice."""

from django.tasks import task

from concierge.knowledge.services import article_review_remind


@task
def knowledge_review_remind() -> int:
    """Periodic: remind owners of articles that are due for review."""
    return article_review_remind()
