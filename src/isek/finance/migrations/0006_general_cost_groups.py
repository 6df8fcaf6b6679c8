"""Cost groups per Land: load isek's general catalogue and move the cost items of concepts outside
NRW from NRW's FRL 2023 groups to it (docs/decisions/0027-cost-group-catalogues.md).

Mapping (land_rules.json, "from_nrw"): 7.x Vorbereitung → 1 Vorbereitung, 8.x Ordnungsmaßnahmen →
2 Ordnungsmaßnahmen, 9.x Baumaßnahmen → 3 Baumaßnahmen, 10.x Kommunale Förderprogramme und Fonds →
4 Verfügungsfonds und andere Fonds, 11.x Sonstige Ausgaben → 5 Sonstige Ausgaben. Items of one
measure and year that land in the same group are added up (notes joined). NRW concepts keep their
groups; frozen KuF versions are not changed.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from isek.finance import land_rules, reference

    CostGroup = apps.get_model("finance", "CostGroup")
    CostItem = apps.get_model("finance", "CostItem")
    ImportMapping = apps.get_model("finance", "ImportMapping")
    reference.load(apps.get_model("finance", "FundingProgramme"), CostGroup)
    general = land_rules.catalogue(land_rules.GENERAL_CATALOGUE)
    targets = {g.number: g for g in CostGroup.objects.filter(catalogue=general.key)}

    def moves(ags):
        return land_rules.catalogue_for_ags(ags).key == general.key

    kept = {}
    items = CostItem.objects.filter(cost_group__catalogue="nrw-frl-2023").select_related("cost_group", "measure__concept__city")
    for item in items.order_by("id"):
        if not moves(item.measure.concept.city.ags):
            continue
        target = targets[general.from_nrw[item.cost_group.number.split(".")[0]]]
        key = (item.measure_id, item.year, target.pk)
        same = kept.get(key) or CostItem.objects.filter(measure_id=item.measure_id, year=item.year, cost_group=target).first()
        if same is None:
            item.cost_group = target
            item.save(update_fields=["cost_group"])
            kept[key] = item
            continue
        same.amount += item.amount
        same.eligible += item.eligible
        same.note = "; ".join(n for n in (same.note, item.note) if n)[:300]
        same.save(update_fields=["amount", "eligible", "note"])
        kept[key] = same
        item.delete()
    for m in ImportMapping.objects.select_related("concept__city"):
        number = str((m.mapping or {}).get("cost_group") or "")
        if number and number not in targets and moves(m.concept.city.ags):
            m.mapping = {**m.mapping, "cost_group": general.from_nrw.get(number.split(".")[0], "")}
            m.save(update_fields=["mapping"])


class Migration(migrations.Migration):
    dependencies = [("finance", "0005_cost_group_catalogue")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
