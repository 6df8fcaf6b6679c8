"""Number the existing ideas and comments per concept in id order; the moderation log keeps each
decision's number (a decision on a contribution deleted before this keeps none)."""

from django.db import migrations


def number_existing(apps, schema_editor):
    Decision = apps.get_model("participation", "Decision")
    for kind, name in (("idea", "Idea"), ("comment", "Comment")):
        model = apps.get_model("participation", name)
        counters: dict[int, int] = {}
        numbers: dict[int, int] = {}
        for row in model.objects.order_by("pk").values("pk", "phase__concept_id").iterator():
            concept = row["phase__concept_id"]
            counters[concept] = counters.get(concept, 0) + 1
            numbers[row["pk"]] = counters[concept]
            model.objects.filter(pk=row["pk"]).update(concept_id=concept, number=counters[concept])
        for d in Decision.objects.filter(kind=kind).only("pk", "object_id").iterator():
            if d.object_id in numbers:
                Decision.objects.filter(pk=d.pk).update(number=numbers[d.object_id])



class Migration(migrations.Migration):

    dependencies = [("participation", "0003_numbers_per_concept")]

    operations = [migrations.RunPython(number_existing, migrations.RunPython.noop)]
