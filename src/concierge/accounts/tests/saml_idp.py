"""A SAML 2.0 identity provider for the tests, built on pysaml2's IdP ``Server``.

It runs in the test process: it reads the portal's AuthnRequest from the redirect, answers
with a signed Response (signed assertion and response, RSA-SHA256, via the xmlsec1 binary)
that the test POSTs to the portal's ACS, as a browser would.
"""

import base64
import datetime
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, xmldsig
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_BASIC, NameID
from saml2.server import Server

ENTITY_ID = "https://idp.acme.example/saml/metadata"
SSO_URL = "https://idp.acme.example/saml/sso"


def make_keypair(directory: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def cert_body(cert_path: Path) -> str:
    return "".join(line for line in cert_path.read_text().splitlines()
                   if "CERTIFICATE" not in line)


class SAMLIdP:
    def __init__(self, directory: Path, sp_metadata: str, key_name: str = "idp"):
        key, cert = make_keypair(directory, key_name)
        self.cert_path = cert
        config = IdPConfig()
        config.load({
            "entityid": ENTITY_ID,
            "key_file": str(key), "cert_file": str(cert),
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"inline": [sp_metadata]},
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT],
                "sign_response": True, "sign_assertion": True,
                "policy": {"default": {"lifetime": {"minutes": 15},
                                       "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_BASIC}},
            }},
        })
        self.server = Server(config=config)

    @property
    def cert(self) -> str:
        return cert_body(self.cert_path)

    def read_request(self, redirect_url: str):
        query = parse_qs(urlparse(redirect_url).query)
        xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
        return self.server.parse_authn_request(
            base64.b64encode(xml.encode()).decode(), BINDING_HTTP_POST).message

    def respond(self, request, *, uid: str, attributes: dict) -> str:
        """A signed SAMLResponse (base64) to the request, for the person with ``uid``."""
        response = self.server.create_authn_response(
            identity=attributes, in_response_to=request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=request.issuer.text,
            name_id=NameID(format=saml.NAMEID_FORMAT_PERSISTENT, text=uid),
            authn={"class_ref": saml.AUTHN_PASSWORD, "authn_auth": ENTITY_ID},
            sign_response=True, sign_assertion=True,
            sign_alg=xmldsig.SIG_RSA_SHA256, digest_alg=xmldsig.DIGEST_SHA256)
        return base64.b64encode(str(response).encode()).decode()
