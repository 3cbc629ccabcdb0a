"""The e-mail asking the requester how it went, with one signed link per score."""

from django.urls import reverse

from concierge.feedback.choices import RATING_LABELS, SCORES
from concierge.feedback.models import Survey
from concierge.feedback.services import survey_token
from concierge.notifications.services import email_send


def survey_requested_email(survey: Survey) -> bool:
    """Sent once per survey, only while it still waits for an answer."""
    if not survey.is_pending:
        return False
    scores = [{"score": score, "label": RATING_LABELS[score],
               "url": reverse("feedback:email", args=[survey_token(survey, score)])}
              for score in reversed(SCORES)]
    return email_send(key=f"survey:{survey.pk}", recipient=survey.requester,
                      template="feedback_requested",
                      context={"survey": survey, "ticket": survey.ticket, "scores": scores})
