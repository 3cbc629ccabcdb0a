"""SAML 2.0 sign-in: the portal (allauth + python3-saml) against an IdP built from pysaml2's
Server API in the test process. Signed responses are accepted; changed or badly signed ones
are refused."""

import base64
import urllib.parse

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from concierge.accounts.models import User
from concierge.accounts.tests.saml_idp import ENTITY_ID, SSO_URL, SAMLIdP
from concierge.core.testing import DepartmentFactory


def saml_app(cert: str) -> dict:
    from django.conf import settings

    app = settings.SOCIALACCOUNT_PROVIDERS["saml"]
    template = {
        "client_id": "sso", "name": "Acme sign-in",
        "settings": {
            "verified_email": True,
            "idp": {"entity_id": ENTITY_ID, "sso_url": SSO_URL, "x509cert": cert},
            "attribute_mapping": settings.SAML_ATTRIBUTE_MAPPING,
            "advanced": {"want_assertion_signed": True, "want_message_signed": True,
                         "reject_idp_initiated_sso": True, "strict": True},
        },
    }
    return {**app, "APPS": [template]}


HOST = "portal.acme.example"  # python3-saml refuses single-label hosts such as "testserver"


def browser() -> Client:
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def client(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return browser()


@pytest.fixture
def saml(settings, tmp_path, db, client):
    settings.SSO_DOMAIN_ORGANISATIONS = {"acme.example": "acme"}
    settings.SOCIALACCOUNT_PROVIDERS = {**settings.SOCIALACCOUNT_PROVIDERS,
                                        "saml": saml_app("placeholder")}
    metadata = browser().get("/accounts/saml/sso/metadata/").content.decode()
    idp = SAMLIdP(tmp_path, metadata)
    settings.SOCIALACCOUNT_PROVIDERS = {**settings.SOCIALACCOUNT_PROVIDERS,
                                        "saml": saml_app(idp.cert)}
    return idp


def start(client, idp):
    response = client.post("/accounts/saml/sso/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(SSO_URL)
    return idp.read_request(response["Location"])


def post_to_acs(client, request, saml_response: str):
    path = urllib.parse.urlparse(request.assertion_consumer_service_url).path
    return client.post(path, {"SAMLResponse": saml_response}, follow=True)


ATTRIBUTES = {"uid": ["emma.e"], "mail": ["emma@acme.example"], "displayName": ["Emma E."],
              "department": ["finance"], "manager_email": ["manager@acme.example"]}


def test_a_signed_response_signs_the_person_in_with_mapped_attributes(client, saml, employee,
                                                                      manager):
    DepartmentFactory(organisation=employee.organisation, code="finance-2", name="Controlling")
    request = start(client, saml)
    response = post_to_acs(client, request, saml.respond(
        request, uid="emma.e", attributes={**ATTRIBUTES, "department": ["Controlling"]}))
    assert response.redirect_chain[-1][0] == "/"
    assert SocialAccount.objects.get(provider="saml", uid="emma.e").user == employee
    employee.refresh_from_db()
    assert employee.department.name == "Controlling"
    assert employee.manager == manager


def test_a_new_person_is_created_in_the_organisation_of_their_domain(client, saml, org):
    request = start(client, saml)
    post_to_acs(client, request, saml.respond(request, uid="neu", attributes={
        "uid": ["neu"], "mail": ["neu@acme.example"], "displayName": ["Nora Neu"]}))
    nora = User.objects.get(email="neu@acme.example")
    assert nora.organisation == org and nora.display_name == "Nora Neu"


def _tamper(saml_response: str, old: str, new: str) -> str:
    xml = base64.b64decode(saml_response).decode()
    assert old in xml
    return base64.b64encode(xml.replace(old, new).encode()).decode()


def test_a_changed_attribute_breaks_the_signature_and_is_refused(client, saml, employee,
                                                                 admin_user):
    request = start(client, saml)
    genuine = saml.respond(request, uid="emma.e", attributes=ATTRIBUTES)
    forged = _tamper(genuine, "emma@acme.example", "admin@acme.example")
    response = post_to_acs(client, request, forged)
    assert response.redirect_chain == [] or response.redirect_chain[-1][0] != "/"
    assert not SocialAccount.objects.exists()
    assert client.get("/profile/").status_code == 302


def test_a_response_signed_by_another_key_is_refused(client, saml, employee, tmp_path):
    from django.conf import settings

    impostor = SAMLIdP(tmp_path, browser().get("/accounts/saml/sso/metadata/").content.decode(),
                       key_name="impostor")
    assert settings.SOCIALACCOUNT_PROVIDERS["saml"]["APPS"][0]["settings"]["idp"][
        "x509cert"] == saml.cert
    request = start(client, saml)
    post_to_acs(client, request, impostor.respond(request, uid="emma.e", attributes=ATTRIBUTES))
    assert not SocialAccount.objects.exists()
    assert client.get("/profile/").status_code == 302


def test_an_unsolicited_response_is_refused(client, saml, employee):
    request = start(browser(), saml)  # someone else's sign-in request
    post_to_acs(client, request, saml.respond(request, uid="emma.e", attributes=ATTRIBUTES))
    assert client.get("/profile/").status_code == 302
