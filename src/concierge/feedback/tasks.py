"""Background work for feedback: load by id, call one function, safe to run twice."""

from django.tasks import task

from concierge.feedback.models import Survey
from concierge.feedback.notify import survey_requested_email


@task
def survey_notify(survey_id: int) -> bool:
    """E-mail the requester the rating links for one survey (once)."""
    survey = Survey.objects.select_related("ticket", "requester").filter(pk=survey_id).first()
    if survey is None:
        return False
    return survey_requested_email(survey)
