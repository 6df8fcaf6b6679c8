"""Load the shipped reference data (NRW's programmes, rate rules and cost groups; the general
catalogue of cost groups for the other Länder); idempotent."""

import json
from decimal import Decimal
from pathlib import Path

from isek.core.numbering import number_sort_key

from . import land_rules

FIXTURE = Path(__file__).with_name("fixtures") / "nrw_reference.json"


def load(FundingProgramme, CostGroup) -> None:
    """Takes the model classes so that migrations can pass their historical models."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rules = {k: (Decimal(v) if k != "land" else v) for k, v in data["programme_rules"].items()}
    for p in data["programmes"]:
        FundingProgramme.objects.update_or_create(code=p["code"], defaults={"name": p["name"], "basis": data["source"], **rules})
    # Early migrations pass a historical model without the sort key or the catalogue.
    names = {f.name for f in CostGroup._meta.fields}
    has_sort_key = "sort_key" in names
    groups = {}
    for number, name, parent, illustrative in data["cost_groups"]:
        defaults = {"name": name, "parent": groups.get(parent), "illustrative": illustrative,
                    "source": data["sub_item_note"] if illustrative else data["source"]}
        if has_sort_key:
            defaults["sort_key"] = number_sort_key(number)
        lookup = {"catalogue": "nrw-frl-2023"} if "catalogue" in names else {}
        groups[number], _ = CostGroup.objects.update_or_create(number=number, **lookup, defaults=defaults)
    if "catalogue" in names:
        general = land_rules.catalogue(land_rules.GENERAL_CATALOGUE)
        for number, name in general.groups:
            CostGroup.objects.update_or_create(catalogue=general.key, number=number, defaults={
                "name": name, "parent": None, "illustrative": False, "source": general.source,
                "sort_key": number_sort_key(number)})
