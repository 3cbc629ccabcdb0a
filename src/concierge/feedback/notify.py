"""The one e-mail a requester gets when their ticket is resolved: "it is done", with a signed
link per score and the way back if it is not fixed."""

from django.urls import reverse

from concierge.feedback.choices import RATING_LABELS, SCORES
from concierge.feedback.models import Survey
from concierge.feedback.selectors import survey_is_current
from concierge.feedback.services import reopen_deadline, survey_token
from concierge.mailin.outbound import ticket_mail_headers
from concierge.notifications.choices import Kind
from concierge.notifications.services import notify


def survey_requested_email(survey: Survey) -> bool:
    """Tell the requester their ticket is resolved and ask how it went, once per resolution.

    This replaces the plain "is now: Resolved" status message for the requester
    (``tickets.notify`` leaves them out), so they get one e-mail and one line in the bell. Sent
    only while the survey waits and the ticket is still in that resolution: a ticket reopened
    before the worker got here is announced by its next status message instead.
    """
    if not survey.is_pending or not survey_is_current(survey):
        return False
    scores = [{"score": score, "label": RATING_LABELS[score],
               "url": reverse("feedback:email", args=[survey_token(survey, score)])}
              for score in reversed(SCORES)]
    return notify(key=f"survey:{survey.pk}", recipient=survey.requester, kind=Kind.REQUESTS,
                  template="ticket_resolved", url=survey.get_absolute_url(),
                  context={"survey": survey, "ticket": survey.ticket, "scores": scores,
                           "not_fixed_url": f"{survey.get_absolute_url()}#not-fixed",
                           "reopen_until": reopen_deadline(survey)},
                  headers=ticket_mail_headers(survey.ticket))
