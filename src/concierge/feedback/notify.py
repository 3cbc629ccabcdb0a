"""The e-mail asking the requester how it went, with one signed link per score."""

from django.urls import reverse

from concierge.feedback.choices import RATING_LABELS, SCORES
from concierge.feedback.models import Survey
from concierge.feedback.services import survey_token
from concierge.mailin.outbound import ticket_mail_headers
from concierge.notifications.choices import Kind
from concierge.notifications.services import notify


def survey_requested_email(survey: Survey) -> bool:
    """In the bell and (as the requester chose) by e-mail, once per survey, while it waits."""
    if not survey.is_pending:
        return False
    scores = [{"score": score, "label": RATING_LABELS[score],
               "url": reverse("feedback:email", args=[survey_token(survey, score)])}
              for score in reversed(SCORES)]
    key = f"survey:{survey.pk}"
    return notify(key=key, recipient=survey.requester, kind=Kind.REQUESTS,
                  template="feedback_requested", url=survey.get_absolute_url(),
                  context={"survey": survey, "ticket": survey.ticket, "scores": scores},
                  headers=ticket_mail_headers(survey.ticket))
