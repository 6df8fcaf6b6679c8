"""The address for replies moves from the contributor (one per browser, used for every contribution
sent from it) to the contribution it was given with (decision 0044). Which contribution that was is
not recorded: a contributor with exactly one idea or comment gives it to that one; one with several
(a shared kiosk, a family's computer, or a person who wrote twice) is not mailed any more about
any of them, rather than about other people's – the pages still show every decision."""

from django.db import migrations, models


def address_to_the_one_contribution(apps, schema_editor):
    Contributor = apps.get_model("participation", "Contributor")
    Idea = apps.get_model("participation", "Idea")
    Comment = apps.get_model("participation", "Comment")
    for c in Contributor.objects.filter(email_consent=True).exclude(email="").only("pk", "email").iterator():
        ideas, comments = Idea.objects.filter(contributor=c), Comment.objects.filter(contributor=c)
        if ideas.count() + comments.count() == 1:
            ideas.update(email=c.email)
            comments.update(email=c.email)


class Migration(migrations.Migration):

    dependencies = [("participation", "0006_support_confirmation")]

    operations = [
        migrations.AddField(
            model_name="comment", name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="E-Mail für Antworten (freiwillig)")),
        migrations.AddField(
            model_name="idea", name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="E-Mail für Antworten (freiwillig)")),
        migrations.RunPython(address_to_the_one_contribution, migrations.RunPython.noop),
        migrations.RemoveField(model_name="contributor", name="email"),
        migrations.RemoveField(model_name="contributor", name="email_consent"),
    ]
