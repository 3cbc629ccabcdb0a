"""Single sign-on (OpenID Connect and SAML through allauth): who may come in, and what the
identity provider's claims say about them.

Rules:
- A person is matched by their SSO account, or by an e-mail address the provider marks as
  verified (allauth only links verified addresses). An unverified address never links to an
  existing person and never creates one: the sign-in is refused with a message.
- New people are created only when SSO_CREATE_USERS is on (password sign-up stays closed), and
  only when their organisation is known: from the SSO_ORGANISATION_CLAIM claim (an
  organisation's short name) or the e-mail domain (SSO_DOMAIN_ORGANISATIONS).
- On every SSO sign-in, name, department (by code or name, within the organisation), manager
  (by e-mail, within the organisation) and the roles in SSO_ROLE_MAP follow the claims. Roles
  that are not in the map are left as the admin set them.
"""

import logging

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from concierge.accounts.choices import GROUP_ROLES, SignInOutcome
from concierge.accounts.models import Department, Organisation, User
from concierge.accounts.services import sign_in_record

logger = logging.getLogger("concierge.accounts.sso")

_TRUE = {"true", "1", "yes", "y", "t"}


def sso_claims(sociallogin) -> dict:
    """The provider's claims as one flat dict (SAML attribute lists keep their lists)."""
    data = sociallogin.account.extra_data or {}
    if sociallogin.account.provider == "saml":
        return {key: (values[0] if len(values) == 1 else values) if isinstance(values, list)
                else values for key, values in data.items()}
    claims = dict(data.get("id_token") or {})
    claims.update(data.get("userinfo") or {})
    return claims


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _email_verified(sociallogin) -> bool:
    return any(address.verified for address in sociallogin.email_addresses)


def organisation_for_claims(claims: dict, email: str) -> Organisation | None:
    slug = claims.get(settings.SSO_ORGANISATION_CLAIM) if settings.SSO_ORGANISATION_CLAIM \
        else None
    if not slug:
        slug = settings.SSO_DOMAIN_ORGANISATIONS.get(email.rpartition("@")[2].lower())
    if not slug:
        return None
    return Organisation.objects.filter(slug=str(slug)).first()


def sso_profile_update(*, user: User, claims: dict) -> User:
    """Bring a person's name, department, manager and mapped roles in line with the claims."""
    fields = []
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part)
    if name and name != user.display_name:
        user.display_name = str(name)[:150]
        fields.append("display_name")
    department_value = claims.get(settings.SSO_DEPARTMENT_CLAIM)
    if department_value:
        department = Department.objects.filter(
            Q(code=str(department_value)) | Q(name__iexact=str(department_value)),
            organisation_id=user.organisation_id).first()
        if department and department.pk != user.department_id:
            user.department = department
            fields.append("department")
    manager_email = claims.get(settings.SSO_MANAGER_CLAIM)
    if manager_email:
        manager = User.objects.filter(email__iexact=str(manager_email),
                                      organisation_id=user.organisation_id).first()
        if manager and manager.pk != user.pk and manager.pk != user.manager_id:
            user.manager = manager
            fields.append("manager")
    if fields:
        user.save(update_fields=fields)
    if settings.SSO_ROLE_MAP:
        granted = {settings.SSO_ROLE_MAP[value]
                   for value in _as_list(claims.get(settings.SSO_GROUPS_CLAIM))
                   if value in settings.SSO_ROLE_MAP}
        managed = {role for role in settings.SSO_ROLE_MAP.values() if role in GROUP_ROLES}
        groups = {group.name: group for group in Group.objects.filter(name__in=managed)}
        for role in managed:
            group = groups.get(role) or Group.objects.get_or_create(name=role)[0]
            if role in granted:
                user.groups.add(group)
            else:
                user.groups.remove(group)
        user.forget_memberships()
    return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def _refuse(self, request, sociallogin, message: str, reason: str):
        sign_in_record(request=request, login=sociallogin.user.email or sociallogin.account.uid,
                       method=f"sso:{sociallogin.account.provider}",
                       outcome=SignInOutcome.REFUSED, reason=reason,
                       user=sociallogin.user if sociallogin.user.pk else None)
        raise ImmediateHttpResponse(render(request, "accounts/sso_refused.html",
                                           {"message": message}, status=403))

    @staticmethod
    def _mark_verified(user, email: str) -> None:
        address, _created = EmailAddress.objects.get_or_create(
            user=user, email__iexact=email,
            defaults={"email": email, "verified": True, "primary": True})
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.SSO_CREATE_USERS

    def populate_user(self, request, sociallogin, data):
        user = sociallogin.user
        user.email = (data.get("email") or "").strip().lower()
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part)
        user.display_name = (name or user.email.partition("@")[0])[:150]
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        claims = sso_claims(sociallogin)
        # OIDC: a string "false" is not a verified address (allauth takes any truthy value).
        verified_claim = claims.get("email_verified")
        if isinstance(verified_claim, str) and verified_claim.lower() not in _TRUE:
            for address in sociallogin.email_addresses:
                address.verified = False
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                self._refuse(request, sociallogin, _("Your account is switched off. Please "
                             "contact the service desk."), "inactive account")
            if getattr(sociallogin, "_did_authenticate_by_email", None):
                # allauth linked by an address the provider verified: record it as verified,
                # or allauth would take the person's password away (it assumes open signup).
                self._mark_verified(sociallogin.user, sociallogin._did_authenticate_by_email)
            sso_profile_update(user=sociallogin.user, claims=claims)
            return
        if not sociallogin.user.email or not _email_verified(sociallogin):
            self._refuse(request, sociallogin, _(
                "Your sign-in service did not confirm your e-mail address, so we cannot tell "
                "which account is yours. Please ask the service desk for help."),
                "unverified e-mail address")
        if not settings.SSO_CREATE_USERS:
            self._refuse(request, sociallogin, _(
                "There is no account for you in the portal yet. Please ask the service desk."),
                "no account and SSO may not create one")
        organisation = organisation_for_claims(claims, sociallogin.user.email)
        if organisation is None:
            self._refuse(request, sociallogin, _(
                "We do not know which organisation you belong to. Please ask the service desk."),
                "no organisation for this person")
        sociallogin.user.organisation = organisation

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        sso_profile_update(user=user, claims=sso_claims(sociallogin))
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None,
                                extra_context=None) -> None:
        reason = str(exception or (extra_context or {}).get("saml_last_error_reason")
                     or error or "authentication error")
        sign_in_record(request=request, login="", method=f"sso:{provider.sub_id}",
                       outcome=SignInOutcome.FAILURE, reason=reason)
        logger.warning("SSO sign-in failed at %s: %s", provider.sub_id, reason)


