"""The role groups and what each may do in the admin; kept in step after every migrate."""

from django.contrib.auth.models import Group, Permission

from concierge.accounts.choices import GROUP_ROLES, Role

# Model permissions per role, as "app_label.model" -> actions.
ROLE_PERMISSIONS = {
    Role.CATALOG_MANAGER: {"catalog.category": ["add", "change", "view"],
                           "catalog.catalogitem": ["add", "change", "view"]},
    Role.AGENT: {"tickets.ticket": ["view", "change"],
                 "mailin.inboundmessage": ["view"]},
    Role.KNOWLEDGE_MANAGER: {"knowledge.category": ["add", "change", "view"],
                             "knowledge.article": ["add", "change", "view"],
                             "knowledge.articleversion": ["view"],
                             "knowledge.articleimage": ["change", "view", "delete"],
                             "knowledge.feedback": ["view"],
                             "search.synonym": ["add", "change", "delete", "view"]},
    Role.ADMIN: {},
}


def ensure_role_groups(**kwargs) -> None:
    for role in GROUP_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for model, actions in ROLE_PERMISSIONS.get(role, {}).items():
            app_label, model_name = model.split(".")
            wanted += list(Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model_name}" for action in actions]))
        if wanted:
            group.permissions.add(*wanted)
