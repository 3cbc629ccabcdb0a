import email

import pytest
from django.urls import reverse

from concierge.core.testing import TicketFactory
from concierge.notifications import services
from concierge.notifications.choices import Kind
from concierge.notifications.mailbox import MaildirBackend
from concierge.notifications.models import Notification
from concierge.tickets import services as ticket_services
from concierge.tickets.choices import TicketStatus


@pytest.fixture
def ticket(employee, webcam):
    return TicketFactory(requester=employee, item=webcam)


def _move(ticket, agent, capture, status=TicketStatus.IN_PROGRESS):
    with capture(execute=True):
        ticket_services.ticket_change_status(ticket=ticket, actor=agent, status=status)


def test_an_event_rings_the_bell_and_sends_an_email_in_both_languages(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    _move(ticket, agent, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=employee)
    assert notification.kind == Kind.REQUESTS
    assert notification.url == ticket.get_absolute_url()
    assert "In progress" in notification.title["en"]
    assert "In Bearbeitung" in notification.title["de"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == services.message_id_for(notification.key)


def test_switching_email_off_for_a_kind_keeps_the_bell(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    services.preferences_save(user=employee, email_kinds={Kind.COMMENTS})
    _move(ticket, agent, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.comment_add(ticket=ticket, author=agent, body="Your webcam is here")
    assert len(mailoutbox) == 1  # comments still come by e-mail


def test_the_same_event_notifies_once(ticket, employee):
    arguments = {"key": "event:1", "recipient": employee, "kind": Kind.TASKS,
                 "template": "ticket_submitted", "context": {"ticket": ticket}}
    assert services.notify(**arguments) is True
    assert services.notify(**arguments) is False
    assert Notification.objects.filter(key="event:1").count() == 1


def test_inactive_people_get_nothing(ticket, employee, mailoutbox):
    employee.is_active = False
    employee.save()
    assert not services.notify(key="k", recipient=employee, kind=Kind.TASKS,
                               template="ticket_submitted", context={"ticket": ticket})
    assert not Notification.objects.exists() and not mailoutbox


def test_the_bell_shows_the_unread_count(employee_client, employee, ticket):
    services.notify(key="a", recipient=employee, kind=Kind.REQUESTS, template="ticket_submitted",
                    context={"ticket": ticket}, url=ticket.get_absolute_url())
    page = employee_client.get(reverse("portal:home")).content.decode()
    assert 'class="bell"' in page
    assert '<span class="count">1</span>' in page


def test_opening_a_notification_marks_it_read_and_goes_there(employee_client, employee, ticket):
    services.notify(key="a", recipient=employee, kind=Kind.REQUESTS, template="ticket_submitted",
                    context={"ticket": ticket}, url=ticket.get_absolute_url())
    notification = Notification.objects.get()
    response = employee_client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_never_sends_people_off_site(employee_client, employee, ticket):
    services.notify(key="a", recipient=employee, kind=Kind.REQUESTS, template="ticket_submitted",
                    context={"ticket": ticket}, url="https://evil.example/phish")
    notification = Notification.objects.get()
    response = employee_client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("notifications:list")


def test_other_peoples_notifications_are_not_found(client, outsider, employee, ticket):
    services.notify(key="a", recipient=employee, kind=Kind.REQUESTS, template="ticket_submitted",
                    context={"ticket": ticket})
    client.force_login(outsider)
    notification = Notification.objects.get()
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert "Request" not in client.get(reverse("notifications:list")).content.decode().split(
        "<main")[1].split("</main>")[0].replace("requests", "")


def test_the_list_and_mark_all_read(employee_client, employee, ticket,
                                    django_assert_max_num_queries):
    for number in range(12):
        services.notify(key=f"n{number}", recipient=employee, kind=Kind.REQUESTS,
                        template="ticket_submitted", context={"ticket": ticket})
    with django_assert_max_num_queries(11):
        page = employee_client.get(reverse("notifications:list")).content.decode()
    assert "12 unread" in page
    assert page.count('class="notification notification--unread"') == 12
    response = employee_client.post(reverse("notifications:read-all"), follow=True)
    assert "You are up to date." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert employee_client.get(reverse("notifications:read-all")).status_code == 405


def test_the_settings_page_saves_email_choices(employee_client, employee):
    page = employee_client.get(reverse("notifications:preferences")).content.decode()
    assert page.count('type="checkbox"') == len(Kind) and page.count("checked") == len(Kind)
    response = employee_client.post(reverse("notifications:preferences"),
                                    {Kind.APPROVALS: "on", Kind.COMMENTS: "on"}, follow=True)
    assert "Your notification settings are saved." in response.content.decode()
    assert not services.email_wanted(employee, Kind.REQUESTS)
    assert services.email_wanted(employee, Kind.APPROVALS)


def test_pages_need_sign_in(client):
    for name in ("notifications:list", "notifications:preferences"):
        assert client.get(reverse(name)).status_code == 302


def test_the_mailbox_keeps_one_message_per_message_id(tmp_path):
    from django.core.mail import EmailMessage

    backend = MaildirBackend(path=tmp_path)
    message = EmailMessage("Hello", "Body", to=["a@example.com"],
                           headers={"Message-ID": "<same@example.com>"})
    backend.send_messages([message])
    backend.send_messages([message])  # a retry after a crash hands it over again
    files = list((tmp_path / "new").iterdir())
    assert len(files) == 1
    assert email.message_from_bytes(files[0].read_bytes())["Subject"] == "Hello"
    backend.send_messages([EmailMessage("Other", "Body", to=["a@example.com"])])
    assert len(list((tmp_path / "new").iterdir())) == 2


def test_each_status_change_names_its_own_status_even_when_sent_later(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket_services.ticket_change_status(ticket=ticket, actor=agent,
                                             status=TicketStatus.IN_PROGRESS)
        ticket_services.ticket_change_status(ticket=ticket, actor=agent,
                                             status=TicketStatus.RESOLVED)
    for callback in callbacks:  # the worker runs after both changes
        callback()
    # The requester hears of the resolution in feedback's message, which asks for a rating.
    titles = sorted(n.title["en"] for n in Notification.objects.filter(recipient=employee))
    assert titles == [f"{ticket.number} is now: In progress",
                      f"Resolved: {ticket.number} {ticket.title}. How did we do?"]
    bodies = sorted(m.body for m in mailoutbox)
    assert "Someone is working on it now." in bodies[0] + bodies[1]
    assert "is resolved." in bodies[0] + bodies[1]
