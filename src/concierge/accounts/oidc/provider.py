"""allauth's OpenID Connect provider, made stricter.

allauth skips the id_token's signature when the token came straight from the token endpoint
(the specification allows it) and sends no nonce. Concierge sends a nonce, keeps it in the
login state, and checks the signature (against the provider's JWKS), issuer, audience, expiry
and nonce of every id_token. Selected with SOCIALACCOUNT_PROVIDERS["openid_connect"]
["provider_class"]; allauth builds the URLs from this package's urls.py.
"""

import secrets

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

NONCE_KEY = "oidc_nonce"


class ConciergeOIDCAdapter(OpenIDConnectOAuth2Adapter):
    expected_nonce: str | None = None

    def _decode_id_token(self, app, id_token: str) -> dict:
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        nonce = claims.get("nonce")
        if not self.expected_nonce or not isinstance(nonce, str) or \
                not secrets.compare_digest(nonce, self.expected_nonce):
            raise OAuth2Error("Invalid id_token: the nonce does not match the sign-in request")
        return claims

    def complete_login(self, request, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("The provider sent no id_token")
        return super().complete_login(request, app, token, **kwargs)


class ConciergeOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = ConciergeOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(request, process, next_url, data, auth_params=auth_params,
                                **{NONCE_KEY: nonce}, **kwargs)


provider_classes = [ConciergeOIDCProvider]
