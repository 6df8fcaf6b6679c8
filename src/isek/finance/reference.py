"""Load the shipped NRW reference data (programmes, rate rules, cost groups); idempotent."""

import json
from decimal import Decimal
from pathlib import Path

from isek.core.numbering import number_sort_key

FIXTURE = Path(__file__).with_name("fixtures") / "nrw_reference.json"


def load(FundingProgramme, CostGroup) -> None:
    """Takes the model classes so that migrations can pass their historical models."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rules = {k: (Decimal(v) if k != "land" else v) for k, v in data["programme_rules"].items()}
    for p in data["programmes"]:
        FundingProgramme.objects.update_or_create(code=p["code"], defaults={"name": p["name"], "basis": data["source"], **rules})
    # Early migrations pass a historical model without the sort key.
    has_sort_key = any(f.name == "sort_key" for f in CostGroup._meta.fields)
    groups = {}
    for number, name, parent, illustrative in data["cost_groups"]:
        defaults = {"name": name, "parent": groups.get(parent), "illustrative": illustrative,
                    "source": data["sub_item_note"] if illustrative else data["source"]}
        if has_sort_key:
            defaults["sort_key"] = number_sort_key(number)
        groups[number], _ = CostGroup.objects.update_or_create(number=number, defaults=defaults)
