import pytest
from django.contrib.auth.models import Group

from concierge.core.testing import TicketFactory, UserFactory
from concierge.desk.models import GroupProfile


@pytest.fixture
def service_desk(agent):
    group = Group.objects.create(name="service-desk")
    agent.groups.add(group)
    return group


@pytest.fixture
def lead(org, service_desk):
    person = UserFactory(email="lena.lead@acme.example", display_name="Lena Lead",
                         organisation=org, roles=["agent"])
    GroupProfile.objects.create(group=service_desk, lead=person)
    return person


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def ticket(employee, webcam, service_desk):
    return TicketFactory(requester=employee, item=webcam, title="Webcam flickers",
                         group=service_desk)
