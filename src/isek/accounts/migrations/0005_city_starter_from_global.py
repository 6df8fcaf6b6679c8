"""Staff who signed in through a city's identity provider were formerly given Django's
installation-wide permission concepts.add_concept ("may start concepts everywhere") where the
provider's groups mapped to "may start concepts" (accounts.services._grant before decision 0046).
Now that grant is a CityRole "starter" of the provider's city: each such user – their account
linked to the providers of exactly one city and no installation-wide provider, the provider having
given the permission (ExternalIdentity.granted["starter"]) – gets the starter role of that city and
loses the global permission. Other holders (invited by the installation's administrator, linked to
several cities or to the installation's provider) keep it: who gave it cannot be told apart.

Backwards: nothing is changed (a city role is not widened into the whole installation)."""

from django.conf import settings
from django.db import migrations


def city_starters_from_global(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    ExternalIdentity = apps.get_model("accounts", "ExternalIdentity")
    CityRole = apps.get_model("concepts", "CityRole")
    permission = Permission.objects.filter(codename="add_concept", content_type__app_label="concepts").first()
    if permission is None:  # a new database: the permissions are made after the migrations
        return
    holders = User.user_permissions.through.objects.filter(permission=permission)
    for user_id in list(holders.values_list("user_id", flat=True)):
        identities = list(ExternalIdentity.objects.filter(user_id=user_id).select_related("provider"))
        cities = {i.provider.city_id for i in identities}
        if len(cities) != 1 or None in cities or not any((i.granted or {}).get("starter") for i in identities):
            continue
        CityRole.objects.get_or_create(city_id=cities.pop(), user_id=user_id, role="starter")
        holders.filter(user_id=user_id).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_invitation_city"),
        ("concepts", "0005_city_administration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(city_starters_from_global, migrations.RunPython.noop),
    ]
