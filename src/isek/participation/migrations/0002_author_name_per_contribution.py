"""The public name moves from the contributor to each contribution (decision 0025): existing ideas
and comments keep the name they showed (their contributor's), then the contributor's name goes."""

from django.db import migrations, models


def names_onto_contributions(apps, schema_editor):
    Contributor = apps.get_model("participation", "Contributor")
    for model in (apps.get_model("participation", "Idea"), apps.get_model("participation", "Comment")):
        for c in Contributor.objects.exclude(name="").only("pk", "name"):
            model.objects.filter(contributor=c).update(author_name=c.name)


def names_back_onto_contributors(apps, schema_editor):
    Contributor = apps.get_model("participation", "Contributor")
    for model in (apps.get_model("participation", "Comment"), apps.get_model("participation", "Idea")):
        for contributor_id, name in model.objects.exclude(author_name="").exclude(contributor=None).order_by(
                "pk").values_list("contributor_id", "author_name"):
            Contributor.objects.filter(pk=contributor_id).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [
        migrations.AddField(model_name="idea", name="author_name",
                            field=models.CharField(blank=True, max_length=60, verbose_name="Name (freiwillig)")),
        migrations.AddField(model_name="comment", name="author_name",
                            field=models.CharField(blank=True, max_length=60, verbose_name="Name (freiwillig)")),
        migrations.RunPython(names_onto_contributions, names_back_onto_contributors),
        migrations.RemoveField(model_name="contributor", name="name"),
    ]
