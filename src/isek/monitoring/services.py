"""Monitoring's application layer: indicators and their values, payments, report texts, year
notes, the federal monitoring mapping and report jobs — for the pages, the `isek report` command,
the demo loader and the coming API.

Writes take the acting user, ask the access policy, run in one transaction and are recorded
(``core.audit.change``); rules across rows raise ``ValidationError`` with a code, file input
``values.ValuesError`` (a ``core.problems.InputError``).
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from isek import access
from isek.analysis import services as analysis
from isek.core import jobs as background
from isek.core.audit import change
from isek.core.rules import invalid

from . import jobs, values
from .figures import fmt_number
from .models import (
    NOTE_MAX,
    PAYEE_MAX,
    RECEIPT_MAX,
    Indicator,
    MonitoringMapping,
    Payment,
    Report,
    ReportText,
    YearNote,
    report_year_error,
)

# the council decision's date as the readiness check counts it (the procedure app answers the signal, 0075)
from .readiness import council_decision_given, council_decision_of  # noqa: F401 - re-exported

ValuesError = values.ValuesError


# --- indicators and values ---------------------------------------------------------------------


def save_indicator(user, concept, indicator: Indicator, *, goals=None, via: str = "web") -> Indicator:
    """Create or update a catalogue indicator; its code is unique within the concept; its baseline
    is a measured value, so its year is not after the running one (as an entered value's)."""
    access.require(user, "indicator", "edit", concept)
    if Indicator.objects.filter(concept=concept, code=indicator.code).exclude(pk=indicator.pk).exists():
        raise invalid(_("Diese Kennung ist im Konzept schon vergeben."), "duplicate_code", "code")
    if indicator.baseline_year and (future := values.future_year_error(indicator.baseline_year)):
        raise invalid(future, "future_year", "baseline_year")
    if goals is not None and any(g.concept_id != concept.pk for g in goals):
        raise invalid(_("Die Ziele müssen zu diesem Konzept gehören."), "foreign_goal", "goals")
    indicator.concept = concept
    with change(user, via):
        indicator.save()
        if goals is not None:
            indicator.goals.set(goals)
    return indicator


def delete_indicator(user, concept, indicator: Indicator, *, via: str = "web") -> None:
    """Delete an indicator with its entered values; values of analysis runs stay with their run."""
    access.require(user, "indicator", "edit", concept)
    with change(user, via):
        analysis.delete_entered_values(user, concept, indicator.code)
        indicator.delete()


def value_rows(concept, indicator: Indicator):
    """All values of an indicator, newest first: entered ones and those of the analysis runs that
    count (the current analysis and the runs of earlier data dates)."""
    return (analysis.counted_values(concept, indicator.code).select_related("quarter", "run").order_by("-date", "quarter__name"))


@dataclass(frozen=True)
class Entered:
    """What entering a value did: the entered value of the same year and area it ``replaced`` (None:
    there was none) and ``warnings`` on its plausibility (it is stored all the same)."""
    replaced: float | None
    warnings: list[str]


def add_value(user, concept, indicator: Indicator, quarter, year: int, value: float, source: str,
              *, via: str = "web") -> Entered:
    """Enter one measured value (for the funding area when ``quarter`` is None) of a year up to the
    running one; replaces the entered value of the same year and area, and says so. A percentage
    outside 0–100 is stored with a warning: some % indicators are changes (decision 0036)."""
    access.require(user, "indicator", "edit", concept)
    if quarter is not None and quarter.concept_id != concept.pk:
        raise invalid(_("Der Teilraum gehört nicht zu diesem Konzept."), "foreign_quarter", "area")
    if future := values.future_year_error(year):
        raise invalid(future, "future_year", "year")
    old = (analysis.counted_values(concept, indicator.code).filter(run__isnull=True, quarter=quarter, date__year=year)
           .values_list("value", flat=True).first())
    warnings = [w for w in [_percent_warning(indicator, value)] if w]
    with change(user, via):
        analysis.store_entered_values(user, concept, [values.Entry(indicator.code, quarter, year, value, source)])
    return Entered(old, warnings)


def _percent_warning(indicator: Indicator, value: float | None) -> str:
    """A percentage outside 0–100: stored, with this warning (decision 0036); else ""."""
    if value is None or not values.is_percent(indicator.unit) or 0 <= value <= 100:
        return ""
    return _("Bitte prüfen: %(v)s %% liegt außerhalb von 0 bis 100 %% – für einen Anteil unmöglich, für "
             "eine Veränderung möglich. Der Wert ist gespeichert.") % {"v": fmt_number(value, indicator.digits)}


def indicator_warnings(indicator: Indicator) -> list[str]:
    """The warnings on a saved indicator's baseline and target, as on its values: a percentage
    outside 0–100 (decision 0036)."""
    return [_("%(where)s: %(error)s") % {"where": label, "error": w} for label, value in (
        (_("Ausgangswert"), indicator.baseline_value), (_("Zielwert"), indicator.target_value))
        if (w := _percent_warning(indicator, value))]


def delete_value(user, concept, indicator: Indicator, pk: int, *, via: str = "web") -> bool:
    """Delete an entered value (values of analysis runs belong to their run); False if there is none."""
    access.require(user, "indicator", "edit", concept)
    with change(user, via):
        n = analysis.delete_entered_values(user, concept, indicator.code, pk)
    return n > 0


def import_values(user, concept, data: bytes, default_source: str = "", *, via: str = "web") -> int:
    """Import indicator values from CSV (all or nothing); returns the number of values."""
    access.require(user, "indicator", "edit", concept)
    entries = values.parse_csv(concept, data, default_source)
    with change(user, via):
        return analysis.store_entered_values(user, concept, entries)


def copy_catalogue(user, concept, source, *, via: str = "web") -> int:
    """Copy the indicator catalogue of ``source`` (definitions, units, baselines and targets as
    given there; no values) into ``concept``, linked to the goals of the same number; returns the
    number of indicators copied. Codes ``concept`` has already are left alone."""
    access.require(user, "indicator", "edit", concept)
    access.require(user, "concept", "view", source)
    goals = {g.number: g for g in concept.goals.all()}
    have = set(Indicator.objects.filter(concept=concept).values_list("code", flat=True))
    n = 0
    with change(user, via):
        for ind in source.indicators.prefetch_related("goals"):
            if ind.code in have:
                continue
            numbers = [g.number for g in ind.goals.all()]
            ind.pk, ind.id, ind.concept = None, None, concept
            ind._state.adding = True
            ind.save()
            ind.goals.set([goals[num] for num in numbers if num in goals])
            n += 1
    return n


def copy_catalogue_along(sender, *, user, concept, source, via: str, **_kwargs) -> None:
    """A new concept took the structure of ``source`` (``concepts.services.structure_copied``):
    its indicator catalogue comes along, in the same transaction."""
    copy_catalogue(user, concept, source, via=via)


# --- payments, texts, notes, mapping -----------------------------------------------------------


# Sent inside the transaction of save_payment (a stored payment changed) and delete_payment, before
# the change, with ``payment`` (the stored row) and ``new`` (the changed instance; None when it is
# deleted). A receiver refuses by raising ValidationError: the procedure app refuses a payment a
# payment request cites (decision 0065); monitoring imports nothing of it.
payment_changing = Signal()

# Sent by ``cited_payments`` with ``concept``: a receiver answers {payment id: why it cannot be
# deleted}, the procedure app for the payments a payment request cites (decision 0075), so that the
# payments page offers no "löschen" it would refuse.
payments_cited = Signal()




def cited_payments(concept) -> dict[int, str]:
    """{payment id: why it stays} of ``concept``'s payments that something else cites."""
    found: dict[int, str] = {}
    for _receiver, answer in payments_cited.send(Payment, concept=concept):
        found.update(answer or {})
    return found


FIRST_YEAR = 1971  # the Städtebauförderung began in 1971 (StBauFG); the models' years start there


def payment_year_refusal(year: int | None, today: datetime.date | None = None) -> str:
    """Why a paid expense of ``year`` cannot be recorded ``today`` (default: today): a year after
    the current one has not been paid yet, nor one before the first year of the Städtebauförderung
    ("" where it can)."""
    now = (today or timezone.localdate()).year
    if year is not None and year < FIRST_YEAR:  # said, not the field's bare bound nor a doubt to confirm (0085)
        return _("%(year)s ist kein Jahr einer Auszahlung der Städtebauförderung: erfasst werden Auszahlungen der "
                 "Jahre %(first)s bis %(now)s (dem laufenden Jahr).") % {"year": year, "first": FIRST_YEAR, "now": now}
    if year is not None and year > now:
        return _("Eine bezahlte Ausgabe des Jahres %(year)s lässt sich noch nicht erfassen: erfasst werden Auszahlungen "
                 "bis zum laufenden Jahr %(now)s. Geplante Kosten späterer Jahre gehören in die KuF.") % {
            "year": year, "now": now}
    return ""


def payment_amount_refusal(amount) -> str:
    """Why ``amount`` (Decimal, €) cannot be a paid expense: nothing paid is no payment, and a
    correction is a change of the payment, not a negative one ("" where it can; decision 0095)."""
    try:
        value = None if amount is None else decimal.Decimal(str(amount))
    except decimal.InvalidOperation:
        return ""  # not a number: the model's field says so
    if value is not None and value <= 0:
        return _("Der Betrag einer bezahlten Ausgabe muss größer als 0,00 € sein. Eine Korrektur ändert die "
                 "Auszahlung selbst.")
    return ""


def _same_amount(amount, kept) -> bool:
    """Is ``amount`` (as given: Decimal, int or text) the recorded ``kept`` (None: none recorded)? As
    numbers, not as text: "0" is 0.00 € (decision 0104)."""
    if amount is None or kept is None:
        return amount is None and kept is None
    try:
        return decimal.Decimal(str(amount)) == decimal.Decimal(str(kept))
    except decimal.InvalidOperation:
        return False


def paid_on_refusal(paid_on: datetime.date | None, year: int | None, today: datetime.date | None = None) -> str:
    """Why ``paid_on`` cannot be the date a paid expense of ``year`` was paid ("" where it can, and
    without a date): a day after ``today`` (default today) has not been paid on yet, and the day
    lies in the payment's year – the Belegliste lists it under that year (decision 0082)."""
    if paid_on is None:
        return ""
    today = today or timezone.localdate()
    shown = formats.date_format(paid_on, "SHORT_DATE_FORMAT")
    if paid_on > today:
        return _("Das Datum der Zahlung (%(date)s) liegt in der Zukunft; erfasst werden bezahlte Ausgaben.") % {
            "date": shown}
    if year is not None and paid_on.year != year:
        return _("Das Datum der Zahlung (%(date)s) liegt nicht im Jahr der Auszahlung (%(year)s). Bitte korrigieren "
                 "Sie das Jahr oder das Datum.") % {"date": shown, "year": year}
    return ""


def _receipt_errors(payment: Payment, today: datetime.date | None) -> dict[str, str]:
    """The Belegliste's fields of ``payment`` trimmed; what is wrong with them, by field."""
    errors = {}
    payment.payee, payment.receipt = (payment.payee or "").strip(), (payment.receipt or "").strip()
    payment.note = (payment.note or "").strip()
    for field, limit in (("payee", PAYEE_MAX), ("receipt", RECEIPT_MAX), ("note", NOTE_MAX)):
        if len(getattr(payment, field)) > limit:
            errors[field] = _("Höchstens %(max)s Zeichen (hier %(n)s).") % {"max": limit, "n": len(getattr(payment, field))}
    if refusal := paid_on_refusal(payment.paid_on, payment.year, today):
        errors["paid_on"] = refusal
    return errors


def save_payment(user, concept, payment: Payment, *, via: str = "web", today: datetime.date | None = None) -> Payment:
    """Record (or change) a paid expense. Refused: a measure of another concept, a year after the
    current one (``today``: the day it is recorded on, default today – the demo's illustrative
    procedure records as of its programme year), a date of payment outside the payment's year or
    after ``today``, an Empfänger or Belegnummer too long (both trimmed), and a change of amount,
    measure or year of a payment a payment request cites (``payment_changing``)."""
    access.require(user, "payment", "edit", concept)
    if payment.measure.concept_id != concept.pk:
        raise invalid(_("Die Maßnahme gehört nicht zu diesem Konzept."), "foreign_measure", "measure")
    kept_year = Payment.objects.filter(pk=payment.pk).values_list("year", flat=True).first() if payment.pk else None
    # a new payment or a changed year; a recorded one keeps its year (the demo's and the tests' are recorded
    # as of a later day) and gets its receipt details filled in
    if payment.year != kept_year and (refusal := payment_year_refusal(payment.year, today)):
        raise invalid(refusal, "future_year", "year")
    kept_amount = Payment.objects.filter(pk=payment.pk).values_list("amount", flat=True).first() if payment.pk else None
    if not _same_amount(payment.amount, kept_amount) and (refusal := payment_amount_refusal(payment.amount)):
        raise invalid(refusal, "amount", "amount")
    if errors := _receipt_errors(payment, today):
        raise ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})
    with change(user, via):
        stored = Payment.objects.filter(pk=payment.pk).first() if payment.pk else None
        if stored is not None:
            payment_changing.send(Payment, payment=stored, new=payment)
        payment.save()
    return payment


def payment_of(user, concept, pk) -> Payment | None:
    """The concept's payment ``pk`` (None where there is none), for whoever may see payments."""
    access.require(user, "payment", "view", concept)
    if not str(pk).isdigit():
        return None
    return Payment.objects.filter(measure__concept=concept, pk=int(pk)).select_related("measure").first()


def delete_payment(user, concept, pk: int, *, via: str = "web") -> bool:
    """Delete a payment of ``concept``; False where there is none. Refused (``payment_changing``)
    where a payment request cites it."""
    access.require(user, "payment", "edit", concept)
    with change(user, via):
        stored = Payment.objects.filter(measure__concept=concept, pk=pk).first()
        if stored is None:
            return False
        payment_changing.send(Payment, payment=stored, new=None)
        stored.delete()
    return True


def save_report_texts(user, concept, texts, *, via: str = "web") -> None:
    """Save report texts (``ReportText`` instances of ``concept``); new empty ones are not stored."""
    access.require(user, "report_text", "edit", concept)
    with change(user, via):
        for t in texts:
            t.concept = concept
            if t.pk or t.text.strip():
                t.save()


def save_year_notes(user, concept, year: int, overview: str, source: str = "", per_measure: dict | None = None,
                    *, via: str = "web") -> None:
    """The explanations of one year's Sachbericht: an overview (with its sources) and a text per
    measure (measure pk → text); an empty text removes the note."""
    access.require(user, "report_text", "edit", concept)
    measures = set(concept.measures.values_list("pk", flat=True))
    per_measure = per_measure or {}
    if set(per_measure) - measures:
        raise invalid(_("Die Maßnahmen gehören nicht zu diesem Konzept."), "foreign_measure")
    existing = {n.measure_id: n for n in YearNote.objects.filter(concept=concept, year=year)}
    wanted = {None: (overview, source)} | {pk: (text, "") for pk, text in per_measure.items()}
    with change(user, via):
        for measure_id, (text, src) in wanted.items():
            text, src = text.strip(), src.strip()
            note = existing.get(measure_id)
            if not text:
                if note is not None:
                    note.delete()
                continue
            if note is None:
                note = YearNote(concept=concept, year=year, measure_id=measure_id)
            if note.pk is None or (note.text, note.source) != (text, src):
                note.text, note.source = text, src
                note.save()


def save_mapping(user, concept, columns: str, delimiter: str, decimal_comma: bool, *, via: str = "web") -> None:
    """The column mapping of the federal monitoring CSV."""
    access.require(user, "report", "create", concept)
    with change(user, via):
        MonitoringMapping.objects.update_or_create(concept=concept, defaults={
            "columns": columns, "delimiter": delimiter, "decimal_comma": decimal_comma})


# --- reports -----------------------------------------------------------------------------------


def start_report(user, concept, kind: str, year: int | None = None, version=None) -> Report:
    """Queue a report (ISEK PDF, Sachbericht, monitoring CSV, fact sheets) as a background job."""
    access.require(user, "report", "create", concept)
    if kind not in Report.Kind.values:
        raise invalid(_("Unbekannte Berichtsart „%(k)s“.") % {"k": kind}, "unknown_kind", "kind")
    if kind == Report.Kind.SACHBERICHT and year is not None and (error := report_year_error(concept, year)):
        raise invalid(error, "year_outside", "year")
    return jobs.start(concept, None if user.pk is None else user, kind, year, version)


def measure_fact_sheet(user, concept, measure, path) -> int:
    """One measure's fact sheet (Maßnahmensteckbrief, PDF) at ``path``, for whoever may read the
    concept's reports (it shows the KuF's figures); the page count. All measures at once are the
    report "steckbriefe" (``start_report``)."""
    from . import reports

    access.require(user, "report", "view", concept)
    if measure.concept_id != concept.pk:
        raise invalid(_("Die Maßnahme gehört zu einem anderen Konzept."), "other_concept")
    return reports.fact_sheets_pdf(concept, path, measures=concept.measures.filter(pk=measure.pk))


def write_report_now(user, concept, kind: str, path, progress=None) -> int | None:
    """Report ``kind`` ("isek", "steckbriefe") written at once to ``path`` (not as a report job of
    its own): for the documents of a funding application (isek.procedure, inside its documents
    job; ``progress(pct, label)`` follows the writing); the page count."""
    from . import reports

    access.require(user, "report", "create", concept)
    return reports.build(concept, kind, path, progress=progress or reports._noop)


def report_refusal(exc: Exception) -> str | None:
    """The message of a report's known error (reports.ReportError: what the report lacks), for a
    job of another app that writes reports (the application's documents); None for any other."""
    from . import reports

    return str(exc) if isinstance(exc, reports.ReportError) else None


def district_monitoring_csv(concepts, path) -> int:
    """The federal monitoring data of ``concepts`` in one CSV at ``path`` (reports.district_monitoring_csv):
    for a funding authority's export of its district, whose service asks the access policy; the row count."""
    from . import reports

    return reports.district_monitoring_csv(concepts, path)


def readiness_result(concept, language: str = "de", *, council_decision=None) -> dict:
    """What is still missing for the funding application, as plain data – in German (the words of
    the procedure) to keep with an application, or in ``language`` –: ``items`` (key, label,
    status, missing) and ``done``/``total``/``ready`` of the parts the application counts;
    ``council_decision``: an application's date of the council decision (counts where the concept
    has none)."""
    from . import readiness

    with translation.override(language):
        items = [i for i in readiness.check(concept, council_decision) if i.application]
        return {"items": [{"key": i.key, "label": str(i.label), "status": i.status,
                           "missing": [str(m) for m in i.missing]} for i in items],
                **readiness.summary(items)}


def reports_of(concept, limit: int = 12) -> list[Report]:
    """The concept's newest reports, as its page shows them: one whose worker died is failed first."""
    return background.newest(concept.reports.all(), limit)


def report_state(report: Report) -> Report:
    """The report as its status poll shows it (swept like ``reports_of``)."""
    return background.current(report)


def cancel_report(user, concept, report: Report) -> str:
    """Cancel a queued or running report; the message for the person who asked."""
    access.require(user, "report", "create", concept)
    return background.cancel_job(report)


def retry_report(user, concept, report: Report) -> None:
    """Queue a failed or cancelled report again."""
    access.require(user, "report", "create", concept)
    if report.kind == Report.Kind.SACHBERICHT and report.year is not None and (error := report_year_error(concept, report.year)):
        raise invalid(error, "year_outside", "year")
    background.retry_job(report, lambda: jobs.build_report.enqueue(report.pk))


def delete_report(user, concept, report: Report) -> None:
    access.require(user, "report", "delete", concept)
    if report.concept_id != concept.pk:
        raise Report.DoesNotExist
    if report.file:
        Path(report.file).unlink(missing_ok=True)
    jobs.partial_path(report).unlink(missing_ok=True)
    report.delete()


def report_file(report: Report) -> Path | None:
    """The finished report's file, if it is still there and inside isek's report directory."""
    path = Path(report.file)
    if not path.is_file() or jobs.report_dir() not in path.resolve().parents:
        return None
    return path


# The entity types other apps (the demo, the coming API) may construct and read.
__all__ = [
    "Indicator", "Payment", "Report", "ReportText", "ValuesError", "YearNote", "Entered", "add_value", "copy_catalogue",
    "cited_payments", "council_decision_given", "council_decision_of", "delete_indicator", "delete_payment", "payment_changing", "payments_cited", "payment_of", "payment_year_refusal", "payment_amount_refusal", "paid_on_refusal", "delete_report", "delete_value", "import_values", "report_file",
    "save_indicator", "indicator_warnings", "save_mapping", "save_payment", "save_report_texts", "save_year_notes",
    "start_report", "value_rows",
]
