"""Writes to the catalog: import and export as YAML ("catalog as code")."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml
from django.contrib.auth.models import Group
from django.db import transaction

from concierge.accounts.choices import GROUP_ROLES, Role
from concierge.accounts.models import Department, Organisation, User
from concierge.approvals.policy import parse_policy
from concierge.catalog.choices import ItemKind
from concierge.catalog.formspec import FormSpecError, check_text, parse_form
from concierge.catalog.models import CatalogItem, Category
from concierge.fulfilment.plan import parse_plan

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
ILLUSTRATION_RE = re.compile(r"^[a-z0-9-]{1,60}$")
ITEM_KEYS = {"slug", "category", "kind", "name", "summary", "description", "illustration",
             "video_url", "price_once", "price_monthly", "delivery_days", "order_for_others",
             "audience", "keywords", "position", "active", "form", "approval", "owner",
             "fulfilment", "group"}
CATEGORY_KEYS = {"slug", "name", "description", "illustration", "position", "group"}


class CatalogImportError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# --- export -----------------------------------------------------------------------------------

def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def catalog_export() -> dict:
    """The whole catalog as plain data, in the shape `catalog_import` reads."""
    categories = []
    for category in Category.objects.select_related("group").order_by("position", "slug"):
        entry = {"slug": category.slug, "name": category.name,
                 "description": category.description, "illustration": category.illustration,
                 "position": category.position}
        if category.group_id:
            entry["group"] = category.group.name
        categories.append(entry)
    items = []
    queryset = CatalogItem.objects.select_related("category", "owner", "group").prefetch_related(
        "audience_organisations", "audience_departments", "audience_roles"
    ).order_by("category__position", "position", "slug")
    for item in queryset:
        audience = {
            "organisations": sorted(o.slug for o in item.audience_organisations.all()),
            "departments": sorted({d.code for d in item.audience_departments.all()}),
            "roles": sorted(g.name for g in item.audience_roles.all()),
        }
        entry = {
            "slug": item.slug, "category": item.category.slug, "kind": item.kind,
            "name": item.name, "summary": item.summary, "description": item.description,
            "illustration": item.illustration, "video_url": item.video_url,
            "price_once": _money(item.price_once), "price_monthly": _money(item.price_monthly),
            "delivery_days": item.delivery_days, "order_for_others": item.order_for_others,
        }
        if any(audience.values()):
            entry["audience"] = {k: v for k, v in audience.items() if v}
        if item.owner_id:
            entry["owner"] = item.owner.email
        if item.group_id:
            entry["group"] = item.group.name
        entry.update({"keywords": item.keywords, "position": item.position,
                      "active": item.active, "form": item.form})
        if item.approval:
            entry["approval"] = item.approval
        if item.fulfilment:
            entry["fulfilment"] = item.fulfilment
        items.append(entry)
    return {"categories": categories, "items": items}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def catalog_to_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


# --- import -----------------------------------------------------------------------------------

def _check_money(value, path, problems) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0"))
    except InvalidOperation:
        problems.append(f"{path}: must be an amount like 79.00")
        return Decimal(0)
    if amount < 0 or amount >= Decimal("100000000"):
        problems.append(f"{path}: must be between 0 and 99,999,999.99")
    return amount.quantize(Decimal("0.01"))


def _check_int(value, path, problems, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{path}: must be a whole number, 0 or more")
        return default
    return value


def _it_groups() -> dict[str, int]:
    """The IT groups tickets can be routed to, name -> id (role groups are not among them)."""
    return dict(Group.objects.exclude(name__in=GROUP_ROLES).values_list("name", "pk"))


def _check_group(value, path, groups: dict[str, int], problems) -> int | None:
    """An optional IT group named in the file; it must exist already (import never makes
    groups: a typo would silently route tickets to a queue nobody watches)."""
    if value in (None, ""):
        return None
    group_id = groups.get(value) if isinstance(value, str) else None
    if group_id is None:
        problems.append(f"{path}.group: there is no IT group called `{value}` (create it in "
                        "the admin first)")
    return group_id


def _check_categories(raw, problems, groups: dict[str, int]) -> list[dict]:
    result = []
    seen = set()
    if not isinstance(raw or [], list):
        problems.append("categories: must be a list")
        return result
    for index, entry in enumerate(raw or []):
        path = f"categories[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{path}: must be a mapping")
            continue
        unknown = set(entry) - CATEGORY_KEYS
        if unknown:
            problems.append(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
        slug = entry.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(f"{path}.slug: use lowercase letters, digits and -")
            continue
        if slug in seen:
            problems.append(f"{path}.slug: `{slug}` is listed twice")
        seen.add(slug)
        illustration = entry.get("illustration") or "generic"
        if not ILLUSTRATION_RE.match(str(illustration)):
            problems.append(f"{path}.illustration: use lowercase letters, digits and -")
        result.append({
            "slug": slug, "name": check_text(entry.get("name"), f"{path}.name", problems),
            "description": check_text(entry.get("description"), f"{path}.description",
                                       problems, required=False),
            "illustration": illustration,
            "position": _check_int(entry.get("position"), f"{path}.position", problems, 100),
            "group_id": _check_group(entry.get("group"), path, groups, problems),
        })
    return result


def _check_items(raw, category_slugs: set[str], problems,
                 groups: dict[str, int]) -> list[dict]:
    org_slugs = set(Organisation.objects.values_list("slug", flat=True))
    dept_codes = set(Department.objects.values_list("code", flat=True))
    result = []
    seen = set()
    if not isinstance(raw or [], list):
        problems.append("items: must be a list")
        return result
    for index, entry in enumerate(raw or []):
        path = f"items[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{path}: must be a mapping")
            continue
        slug = entry.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(f"{path}.slug: use lowercase letters, digits and -")
            continue
        path = f"items[{index}] ({slug})"
        if slug in seen:
            problems.append(f"{path}.slug: listed twice")
        seen.add(slug)
        unknown = set(entry) - ITEM_KEYS
        if unknown:
            problems.append(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
        if entry.get("category") not in category_slugs:
            problems.append(f"{path}.category: `{entry.get('category')}` is not a category")
        kind = entry.get("kind", ItemKind.REQUEST)
        if kind not in ItemKind.values:
            problems.append(f"{path}.kind: must be one of {', '.join(ItemKind.values)}")
        video_url = entry.get("video_url") or ""
        if video_url and not str(video_url).startswith("https://"):
            problems.append(f"{path}.video_url: must start with https://")
        audience = entry.get("audience") or {}
        if not isinstance(audience, dict) or set(audience) - {"organisations", "departments",
                                                             "roles"}:
            problems.append(f"{path}.audience: may hold organisations, departments and roles")
            audience = {}
        for name, known in (("organisations", org_slugs), ("departments", dept_codes),
                            ("roles", set(GROUP_ROLES) | {Role.EMPLOYEE})):
            values = audience.get(name) or []
            unknown_values = [v for v in values if v not in known] if isinstance(
                values, list) else [values]
            if unknown_values:
                problems.append(f"{path}.audience.{name}: unknown {unknown_values}")
        keywords = entry.get("keywords") or {}
        if not isinstance(keywords, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in keywords.values()
        ):
            problems.append(f"{path}.keywords: must map language codes to lists of words")
            keywords = {}
        form = entry.get("form") or {}
        try:
            spec = parse_form(form, path=f"{path}.form")
        except FormSpecError as exc:
            problems.extend(exc.problems)
            spec = None
        approval = entry.get("approval") or {}
        try:
            parse_policy(approval, form=spec, path=f"{path}.approval")
        except FormSpecError as exc:
            problems.extend(exc.problems)
        fulfilment = entry.get("fulfilment") or {}
        try:
            parse_plan(fulfilment, path=f"{path}.fulfilment")
        except FormSpecError as exc:
            problems.extend(exc.problems)
        owner = None
        if entry.get("owner"):
            owner = User.objects.filter(email__iexact=str(entry["owner"])).first()
            if owner is None:
                problems.append(f"{path}.owner: nobody has the e-mail address {entry['owner']}")
        illustration = entry.get("illustration") or "generic"
        if not ILLUSTRATION_RE.match(str(illustration)):
            problems.append(f"{path}.illustration: use lowercase letters, digits and -")
        result.append({
            "slug": slug, "category": entry.get("category"), "kind": kind,
            "name": check_text(entry.get("name"), f"{path}.name", problems),
            "summary": check_text(entry.get("summary"), f"{path}.summary", problems),
            "description": check_text(entry.get("description"), f"{path}.description",
                                       problems, required=False),
            "illustration": illustration, "video_url": video_url,
            "price_once": _check_money(entry.get("price_once"), f"{path}.price_once", problems),
            "price_monthly": _check_money(entry.get("price_monthly"), f"{path}.price_monthly",
                                          problems),
            "delivery_days": _check_int(entry.get("delivery_days"), f"{path}.delivery_days",
                                        problems, 3),
            "order_for_others": bool(entry.get("order_for_others", False)),
            "audience": audience, "keywords": keywords,
            "position": _check_int(entry.get("position"), f"{path}.position", problems, 100),
            "active": bool(entry.get("active", True)), "form": form,
            "approval": approval, "owner": owner, "fulfilment": fulfilment,
            "group_id": _check_group(entry.get("group"), path, groups, problems),
        })
    return result


def catalog_import(data, *, dry_run: bool = False) -> ImportResult:
    """Create or update categories and items from ``data`` (parsed YAML), matched by slug.

    Checks the whole document first and raises CatalogImportError listing every problem;
    then writes everything in one transaction. Nothing is deleted. ``dry_run`` checks only.
    A ``group`` (who handles the tickets) must name an existing IT group; leaving it out
    clears it, like every other key.
    """
    if not isinstance(data, dict):
        raise CatalogImportError(["the file must hold `categories` and `items`"])
    problems: list[str] = []
    unknown = set(data) - {"categories", "items"}
    if unknown:
        problems.append(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    groups = _it_groups()
    categories = _check_categories(data.get("categories"), problems, groups)
    known_categories = {c["slug"] for c in categories} | set(
        Category.objects.values_list("slug", flat=True))
    items = _check_items(data.get("items"), known_categories, problems, groups)
    if problems:
        raise CatalogImportError(problems)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        for entry in categories:
            category = Category.objects.filter(slug=entry["slug"]).first()
            if category is None or any(getattr(category, k) != v for k, v in entry.items()):
                Category.objects.update_or_create(slug=entry["slug"], defaults=entry)
        category_ids = dict(Category.objects.values_list("slug", "pk"))
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in GROUP_ROLES}
        for entry in items:
            audience = entry.pop("audience")
            entry["category_id"] = category_ids[entry.pop("category")]
            wanted = {
                "audience_organisations": set(Organisation.objects.filter(
                    slug__in=audience.get("organisations") or []).values_list("pk", flat=True)),
                "audience_departments": set(Department.objects.filter(
                    code__in=audience.get("departments") or []).values_list("pk", flat=True)),
                "audience_roles": {groups[r].pk for r in audience.get("roles") or []
                                   if r in groups},
            }
            item = CatalogItem.objects.filter(slug=entry["slug"]).first()
            if item is None:
                item = CatalogItem(**entry)
                result.created.append(entry["slug"])
            elif all(getattr(item, k) == v for k, v in entry.items()) and all(
                set(getattr(item, name).values_list("pk", flat=True)) == pks
                for name, pks in wanted.items()
            ):
                result.unchanged.append(entry["slug"])
                continue
            else:
                for name, value in entry.items():
                    setattr(item, name, value)
                result.updated.append(entry["slug"])
            item.save()
            for name, pks in wanted.items():
                getattr(item, name).set(pks)
    return result


def catalog_import_yaml(text: str, *, dry_run: bool = False) -> ImportResult:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogImportError([f"not valid YAML: {exc}"]) from None
    return catalog_import(data, dry_run=dry_run)
