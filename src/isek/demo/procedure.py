"""The funding procedure of the demo (issue #23 point 7), all illustrative and labelled so: Bochum's
application for the programme year 2027 goes from the demo planner to the Bezirksregierung
Arnsberg's demo reviewer – a change request (Nachforderung) on one measure, answered with a second
version – and back as an approval (Zuwendungsbescheid) with one measure cut, which the KuF shows
as "bewilligt"; Hoyerswerda's application for 2027 lies with the SAB, in review.

Every step goes through the procedure's and finance's services as the acting user, so the change
history says who did what. No figure is typed twice: the applications carry the frozen KuF, the
approval takes the requested amounts and changes only the cut one. Against the approval, the
planner records a paid expense of the cut measure and requests the grant's share of it (Mittelabruf,
issue #23 point 5), which the Bezirksregierung releases: the proof of use then shows approved,
requested and released."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from isek.concepts import services as concepts
from isek.finance import services as finance
from isek.monitoring import services as monitoring
from isek.procedure import services as procedure

from .loader import SAB_USER

LABEL = "Illustratives Beispiel der Demo"
YEAR = 2027
# Bochum: the measure the Bezirksregierung asks about, and the one its approval cuts
REQUESTED = "3.1"  # Innenstadtring: the change request, answered by the second version
CUT = "3.1"  # the approval grants its first construction stage only
BOCHUM_NOTE = (f"{LABEL}: Programmanmeldung {YEAR}, Datum des Ratsbeschlusses illustrativ. Für das Beispiel "
               f"ist die Laufzeit des Konzepts bis {YEAR} verlängert (illustrativ).")
BOCHUM_NOTE_2 = (f"{LABEL}: zweite Fassung der Programmanmeldung {YEAR}, beantwortet die Nachforderung zu "
                 f"Maßnahme {REQUESTED} (nicht förderfähige Leitungsarbeiten herausgerechnet, illustrativ).")
REQUEST_TEXT = (f"Beispiel (illustrativ): Bitte rechnen Sie bei Maßnahme {REQUESTED} die Leitungs- und Kanalarbeiten der "
                f"Versorger aus den förderfähigen Kosten {YEAR} heraus und reichen Sie die Programmanmeldung neu ein.")
# the planner's answer: the eligible cost of 3.1 in 2027, without the utilities' works (illustrative)
ELIGIBLE_2027 = D("7000000.00")
FILE_NUMBER = "Beispiel 35.02-BO-2027/01 (illustrativ)"
CUT_SHARE = D("0.5")  # the first of two construction stages
CUT_REASON = ("Beispiel (illustrativ): bewilligt ist der 1. Bauabschnitt; den 2. Bauabschnitt bitte im Programmjahr "
              f"{YEAR + 1} neu anmelden.")

# Hoyerswerda's funding authority: in Saxony the Sächsische Aufbaubank for the whole Land
SAB = {
    "name": "Sächsische Aufbaubank – Förderbank – (SAB)", "land": "14", "prefixes": ["14"],
    "source": "Bezirk: der Freistaat Sachsen, AGS-Präfix 14 (Destatis, Gemeindeverzeichnis); Bewilligungsstelle "
              "der Städtebauförderung in Sachsen. Demo: die Zugänge der Behörde sind erfunden (illustrativ).",
}
# the payment request: a paid expense of the cut measure in the programme year (illustrative)
PAID = D("1200000.00")
# The expense of 2027 is recorded with the reference date 31.12.2027 (decision 0065: no paid expense of a
# later year), while the request is submitted and released on the day the demo is built: both notes say so.
REFERENCE_DATE = datetime.date(YEAR, 12, 31)
STICHTAG = f"Beispiel mit Stichtag {REFERENCE_DATE:%d.%m.%Y}, illustrativ"
PAID_NOTE = f"{LABEL}: Abschlagsrechnung 1. Bauabschnitt, bezahlt ({STICHTAG})"
PAID_RECEIPT = f"Beispielbeleg {YEAR}/001 (illustrativ)"  # the Belegliste's number, labelled (decision 0082)
PAYMENT_NOTE = (f"{LABEL}: erster Mittelabruf {YEAR} ({STICHTAG}): die bezahlte Ausgabe von {YEAR} ist zum Stichtag "
                "erfasst; Einreichung und Freigabe tragen das Datum, an dem die Demo aufgebaut wurde. Im echten "
                f"Verfahren ist ein Mittelabruf für Ausgaben von {YEAR} erst ab {YEAR} möglich.")

HOYERSWERDA_RATE = D("66.67")
HOYERSWERDA_RATE_BASIS = ("Illustrativ: je rund ein Drittel Bund, Land und Stadt; Sachsens Fördersatz (FRL StBauE "
                          "Nr. 5.2) ist in isek nicht amtlich belegt.")
# number, cost group, cost, eligible cost in 2027 (illustrative)
HOYERSWERDA_COSTS = [("4.1", "3", D("600000.00"), D("600000.00")), ("7.1", "3", D("300000.00"), D("300000.00"))]
HOYERSWERDA_NOTE = f"{LABEL}: Programmanmeldung {YEAR} der Altstadt Hoyerswerda, Zahlen illustrativ."


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _council_decision() -> datetime.date:
    """An illustrative date of the council decision: three weeks ago (never in the future)."""
    return timezone.localdate() - datetime.timedelta(days=21)


def ensure_sab(demo, password_for) -> dict[str, str]:
    """The SAB with its district (all of Saxony) and a demo reviewer (created or reset); return
    {username: password}. ``password_for()`` gives the password."""
    authority = concepts.FundingAuthority.objects.filter(name=SAB["name"]).first() or concepts.FundingAuthority()
    for field in ("name", "land", "source"):
        setattr(authority, field, SAB[field])
    concepts.save_authority(demo, authority, SAB["prefixes"])
    pw = password_for()
    user, _ = get_user_model().objects.get_or_create(username=SAB_USER)
    user.set_password(pw)
    user.save()
    concepts.grant_authority_role(demo, authority, user)
    return {SAB_USER: pw}


def _measure(concept, number: str):
    return concept.measures.get(number=number)


def _bochum(concept, planner, reviewer):
    """Bochum's application 2027: submitted, a change request on 3.1, a second version that answers
    it, in review, approved with 3.1 cut to its first construction stage."""
    if concept.end_year < YEAR:  # the programme year must lie in the concept's term
        concept.end_year = YEAR
        concepts.save_concept(planner, concept)
    first = procedure.save_draft(planner, concept, year=YEAR, council_decision=_council_decision(),
                                 freeze_as=f"Programmanmeldung {YEAR} (illustrativ)", note=BOCHUM_NOTE)
    procedure.finish_submission(procedure.submit(planner, concept, first))  # its documents job, here
    procedure.start_review(reviewer, concept, first)
    asked = _measure(concept, REQUESTED)
    procedure.add_remark(reviewer, concept, first, kind="request", about=f"measure:{asked.pk}", text=REQUEST_TEXT)
    # the planner's answer: the eligible cost changed in the KuF, frozen and submitted again
    item = asked.cost_items.get(year=YEAR)
    item.eligible, item.note = ELIGIBLE_2027, "illustrativ: ohne Leitungsarbeiten der Versorger (Nachforderung)"
    finance.save_costs(planner, concept, asked, cost_items=[item])
    second = procedure.save_draft(planner, concept, year=YEAR, council_decision=first.council_decision,
                                  freeze_as=f"Programmanmeldung {YEAR}, 2. Fassung (illustrativ)", note=BOCHUM_NOTE_2)
    procedure.finish_submission(procedure.submit(planner, concept, second))  # its documents job, here
    procedure.start_review(reviewer, concept, second)
    cut = str(_measure(concept, CUT).pk)
    lines = procedure.approval_lines(concept, second)
    cuts = [line for line in lines if line["measure"] == cut and line["year"] == YEAR]
    # the approval covers the programme year and the years after (decision 0058): a sourced fact of
    # an earlier year (2020's real approval of the Quartiersmanagement) stays as it is; a line of the
    # approval with a sourced fact keeps it in its reason beside the example's file number
    sourced = {(str(f.measure_id), f.year, f.source): f.reason for f in finance.Financing.objects.filter(
        measure__concept=concept, source__in=procedure.GRANT, illustrative=False).exclude(reason="")}
    reasons = {line["key"]: sourced[key][:250] for line in lines
               if (key := (line["measure"], line["year"], line["source"])) in sourced}
    procedure.approve(reviewer, concept, second, decided_on=timezone.localdate(), file_number=FILE_NUMBER,
                      amounts={line["key"]: (line["requested"] * CUT_SHARE).quantize(D("0.01")) for line in cuts},
                      reasons=reasons | {line["key"]: CUT_REASON for line in cuts})
    _payment_request(concept, second, planner, reviewer)
    return second


def _payment_request(concept, application, planner, reviewer):
    """A paid expense of the cut measure recorded, its grant share requested and released."""
    paid = monitoring.save_payment(planner, concept, monitoring.Payment(
        measure=_measure(concept, CUT), year=YEAR, amount=PAID, note=PAID_NOTE, illustrative=True,
        paid_on=REFERENCE_DATE, receipt=PAID_RECEIPT),
        today=REFERENCE_DATE)  # the illustrative procedure runs in its programme year, at its reference date
    request = procedure.draft_request(planner, concept, application, payments=[paid.pk], note=PAYMENT_NOTE)
    procedure.submit_request(planner, concept, request)
    return procedure.release(reviewer, concept, request)


def _hoyerswerda(concept, planner, reviewer):
    """Hoyerswerda's application 2027, small: two measures' costs, submitted, in review at the SAB."""
    if not finance.FundingRate.objects.filter(concept=concept).exists():
        finance.save_rates(planner, concept, rates=[
            finance.FundingRate(year=y, rate=HOYERSWERDA_RATE, illustrative=True, basis=HOYERSWERDA_RATE_BASIS)
            for y in range(concept.start_year, concept.end_year + 1)])
    groups = {g.number: g for g in finance.CostGroup.of(concept)}
    for number, group, cost, eligible in HOYERSWERDA_COSTS:
        measure = _measure(concept, number)
        finance.save_costs(planner, concept, measure, cost_items=[finance.CostItem(
            year=YEAR, cost_group=groups[group], amount=cost, eligible=eligible, illustrative=True, note="illustrativ")])
    app = procedure.save_draft(planner, concept, year=YEAR, council_decision=_council_decision(),
                               freeze_as=f"Programmanmeldung {YEAR} (illustrativ)", note=HOYERSWERDA_NOTE)
    procedure.finish_submission(procedure.submit(planner, concept, app))  # its documents job, here
    return procedure.start_review(reviewer, concept, app)


def load(bochum, hoyerswerda=None, *, planner: str, reviewer: str) -> list:
    """The procedure steps on the loaded demo concepts, as the demo's planner (``planner``), the
    Bezirksregierung's reviewer (``reviewer``) and the SAB's (``SAB_USER``): each city's part in
    one transaction. Needs the users (``loader.ensure_users``, ``ensure_authority``, ``ensure_sab``).
    Returns the applications to look at: Bochum's approved one, Hoyerswerda's in review."""
    planner = _user(planner)
    with transaction.atomic():
        shown = [_bochum(bochum, planner, _user(reviewer))]
    if hoyerswerda is not None:
        with transaction.atomic():
            shown.append(_hoyerswerda(hoyerswerda, planner, _user(SAB_USER)))
    return shown
