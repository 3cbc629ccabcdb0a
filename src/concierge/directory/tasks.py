"""Background work for the directory: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.directory import services


@task
def reset_send_code(challenge_id: str) -> str:
    return services.reset_send_code(challenge_id=challenge_id)


@task
def directory_due_changes() -> list[str]:
    """Periodic: accounts enabled on the start date, disabled on the leaving date, ..."""
    return services.changes_due()
