"""Whether a merged idea was public when merged (its text is then shown at the idea it was merged
into). For the ideas merged before: public if the log has its approval, or if its phase published
at once and the log has no refusal of it before the merge."""

from django.db import migrations, models


def mark_merged_public(apps, schema_editor):
    Idea = apps.get_model("participation", "Idea")
    Decision = apps.get_model("participation", "Decision")
    for idea in Idea.objects.filter(status="merged").select_related("phase").iterator():
        log = set(Decision.objects.filter(kind="idea", object_id=idea.pk).values_list("action", flat=True))
        public = "approve" in log or (idea.phase.moderation == "after" and not log & {"reject", "hide", "auto_hide"})
        if public:
            Idea.objects.filter(pk=idea.pk).update(merged_public=True)


class Migration(migrations.Migration):

    dependencies = [("participation", "0008_decision_dismiss_reports")]

    operations = [
        migrations.AddField(model_name="idea", name="merged_public", field=models.BooleanField(default=False)),
        migrations.RunPython(mark_merged_public, migrations.RunPython.noop),
    ]
