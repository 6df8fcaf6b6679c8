"""The evaluation report as files (services.report builds its content): the PDF (WeasyPrint, with a
map drawn by matplotlib in the official CRS of the Land, no tile server) and the XLSX (one sheet of
figures per theme and quarter, one of every contribution, one of method and attribution). German:
the caller renders in German. User text is written as text, never as a formula."""

from __future__ import annotations

import base64
import io

from django.utils import timezone

from isek.core import geo, pdf

MARKERS = 5


def map_png(report) -> str:
    """The concept's area and quarters with the contributions' points coloured by theme, as a
    data: URI (empty when no contribution has a place)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    placed = [li for li in report.lines if li.idea.geometry is not None]
    if not placed:
        return ""
    concept = report.concept
    src, dst = f"EPSG:{geo.STORAGE_SRID}", f"EPSG:{concept.working_srid}"
    colour = {t.name: t.colour for t in report.themes}
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
        ax.scatter([p.x for p in points], [p.y for p in points], s=MARKERS * 3,
                   c=[colour.get(li.theme, "#333333") for li in placed], edgecolors="white", linewidths=0.3, zorder=3)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        handles = [Patch(facecolor=t.colour, label=f"{t.name} ({t.figures.placed})") for t in report.themes
                   if t.figures.placed]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=6.5,
                  frameon=False)
        ax.set_title(f"EPSG:{concept.working_srid}", fontsize=6, loc="right", color="#555555")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def write_pdf(report, method: str, path) -> int:
    """The report as PDF at ``path``; returns its pages."""
    return pdf.write("participation/report_pdf.html", {"r": report, "method": method, "map": map_png(report)}, path)


def xlsx_bytes(report, method: str) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})

    def sheet(name: str, header: list[str], rows) -> None:
        ws = wb.add_worksheet(name)
        for c, h in enumerate(header):
            ws.write_string(0, c, h, bold)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                elif v not in (None, ""):
                    ws.write_string(r, c, str(v))
        ws.freeze_panes(1, 0)

    sheet("Themen", ["Thema", "Beiträge", "mit Ort", "Unterstützungen", "beantwortet", "bestätigt", "korrigiert",
                     "offen", "offen: Vorschlag isek", "Zitate"],
          [[t.name, t.figures.ideas, t.figures.placed, t.figures.supports, t.figures.answered, t.confirmed,
            t.corrected, t.open, t.suggested, " | ".join(f"„{q.sentence}“ ({q.idea.reference})" for q in t.quotes)]
           for t in report.themes])
    sheet("Teilräume", ["Teilraum", "Beiträge", "Unterstützungen", "beantwortet",
                        *[t.name for t in report.themes], "Zitate"],
          [[q.name, q.figures.ideas, q.figures.supports, q.figures.answered,
            *q.counts,
            " | ".join(f"„{x.sentence}“ ({x.idea.reference})" for x in q.quotes)] for q in report.quarters])
    sheet("Beiträge", ["Nr.", "Titel", "Text", "Thema", "Thema geprüft", "Teilraum", "Unterstützungen",
                       "Antwort der Stadt", "Ergebnis", "verknüpfte Maßnahmen", "Original (importiert)", "Beispiel"],
          [[li.idea.reference, li.idea.title, li.idea.text, li.theme, li.reviewed, ", ".join(li.quarters), li.supports,
            li.idea.answer, li.outcome, li.measure, li.original, "ja" if li.idea.illustrative else ""]
           for li in report.lines])
    sheet("Methode", ["Angabe", "Wert"], [
        ["Konzept", report.concept.name], ["Beteiligungsphase", report.phase.title],
        ["Stand", timezone.localtime(report.created_at).strftime("%d.%m.%Y %H:%M")],  # Berlin, as the PDF
        ["ausgewertete Beiträge", report.total.ideas], ["Thema bestätigt", report.confirmed],
        ["Thema korrigiert", report.corrected], ["Thema noch offen", report.open],
        ["nicht ausgewertet: abgelehnt", report.rejected], ["nicht ausgewertet: zusammengeführt", report.merged],
        ["mit verknüpfter Maßnahme", report.measures_linked], ["Methode", method],
        *[["Quelle", f"{s.name} – Lizenz: {s.licence}" + (f" – {s.credit}" if s.credit else "")] for s in report.sources],
        *([["Hinweis", "Beispieldaten (illustrativ)"]] if report.phase.illustrative else []),
    ])
    wb.close()
    return buf.getvalue()
