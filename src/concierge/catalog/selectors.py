"""Reads of the catalog, limited to what the viewer may order."""

from django.contrib.auth.models import Group
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from concierge.accounts.models import User
from concierge.catalog.models import CatalogItem, Category


def _audience_filter(user: User) -> Q:
    """Items open to everyone, or whose every restriction the user meets."""
    through_orgs = CatalogItem.audience_organisations.through.objects
    through_deps = CatalogItem.audience_departments.through.objects
    through_roles = CatalogItem.audience_roles.through.objects
    group_ids = list(user.group_ids)

    def restriction(through, column: str, allowed) -> Q:
        rows = through.filter(catalogitem_id=OuterRef("pk"))
        return ~Exists(rows) | Exists(rows.filter(**{f"{column}__in": allowed}))

    return (
        restriction(through_orgs, "organisation_id", [user.organisation_id])
        & restriction(through_deps, "department_id", [user.department_id] if user.department_id
                      else [])
        & restriction(through_roles, "group_id", group_ids)
    )


def catalog_cache_key(user: User) -> str:
    """A key for cached catalog fragments: changes when the catalog changes, and differs
    between people who may order different things (organisation, department, roles)."""
    version = Category.objects.aggregate(
        category_stamp=Max("updated_at"), item_stamp=Max("items__updated_at"),
        item_count=Count("items"))
    stamp = "-".join(str(v.timestamp() if hasattr(v, "timestamp") else v)
                     for v in version.values())
    groups = ".".join(map(str, user.group_ids))
    return f"{stamp}:{user.organisation_id}:{user.department_id}:{groups}"


def item_list_for(user: User, *, category: Category | None = None,
                  query: str = "") -> QuerySet[CatalogItem]:
    """Active items ``user`` may order, in catalog order, optionally in one category or search."""
    items = CatalogItem.objects.filter(active=True).filter(_audience_filter(user))
    if category is not None:
        items = items.filter(category=category)
    for word in (query or "").lower().split()[:6]:
        items = items.filter(search_text__contains=word)
    return items.select_related("category").defer("form", "description", "search_text")


def _may_order(user: User, item: CatalogItem) -> bool:
    """The audience rule of ``_audience_filter`` for one item, with three plain lookups (much
    cheaper to build than the correlated subqueries a list needs)."""
    model = CatalogItem
    rules = [
        (model.audience_organisations.through, "organisation_id", {user.organisation_id}),
        (model.audience_departments.through, "department_id", {user.department_id}),
        (model.audience_roles.through, "group_id", set(user.group_ids)),
    ]
    for through, column, mine in rules:
        allowed = set(through.objects.filter(catalogitem_id=item.pk).values_list(column,
                                                                                flat=True))
        if allowed and not allowed & mine:
            return False
    return True


def item_get_for(user: User, slug: str) -> CatalogItem:
    """The item if ``user`` may order it; otherwise 404 (hidden items are not revealed)."""
    item = CatalogItem.objects.filter(active=True, slug=slug).select_related("category").first()
    if item is None or not _may_order(user, item):
        raise Http404("No such service")
    return item


def category_list_for(user: User, *, preview: int = 4) -> list[Category]:
    """Categories with at least one item ``user`` may order, each with a few items to show."""
    visible = item_list_for(user)
    counts = dict(visible.order_by().values_list("category_id").annotate(n=Count("pk")))
    categories = list(
        Category.objects.filter(pk__in=counts.keys()).prefetch_related(
            Prefetch("items", queryset=visible[:preview], to_attr="preview_items"))
    )
    for category in categories:
        category.item_count = counts[category.pk]
    return categories


def category_get(slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise Http404("No such category") from None


def handling_group_for(item: CatalogItem | None) -> Group | None:
    """The IT group that handles new tickets for ``item``: the item's own group, else its
    category's, else None.

    None also for no item at all: tickets opened by e-mail (mailin) name no service, so they
    stay unrouted and wait in the desk's "Unassigned" queue of the sender's organisation,
    where the service desk triages free text. To route them somewhere later, pass a group to
    ``tickets.services.ticket_route_new``.
    """
    if item is None:
        return None
    group_id = item.group_id or item.category.group_id
    return Group.objects.filter(pk=group_id).first() if group_id else None
