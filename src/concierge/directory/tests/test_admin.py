"""Audit events in the admin: visible to administrators, never changed there."""

from django.urls import reverse

from concierge.directory.models import AuditEvent


def test_audit_events_are_read_only_in_the_admin(client, admin_user):
    event = AuditEvent.objects.create(action="directory.reset.started", result="failure",
                                      login="nobody", address="10.0.0.1")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:directory_auditevent_changelist"))
    assert listing.status_code == 200 and b"directory.reset.started" in listing.content
    assert client.get(reverse("admin:directory_auditevent_add")).status_code == 403
    detail = client.get(reverse("admin:directory_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and b'name="login"' not in detail.content
    assert client.post(reverse("admin:directory_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_employees_do_not_see_the_audit(employee_client):
    response = employee_client.get(reverse("admin:directory_auditevent_changelist"))
    assert response.status_code == 302
