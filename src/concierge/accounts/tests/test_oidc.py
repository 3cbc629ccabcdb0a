"""OpenID Connect sign-in against a real provider process on localhost (oidc-provider-mock),
reached through a proxy that can tamper with the id_token on its way back."""

import urllib.parse

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group

from concierge.accounts.choices import Role, SignInOutcome
from concierge.accounts.models import SignInEvent, User
from concierge.accounts.tests.idp import OIDCProvider, TamperingProxy
from concierge.core.testing import DepartmentFactory

CLIENT_ID = "concierge-portal"


@pytest.fixture(scope="module")
def provider():
    provider = OIDCProvider()
    proxy = TamperingProxy(provider)
    yield provider, proxy
    proxy.stop()
    provider.stop()


@pytest.fixture
def oidc(provider, settings):
    idp, proxy = provider
    proxy.mode = None
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [{"provider_id": "oidc", "name": "Acme ID", "client_id": CLIENT_ID,
                      "secret": "s3cret", "settings": {"server_url": proxy.url}}],
        },
    }
    settings.SSO_DOMAIN_ORGANISATIONS = {"acme.example": "acme"}
    settings.SSO_ROLE_MAP = {"it-desk": Role.AGENT}
    return idp, proxy


def start(client) -> str:
    """Press "Sign in with Acme ID"; returns the provider's authorisation URL."""
    response = client.post("/accounts/oidc/oidc/login/")
    assert response.status_code == 302
    return response["Location"]


def finish(client, back: str):
    parts = urllib.parse.urlparse(back)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, idp, sub: str):
    return finish(client, idp.authorize(start(client), sub))


def test_the_sign_in_request_carries_state_nonce_and_pkce(client, oidc, org):
    query = urllib.parse.parse_qs(urllib.parse.urlparse(start(client)).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    assert "openid" in query["scope"][0].split()


def test_a_new_person_is_created_from_verified_claims_with_department_manager_and_role(
        client, oidc, org, manager):
    idp, _proxy = oidc
    DepartmentFactory(organisation=org, code="finance", name="Finance")
    idp.set_user("u-100", email="nina@acme.example", email_verified=True, name="Nina New",
                 department="finance", manager_email="manager@acme.example",
                 groups=["it-desk", "staff"])
    response = sign_in(client, idp, "u-100")
    assert response.status_code == 302, response.content.decode()[:2000]
    nina = User.objects.get(email="nina@acme.example")
    assert nina.display_name == "Nina New"
    assert nina.organisation == org
    assert nina.department.code == "finance"
    assert nina.manager == manager
    assert nina.has_role(Role.AGENT)
    assert not nina.has_usable_password()
    assert SocialAccount.objects.get(user=nina).uid == "u-100"
    assert SignInEvent.objects.filter(user=nina, method="sso:oidc",
                                      outcome=SignInOutcome.SUCCESS).exists()


def test_claims_keep_department_and_roles_up_to_date(client, oidc, employee):
    idp, _proxy = oidc
    agent_group, _ = Group.objects.get_or_create(name=Role.AGENT)
    employee.groups.add(agent_group)
    DepartmentFactory(organisation=employee.organisation, code="sales", name="Sales")
    idp.set_user("u-emma", email=employee.email, email_verified=True, name="Emma Employee",
                 department="Sales", groups=[])
    response = sign_in(client, idp, "u-emma")
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.department.code == "sales"
    assert not employee.groups.filter(name=Role.AGENT).exists()  # the IdP took the role away


def test_a_verified_address_links_the_existing_person(client, oidc, employee):
    idp, _proxy = oidc
    idp.set_user("u-emma2", email=employee.email, email_verified=True, name="Emma Employee")
    response = sign_in(client, idp, "u-emma2")
    assert response.status_code == 302
    assert SocialAccount.objects.get(uid="u-emma2").user == employee
    assert client.get("/profile/").status_code == 200
    employee.refresh_from_db()
    assert employee.check_password("pw-for-tests-1")  # linking keeps the password


def test_an_unverified_address_never_links_an_existing_person(client, oidc, employee):
    idp, _proxy = oidc
    idp.set_user("attacker", email=employee.email, email_verified=False, name="Not Emma")
    response = sign_in(client, idp, "attacker")
    assert response.status_code == 403
    assert "did not confirm your e-mail address" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert client.get("/profile/").status_code == 302  # not signed in
    assert SignInEvent.objects.filter(outcome=SignInOutcome.REFUSED).exists()


def test_an_unverified_address_creates_nobody(client, oidc, org):
    idp, _proxy = oidc
    idp.set_user("u-new", email="newbie@acme.example", email_verified="false")
    assert sign_in(client, idp, "u-new").status_code == 403
    assert not User.objects.filter(email="newbie@acme.example").exists()


def test_nobody_is_created_for_an_unknown_organisation(client, oidc, org):
    idp, _proxy = oidc
    idp.set_user("u-x", email="x@unknown.example", email_verified=True)
    response = sign_in(client, idp, "u-x")
    assert response.status_code == 403
    assert "which organisation" in response.content.decode()


def test_nobody_is_created_when_sso_may_not_create_people(client, oidc, org, settings):
    settings.SSO_CREATE_USERS = False
    idp, _proxy = oidc
    idp.set_user("u-y", email="yvonne@acme.example", email_verified=True)
    assert sign_in(client, idp, "u-y").status_code == 403
    assert not User.objects.filter(email="yvonne@acme.example").exists()


def test_a_callback_with_a_forged_state_is_refused(client, oidc, employee):
    idp, _proxy = oidc
    idp.set_user("u-emma3", email=employee.email, email_verified=True)
    back = idp.authorize(start(client), "u-emma3")
    forged = back.replace("state=", "state=forged")
    response = finish(client, forged)
    assert response.status_code != 302 or "/profile" not in response.get("Location", "")
    assert client.get("/profile/").status_code == 302


@pytest.mark.parametrize("mode", ["bad_signature", "changed_claim"])
def test_a_tampered_id_token_is_refused(client, oidc, employee, mode):
    idp, proxy = oidc
    idp.set_user("u-emma4", email=employee.email, email_verified=True)
    proxy.mode = mode
    response = sign_in(client, idp, "u-emma4")
    assert response.status_code != 302  # an error page, not a redirect into the portal
    assert client.get("/profile/").status_code == 302
    assert not SocialAccount.objects.exists()
    assert SignInEvent.objects.filter(outcome=SignInOutcome.FAILURE,
                                      method="sso:oidc").exists()


def test_a_genuine_id_token_for_another_client_is_refused(client, oidc, employee):
    idp, proxy = oidc
    idp.set_user("u-emma5", email=employee.email, email_verified=True)
    proxy.mode = "replace"
    proxy.replacement = idp.id_token_for(client_id="another-app", sub="u-emma5", nonce="n-1")
    sign_in(client, idp, "u-emma5")
    assert client.get("/profile/").status_code == 302
    assert not SocialAccount.objects.exists()


def test_a_genuine_id_token_from_another_sign_in_is_refused_by_its_nonce(client, oidc,
                                                                        employee):
    idp, proxy = oidc
    idp.set_user("u-emma6", email=employee.email, email_verified=True)
    proxy.mode = "replace"
    proxy.replacement = idp.id_token_for(client_id=CLIENT_ID, sub="u-emma6",
                                         nonce="replayed-nonce")
    sign_in(client, idp, "u-emma6")
    assert client.get("/profile/").status_code == 302
    assert not SocialAccount.objects.exists()


def test_the_sign_in_page_offers_the_configured_provider(client, oidc, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page


def test_without_configuration_there_is_no_sso_button(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" not in page
    assert client.post("/accounts/oidc/oidc/login/").status_code == 404
