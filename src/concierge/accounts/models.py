from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_ROLES, Language, Role, SignInOutcome


class Organisation(models.Model):
    """A customer the IT service provider serves. Every person belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department within an organisation; ``code`` is unique per organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="departments", verbose_name=_("organisation"))
    code = models.SlugField(_("code"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="department_code_unique")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class CostCentre(models.Model):
    """Where costs are booked; its owner answers for them (and approves, in later versions)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="cost_centres", verbose_name=_("organisation"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_cost_centres", verbose_name=_("owner"))

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="cost_centre_code_unique")
        ]
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Every user needs an e-mail address")
        if "organisation" not in extra and "organisation_id" not in extra:
            extra["organisation"] = Organisation.objects.order_by("pk").first() or \
                Organisation.objects.create(name="Default", slug="default")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who uses the portal, signing in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users",
                                     verbose_name=_("organisation"))
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="members", verbose_name=_("department"))
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="members", verbose_name=_("cost centre"))
    manager = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="reports", verbose_name=_("manager"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices,
                                default=Language.EN)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Second factors for directory self-service: a mobile number and a private e-mail address,
    # each counting only once the person proved it is theirs with a code.
    mobile = models.CharField(_("mobile number"), max_length=40, blank=True)
    mobile_verified_at = models.DateTimeField(_("mobile number confirmed"), null=True,
                                              blank=True)
    private_email = models.EmailField(_("private e-mail address"), blank=True)
    private_email_verified_at = models.DateTimeField(_("private e-mail address confirmed"),
                                                     null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("may use the admin"), default=False,
        help_text=_("Catalog managers and administrators configure the portal in the admin."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return (self.display_name or self.email).split()[0]

    @property
    def first_name(self) -> str:
        return self.get_short_name()

    @cached_property
    def memberships(self) -> dict[int, str]:
        """The person's groups, id -> name (roles and IT groups alike), read once per request."""
        return dict(self.groups.order_by("pk").values_list("pk", "name"))

    def forget_memberships(self) -> None:
        """After changing the person's groups: read them again when next asked."""
        for name in ("memberships", "group_ids", "roles"):
            self.__dict__.pop(name, None)

    @cached_property
    def group_ids(self) -> tuple[int, ...]:
        return tuple(self.memberships)

    @cached_property
    def roles(self) -> frozenset[str]:
        """The person's roles: employee always, others through groups of the same name."""
        names = {name for name in self.memberships.values() if name in GROUP_ROLES}
        if self.is_superuser:
            names.add(Role.ADMIN)
        return frozenset({Role.EMPLOYEE, *names})

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_agent(self) -> bool:
        return self.has_role(Role.AGENT) or self.has_role(Role.ADMIN)


class SignInEvent(models.Model):
    """One sign-in attempt, successful or not, kept for the audit trail.

    ``login`` is what the person typed (or the SSO/Kerberos identity), so failures for accounts
    that do not exist are recorded too; ``user`` is set when the attempt matched a person.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="sign_in_events", verbose_name=_("person"))
    login = models.CharField(_("login"), max_length=254, blank=True)
    method = models.CharField(_("method"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=16, choices=SignInOutcome.choices)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["login", "created_at"], name="signin_login_created")]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.login} {self.method} {self.outcome}"
