from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from concierge.catalog.models import CatalogItem, Category
from concierge.catalog.services import (
    CatalogImportError,
    catalog_export,
    catalog_import,
    catalog_import_yaml,
    catalog_to_yaml,
)
from concierge.core.testing import WEBCAM_FORM, OrganisationFactory

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo-catalog.yaml"


@pytest.fixture
def orgs(db):
    from concierge.accounts.models import Department
    from concierge.portal.demo import IT_GROUPS

    for name in IT_GROUPS:  # the demo catalog routes to them
        Group.objects.create(name=name)
    for slug in ("alpine", "harbor"):
        org = OrganisationFactory(slug=slug)
        for code in ("finance", "hr", "it", "sales", "marketing", "operations", "legal",
                     "engineering"):
            Department.objects.create(organisation=org, code=code, name=code)


def test_the_demo_catalog_imports_and_round_trips_unchanged(orgs):
    result = catalog_import_yaml(DEMO.read_text(encoding="utf-8"))
    assert len(result.created) >= 40
    exported = catalog_export()
    text = catalog_to_yaml(exported)
    # Import what was exported into the same database: nothing changes.
    again = catalog_import_yaml(text)
    assert again.created == [] and again.unchanged == [i["slug"] for i in exported["items"]]
    assert catalog_export() == exported
    assert yaml.safe_load(text) == exported


def test_the_demo_catalog_offers_every_language_and_the_webcam(orgs):
    catalog_import_yaml(DEMO.read_text(encoding="utf-8"))
    webcam = CatalogItem.objects.get(slug="webcam")
    assert webcam.name["en"] and webcam.name["de"]
    assert webcam.form_spec.controlling_keys
    for item in CatalogItem.objects.all():
        assert set(item.name) >= {"en", "de"}, item.slug
        assert set(item.summary) >= {"en", "de"}, item.slug


def test_import_updates_in_place_and_keeps_audience(orgs):
    data = {
        "categories": [{"slug": "devices", "name": {"en": "Devices", "de": "Geräte"}}],
        "items": [{"slug": "webcam", "category": "devices", "name": {"en": "Webcam"},
                   "summary": {"en": "A camera"}, "price_once": "79.00", "form": WEBCAM_FORM,
                   "audience": {"organisations": ["alpine"], "roles": ["agent"]}}],
    }
    assert catalog_import(data).created == ["webcam"]
    data["items"][0]["price_once"] = "89.50"
    assert catalog_import(data).updated == ["webcam"]
    item = CatalogItem.objects.get(slug="webcam")
    assert str(item.price_once) == "89.50"
    assert [o.slug for o in item.audience_organisations.all()] == ["alpine"]
    assert [g.name for g in item.audience_roles.all()] == ["agent"]


def test_an_invalid_file_changes_nothing_and_lists_every_problem(orgs):
    data = {
        "categories": [{"slug": "devices", "name": {"en": "Devices"}}],
        "items": [
            {"slug": "ok", "category": "devices", "name": {"en": "OK"}, "summary": {"en": "x"}},
            {"slug": "bad", "category": "nowhere", "name": {"de": "nur"}, "summary": "x",
             "price_once": "lots", "form": {"steps": [{"key": "s", "title": "S",
                                                       "questions": [{"key": "a"}]}]}},
        ],
    }
    with pytest.raises(CatalogImportError) as error:
        catalog_import(data)
    text = "\n".join(error.value.problems)
    assert "items[1] (bad).category" in text
    assert "English text is missing" in text
    assert "price_once" in text
    assert "items[1] (bad).form.steps[0].questions[0]" in text
    assert not Category.objects.exists() and not CatalogItem.objects.exists()


def test_broken_yaml_is_reported_not_raised(db):
    with pytest.raises(CatalogImportError, match="not valid YAML"):
        catalog_import_yaml("items: [unclosed")


def test_the_commands_export_and_import_files(orgs, tmp_path):
    call_command("catalog_import", str(DEMO))
    out = tmp_path / "catalog.yaml"
    call_command("catalog_export", "-o", str(out))
    call_command("catalog_import", str(out), "--dry-run")
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: 3\n")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("catalog_import", str(bad))


def test_the_demo_catalog_says_who_handles_what(orgs):
    catalog_import_yaml(DEMO.read_text(encoding="utf-8"))
    items = {i.slug: i for i in CatalogItem.objects.select_related("group", "category__group")}
    assert items["something-broken"].category.group.name == "service-desk"
    assert items["something-broken"].group is None
    assert items["printer-problem"].group.name == "it-workplace"
    assert items["webcam"].category.group.name == "it-procurement"
    assert all(i.group_id or i.category.group_id for i in items.values())


GROUPED = {
    "categories": [{"slug": "devices", "name": {"en": "Devices"}, "group": "it-procurement"}],
    "items": [{"slug": "webcam", "category": "devices", "name": {"en": "Webcam"},
               "summary": {"en": "A camera"}, "group": "it-workplace"},
              {"slug": "mouse", "category": "devices", "name": {"en": "Mouse"},
               "summary": {"en": "A mouse"}}],
}


def test_groups_are_imported_exported_and_round_trip(db):
    procurement = Group.objects.create(name="it-procurement")
    workplace = Group.objects.create(name="it-workplace")
    catalog_import(GROUPED)
    assert Category.objects.get().group == procurement
    assert CatalogItem.objects.get(slug="webcam").group == workplace
    assert CatalogItem.objects.get(slug="mouse").group is None
    exported = catalog_export()
    assert exported["categories"][0]["group"] == "it-procurement"
    by_slug = {i["slug"]: i for i in exported["items"]}
    assert by_slug["webcam"]["group"] == "it-workplace" and "group" not in by_slug["mouse"]
    again = catalog_import_yaml(catalog_to_yaml(exported))
    assert again.updated == [] and sorted(again.unchanged) == ["mouse", "webcam"]


def test_a_changed_or_removed_group_updates_the_item(db):
    Group.objects.create(name="it-procurement")
    workplace = Group.objects.create(name="it-workplace")
    catalog_import(GROUPED)
    data = {"categories": [{**GROUPED["categories"][0], "group": "it-workplace"}],
            "items": [{**GROUPED["items"][0]}]}
    del data["items"][0]["group"]
    assert catalog_import(data).updated == ["webcam"]
    assert CatalogItem.objects.get(slug="webcam").group is None
    assert Category.objects.get().group == workplace


@pytest.mark.parametrize("name", ["it-nowhere", "agent", 7, ["it-workplace"]])
def test_an_unknown_group_is_a_clear_error_and_changes_nothing(db, name):
    Group.objects.create(name="it-workplace")
    Group.objects.get_or_create(name="agent")  # a role, not a queue
    groups = Group.objects.count()
    data = {"categories": [{"slug": "devices", "name": {"en": "Devices"}, "group": name}],
            "items": [{"slug": "webcam", "category": "devices", "name": {"en": "Webcam"},
                       "summary": {"en": "A camera"}, "group": name}]}
    with pytest.raises(CatalogImportError) as error:
        catalog_import(data)
    assert error.value.problems == [
        f"categories[0].group: there is no IT group called `{name}` (create it in the admin "
        "first)",
        f"items[0] (webcam).group: there is no IT group called `{name}` (create it in the "
        "admin first)"]
    assert not Category.objects.exists() and not CatalogItem.objects.exists()
    assert Group.objects.count() == groups
