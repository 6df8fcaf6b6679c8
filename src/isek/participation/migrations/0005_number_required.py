"""Every idea and comment has its number, unique per concept (decision 0035)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("participation", "0004_number_existing")]

    operations = [
        migrations.AlterField(model_name="idea", name="concept", field=models.ForeignKey(
            editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="concepts.concept")),
        migrations.AlterField(model_name="idea", name="number",
                              field=models.PositiveIntegerField(editable=False, verbose_name="Nr.")),
        migrations.AlterField(model_name="comment", name="concept", field=models.ForeignKey(
            editable=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="concepts.concept")),
        migrations.AlterField(model_name="comment", name="number",
                              field=models.PositiveIntegerField(editable=False, verbose_name="Nr.")),
        migrations.AddConstraint(model_name="idea", constraint=models.UniqueConstraint(
            fields=("concept", "number"), name="idea_number_per_concept")),
        migrations.AddConstraint(model_name="comment", constraint=models.UniqueConstraint(
            fields=("concept", "number"), name="comment_number_per_concept")),
    ]
