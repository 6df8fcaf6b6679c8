"""Group decisions stored before decision 0083 (no ``params``) kept their sentence in the language
of who decided, so a page showed German and English side by side (fix24e). Their sentences are
made of four fixed formats in German or English (the gettext strings of the time, written out here:
the catalogue may change): each is parsed back into ``params`` – the group names, the contributions'
numbers, the count – and is then said in each reader's language. A sentence that matches no format,
or matches one in two ways (a group name containing the format's words), stays as stored.

Every decision's group name that is isek's fixed phrase – "Verschiedenes (n Beiträge)",
"Miscellaneous (n contributions)", "ohne Namen", "without a name" – gets its code (``a_mixed``: the
count, ``a_unnamed``), as new decisions store it (services.groups._named)."""

import re

from django.db import migrations

NAME = r"(?P<{k}>.+{lazy})"
FORMATS = {
    "rename": ["Gruppe „{a}“ heißt jetzt „{b}“.", "Group “{a}” is now called “{b}”."],
    "merge": ["Gruppe „{a}“ ({n} Beiträge) mit „{b}“ zusammengelegt.",
              "Gruppe „{a}“ ({n} Beitrag) mit „{b}“ zusammengelegt.",
              "Group “{a}” ({n} contributions) merged into “{b}”.",
              "Group “{a}” ({n} contribution) merged into “{b}”."],
    "split": ["Gruppe „{a}“ geteilt: {ideas} in die neue Gruppe „{b}“.",
              "Group “{a}” split: {ideas} into the new group “{b}”."],
    "move": ["{ideas} von „{a}“ nach „{b}“ verschoben.", "{ideas} moved from “{a}” to “{b}”."],
}
MIXED = re.compile(r"(?:Verschiedenes \((\d+) Beitr(?:ag|äge)\)|Miscellaneous \((\d+) contributions?\))")
UNNAMED = ("ohne Namen", "without a name")


def _pattern(fmt: str, lazy: bool) -> re.Pattern:
    out = re.escape(fmt)
    for k in ("a", "b"):
        out = out.replace(re.escape("{" + k + "}"), NAME.format(k=k, lazy="?" if lazy else ""))
    out = out.replace(re.escape("{n}"), r"(?P<n>\d+)").replace(re.escape("{ideas}"), r"(?P<ideas>I-\d+(?:, I-\d+)*)")
    return re.compile(out)


PATTERNS = {action: [(_pattern(f, True), _pattern(f, False)) for f in formats] for action, formats in FORMATS.items()}


def parse(action: str, summary: str) -> dict | None:
    """The params of an old sentence, or None (no format, or two readings)."""
    found = []
    for lazy, greedy in PATTERNS.get(action, []):
        a, b = lazy.fullmatch(summary), greedy.fullmatch(summary)
        if a is not None:
            found.append(a.groupdict())
            if b is None or b.groupdict() != a.groupdict():
                return None
    if len(found) != 1:
        return None
    params = found[0]
    if "n" in params:
        params["n"] = int(params["n"])
    return params


def coded(params: dict) -> dict:
    """``params`` with a code for each group name that is isek's fixed phrase."""
    out = dict(params)
    for k in ("a", "b"):
        name = str(out.get(k, ""))
        m = MIXED.fullmatch(name)
        if m and f"{k}_mixed" not in out:
            out[f"{k}_mixed"] = int(m.group(1) or m.group(2))
        elif name in UNNAMED:
            out[f"{k}_unnamed"] = 1
    return out


def forward(apps, schema_editor):
    GroupDecision = apps.get_model("participation", "GroupDecision")
    for d in GroupDecision.objects.all().iterator():
        params = d.params or parse(d.action, d.summary)
        if not params:
            continue
        params = coded(params)
        if params != d.params:
            GroupDecision.objects.filter(pk=d.pk).update(params=params)


class Migration(migrations.Migration):

    dependencies = [
        ("participation", "0019_fix24d_group_decision_params"),
    ]

    operations = [
        # back: the params stay (0019's field holds them; the sentences read from them are the same)
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
