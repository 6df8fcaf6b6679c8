"""Ideas and comments are numbered per concept ("I-1" is each concept's first idea; decision 0035).
Three steps (schema and data apart, as PostgreSQL wants): add the columns here, number the existing
rows in 0004, require the number, unique per concept, in 0005."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("concepts", "0004_ags_land"), ("participation", "0002_author_name_per_contribution")]

    operations = [
        migrations.AddField(model_name="idea", name="concept", field=models.ForeignKey(
            editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="concepts.concept")),
        migrations.AddField(model_name="idea", name="number",
                            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="Nr.")),
        migrations.AddField(model_name="comment", name="concept", field=models.ForeignKey(
            editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="concepts.concept")),
        migrations.AddField(model_name="comment", name="number",
                            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="Nr.")),
        migrations.AddField(model_name="decision", name="number", field=models.PositiveIntegerField(null=True)),
    ]
