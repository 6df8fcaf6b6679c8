"""The evaluation report as files (services.report builds its content): the PDF (WeasyPrint, with a
map drawn by matplotlib in the official CRS of the Land, no tile server) and the XLSX (one sheet of
figures per theme and quarter, one of every contribution, one of method and attribution). Every
label through gettext, in the language the caller activates (the page's; walk 24: no English label
in a German file). User text is written as text, never as a formula."""

from __future__ import annotations

import base64
import datetime
import io

from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from isek.core import geo, pdf

MARKERS = 5
SHAPES = ("o", "s", "^", "D", "v", "P", "X", "*")  # a theme whose colour is like an earlier one's gets the next


def theme_keys(themes) -> list[tuple[str, str]]:
    """Each theme's key on the map, (colour, marker shape), no two alike: a theme whose colour looks
    like an earlier theme's (a planner's choice, or more themes than the palette has) gets another
    shape (walk 24: from the 10th theme on, themes had no key of their own)."""
    from .services.phase import SIMILAR, _distance

    keys: list[tuple[str, str]] = []
    for t in themes:
        like = sum(1 for colour, _shape in keys if _distance(colour, t.colour) < SIMILAR)
        keys.append((t.colour, SHAPES[like % len(SHAPES)]))
    return keys


def map_png(report) -> str:
    """The concept's area and quarters with the contributions' points coloured by theme, as a
    data: URI (empty when no contribution has a place)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    placed = [li for li in report.lines if li.idea.geometry is not None]
    if not placed:
        return ""
    concept = report.concept
    src, dst = f"EPSG:{geo.STORAGE_SRID}", f"EPSG:{concept.working_srid}"
    key = dict(zip((t.name for t in report.themes), theme_keys(report.themes)))
    with plt.rc_context({"font.family": "DejaVu Sans", "font.size": 7}):
        fig, ax = plt.subplots(figsize=(7.0, 5.6))
        quarters = list(concept.quarters.all())
        for q, g in zip(quarters, geo.transform_many([geo.from_django(q.geometry) for q in quarters], src, dst)):
            for p in getattr(g, "geoms", [g]):
                x, y = p.exterior.xy
                ax.fill(x, y, facecolor=q.colour, edgecolor=q.colour, alpha=0.15, linewidth=0.8, zorder=1)
            c = g.representative_point()
            ax.text(c.x, c.y, q.name, fontsize=7, ha="center", color="#333333", zorder=4)
        if concept.area is not None:
            area = geo.transform(geo.from_django(concept.area), src, dst)
            for p in getattr(area, "geoms", [area]):
                x, y = p.exterior.xy
                ax.plot(x, y, color="#c00000", linewidth=1.6, zorder=2)
        points = geo.transform_many([geo.from_django(li.idea.geometry).representative_point() for li in placed], src, dst)
        for shape in dict.fromkeys(key[li.theme][1] for li in placed):
            mine = [(p, li) for p, li in zip(points, placed) if key[li.theme][1] == shape]
            ax.scatter([p.x for p, _li in mine], [p.y for p, _li in mine], s=MARKERS * 3, marker=shape,
                       c=[key[li.theme][0] for _p, li in mine], edgecolors="white", linewidths=0.3, zorder=3)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        handles = [Line2D([], [], linestyle="none", marker=key[t.name][1], markersize=6, markerfacecolor=key[t.name][0],
                          markeredgecolor="white", markeredgewidth=0.3, label=f"{t.name} ({t.figures.placed})")
                   for t in report.themes if t.figures.placed]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=6.5,
                  frameon=False)
        ax.set_title(f"EPSG:{concept.working_srid}", fontsize=6, loc="right", color="#555555")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def write_pdf(report, method: str, path, picture: str | None = None) -> int:
    """The report as PDF at ``path`` (its map ``picture`` drawn here unless given); returns its pages."""
    if picture is None:
        picture = map_png(report)
    # tagged (PDF/UA-1, fix24f): its structure for screen readers, its links to the originals as link annotations
    return pdf.write("participation/report_pdf.html", {"r": report, "method": method, "map": picture}, path,
                     variant="pdf/ua-1")


def own_date(idea) -> datetime.date | None:
    """A contribution's own date (local): none for an imported one whose original had none (fix24b:
    the import's time is not its date; the XLSX gives it in its own column, "importiert am")."""
    when = idea.own_date
    return timezone.localtime(when).date() if when else None


def imported_on(idea) -> datetime.date | None:
    """The day an imported contribution was imported (local); none for one written here."""
    return timezone.localtime(idea.created_at).date() if idea.source_id else None


def group_decision(g) -> str:
    """What the planner did with a report's group, as the page says it (_report_group_decision.html)."""
    if g.proposed:
        return _("umbenannt (von isek: „%(p)s“)") % {"p": g.proposed}
    return _("von der Planung bearbeitet") if g.kept else _("von isek vorgeschlagen")


def xlsx_bytes(report, method: str) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    # dates as date cells (fix24i: "Datum" held text), shown in the file's language's order
    german = (get_language() or "de").startswith("de")
    day = wb.add_format({"num_format": "dd.mm.yyyy" if german else "d mmm yyyy"})  # as SHORT_DATE_FORMAT
    moment = wb.add_format({"num_format": "dd.mm.yyyy hh:mm" if german else "d mmm yyyy, hh:mm"})

    def sheet(name: str, header: list[str], rows) -> None:
        ws = wb.add_worksheet(name)
        for c, h in enumerate(header):
            ws.write_string(0, c, h, bold)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if isinstance(v, datetime.datetime):  # local time, without its zone (Excel has none)
                    ws.write_datetime(r, c, timezone.localtime(v).replace(tzinfo=None), moment)
                elif isinstance(v, datetime.date):
                    ws.write_datetime(r, c, datetime.datetime.combine(v, datetime.time()), day)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                elif v not in (None, ""):
                    ws.write_string(r, c, str(v))
        ws.freeze_panes(1, 0)

    ideas, quarter, quotes, supports = _("Beiträge"), _("Teilraum"), _("Zitate"), _("Unterstützungen")
    # the supports by kind beside their total, as the page shows them (decision 0074)
    kinds = [_("davon bestätigt per E-Mail"), _("davon bestätigt mit Konto"), _("davon nicht bestätigt")]

    def by_kind(figures) -> list[int]:
        return [figures.kinds[k] for k in ("email", "account", "none")]  # services.groups.SUPPORT_KINDS

    sheet(_("Themen"), [_("Thema"), ideas, _("mit Ort"), supports, *kinds, _("beantwortet"), _("Thema bestätigt"),
                        _("korrigiert"), _("gewählt ohne Vorschlag"), pgettext("Thema: noch ohne Entscheidung", "offen"),
                        _("offen: Vorschlag isek"),
                        quotes],
          [[t.name, t.figures.ideas, t.figures.placed, t.figures.supports, *by_kind(t.figures), t.figures.answered,
            t.confirmed, t.corrected, t.unsuggested, t.open, t.suggested,
            " | ".join(f"„{q.sentence}“ ({q.idea.reference})" for q in t.quotes)]
           for t in report.themes])
    sheet(_("Teilräume"), [quarter, ideas, supports, *kinds, _("beantwortet"), *[t.name for t in report.themes], quotes],
          [[q.name, q.figures.ideas, q.figures.supports, *by_kind(q.figures), q.figures.answered,
            *q.counts,
            " | ".join(f"„{x.sentence}“ ({x.idea.reference})" for x in q.quotes)] for q in report.quarters])
    yes = _("ja")
    group = _("Gruppe")
    sheet(ideas, [_("Nr."), _("Titel"), _("Text"), _("Thema"), _("Thema geprüft"), quarter, supports,
                  _("Antwort der Stadt"), _("Ergebnis"), _("verknüpfte Maßnahmen"), _("Original (importiert)"),
                  _("Beispiel"), group, _("Datum"), _("importiert am")],
          [[li.idea.reference, li.idea.title, li.idea.text, li.theme, li.reviewed, ", ".join(li.quarters), li.supports,
            li.idea.answer, li.outcome, li.measure, li.original, yes if li.idea.illustrative else "", li.group,
            own_date(li.idea), imported_on(li.idea)]
           for li in report.lines])
    # the planner's group work (fix24b): each group as left, then every decision on the groups
    def said(d) -> str:  # a decision on a group: what, who, when
        return f"{d.text} – {d.by_name}, " + formats.date_format(timezone.localtime(d.at), "SHORT_DATETIME_FORMAT")

    # each group's decisions with it (decision 0081); those of groups no longer there below
    sheet(_("Gruppen"), [group, ideas, _("kennzeichnende Wörter"), _("Entscheidung der Planung"), _("Name von isek"),
                         _("Entscheidungen der Planung über die Gruppe")],
          [[g.name, g.ideas, ", ".join(g.words), group_decision(g), g.proposed, "\n".join(said(d) for d in g.decisions)]
           for g in report.groups]
          + ([[]] if report.other_decisions else [])
          + [[_("Entscheidung der Planung"), "", d.text, f"{d.by_name}, "
              + formats.date_format(timezone.localtime(d.at), "SHORT_DATETIME_FORMAT")] for d in report.other_decisions])
    source = _("%(name)s – Lizenz: %(licence)s")
    sheet(_("Methode"), [_("Angabe"), _("Wert")], [
        [_("Konzept"), report.concept.name], [_("Beteiligungsphase"), report.phase.title],
        # Berlin, as the PDF, in the file's language (walk 24: an English file had German dates)
        [_("Stand"), report.created_at],  # a date cell (fix24i), in local time
        [_("ausgewertete Beiträge"), report.total.ideas],
        [_("davon als Duplikat eines früheren Beitrags markiert (nur unter diesem gezählt)"), report.duplicates],
        [_("Unterstützungen"), report.total.supports],
        [_("davon bestätigt per E-Mail"), report.support_kinds.get("email", 0)],
        [_("davon bestätigt mit Konto"), report.support_kinds.get("account", 0)],
        [_("davon nicht bestätigt (eine Person kann mehrfach zählen)"), report.support_kinds.get("none", 0)],
        [_("Thema bestätigt"), report.confirmed],
        [_("Thema korrigiert"), report.corrected],
        [_("Thema gewählt ohne Vorschlag (isek zeigte keinen)"), report.unsuggested],
        [_("kein Thema passt"), report.no_fit],
        [_("Thema noch offen"), report.open],
        [_("nicht ausgewertet: abgelehnt"), report.rejected], [_("nicht ausgewertet: zusammengeführt"), report.merged],
        [_("mit verknüpfter Maßnahme"), report.measures_linked],
        *([[_("seit der letzten Gruppierung hinzugekommen (in keiner Gruppe)"), report.ungrouped]]
          if report.ungrouped else []),
        [_("Methode"), method],
        *[[_("Quelle"), source % {"name": s.name, "licence": s.licence} + (f" – {s.credit}" if s.credit else "")]
          for s in report.sources],
        *([[_("Hinweis"), _("Beispieldaten (illustrativ)")]] if report.phase.illustrative else []),
    ])
    wb.close()
    return buf.getvalue()
