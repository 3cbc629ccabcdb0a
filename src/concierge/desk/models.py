from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupProfile(models.Model):
    """What the desk knows about an IT group: its lead, who hears about SLA breaches."""

    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="desk",
                                 verbose_name=_("group"))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("lead"))

    class Meta:
        verbose_name = _("group profile")
        verbose_name_plural = _("group profiles")

    def __str__(self) -> str:
        return self.group.name


class SavedView(models.Model):
    """A named set of list filters; shared views are offered to every agent."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="desk_views", verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict)
    shared = models.BooleanField(_("shared with all agents"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"],
                                               name="one_view_name_per_owner")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A reply agents use often. Placeholders in braces are filled in when it is inserted:
    {requester_first_name}, {requester_name}, {ticket_number}, {ticket_title}, {agent_name},
    {agent_first_name}, {service}."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title
