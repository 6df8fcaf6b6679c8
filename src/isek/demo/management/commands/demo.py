import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from isek.concepts import services as concepts
from isek.demo import loader
from isek.deploy.serving import serve
from isek.geodata import services as geodata


class Command(BaseCommand):
    help = "Create the embedded database, load the Bochum demo, print the planner login and serve on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="only load the demo")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, no_serve=False, port=8000, workers=2, **opts):
        if not 1 <= port <= 65535:
            raise CommandError(f"Ungültiger Port {port}.")
        self.stdout.write("Datenbank wird eingerichtet …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Bochum-Demo wird geladen …")
        concept = loader.load()
        lauf = loader.load_lauf()
        self.stdout.write("Zweite Stadt (Hoyerswerda) wird angelegt, Grundkarte und Analyse aus dem OSM-Extrakt …")
        hoyerswerda = loader.load_hoyerswerda()
        self.stdout.write("Beispiel-Auswertung einer Beteiligung (Raddialog Köln-Ehrenfeld) wird importiert …")
        koeln = loader.load_koeln_evaluation()
        logins = loader.ensure_users(concept, os.environ.get("ISEK_DEMO_PASSWORD") or None,
                                     also=[c for c in (lauf, hoyerswerda, koeln) if c is not None])
        logins |= loader.ensure_authority(os.environ.get("ISEK_DEMO_PASSWORD") or None)
        logins |= loader.ensure_sab(os.environ.get("ISEK_DEMO_PASSWORD") or None)
        self.stdout.write("Beispiel Förderverfahren (illustrativ): Anträge 2027 werden eingereicht, geprüft und "
                          "bewilligt (mit den Antragsdokumenten als PDF, etwa 20 Sekunden) …")
        applications = loader.load_procedure(concept, hoyerswerda)
        self.stdout.write(self.style.SUCCESS(
            f"Geladen: {concept.name}: {concept.measures.count()} Maßnahmen, {concept.quarters.count()} Teilräume, "
            f"Fördergebiet {concept.area_km2:.2f} km² (angenähert)."))
        layers = geodata.layers_of(concept.city)
        missing = [st.layer for st in layers if not st.available]
        if missing:
            self.stdout.write(self.style.WARNING(
                "Kontextebenen fehlen: " + ", ".join(layer.label_de for layer in missing)
                + ". Laden mit: isek data fetch"))
        else:
            self.stdout.write(f"Kontextebenen: alle {len(layers)} vorhanden.")
        if lauf is None:
            self.stdout.write(self.style.WARNING("Lauf-Extrakt fehlt: Beispiel zur Bestandsanalyse übersprungen (isek data fetch)."))
        else:
            self.stdout.write(f"Beispiel Bestandsanalyse: http://127.0.0.1:{port}/concepts/{lauf.slug}/analysis/")
        if hoyerswerda is None:
            self.stdout.write(self.style.WARNING("Hoyerswerda-Extrakt fehlt: zweite Stadt übersprungen (isek data fetch)."))
        else:
            self.stdout.write(f"Zweite Stadt mit eigener Grundkarte: http://127.0.0.1:{port}/concepts/{hoyerswerda.slug}/ "
                              f"· was fehlt noch: http://127.0.0.1:{port}/concepts/{hoyerswerda.slug}/readiness/")
        if koeln is None:
            self.stdout.write(self.style.WARNING("Raddialog-Dateien fehlen: Beispiel-Auswertung übersprungen (isek data fetch)."))
        else:
            phase = koeln.phases.first()
            self.stdout.write(f"Beispiel-Auswertung (Raddialog Ehrenfeld 2017, CC BY 4.0, je Beitrag verlinkt): "
                              f"http://127.0.0.1:{port}/concepts/{koeln.slug}/participation/phases/{phase.pk}/report/")
        url = f"http://127.0.0.1:{port}/concepts/{concept.slug}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo: {url}"))
        self.stdout.write(f"Übersicht und Berichte (nach Anmeldung): {url}dashboard/ · {url}reports/")
        self.stdout.write(f"Anmeldung Planung:  Benutzer {loader.PLANNER}  Passwort {logins[loader.PLANNER]}")
        self.stdout.write(f"Anmeldung Prüfung:  Benutzer {loader.REVIEWER}  Passwort {logins[loader.REVIEWER]}")
        self.stdout.write(f"Anmeldung Verwaltung (Administrator der Installation): Benutzer {loader.ADMIN}  Passwort "
                          f"{logins[loader.ADMIN]} (alle Städte und Konzepte, Städte anlegen, Anmeldung über Anbieter "
                          f"der Städte unter /admin/; lädt unter http://127.0.0.1:{port}/accounts/invite/ ein)")
        self.stdout.write(f"Anmeldung Bewilligungsbehörde: Benutzer {loader.AUTHORITY}  Passwort "
                          f"{logins[loader.AUTHORITY]} (Bezirksregierung Arnsberg, Demo-Zugang: sieht von "
                          f"Bochums Konzept das Öffentliche und die eingereichten Anträge)")
        self.stdout.write(f"Anmeldung SAB:      Benutzer {loader.SAB_USER}  Passwort {logins[loader.SAB_USER]} "
                          f"(Sächsische Aufbaubank für Hoyerswerda, Demo-Zugang)")
        site = f"http://127.0.0.1:{port}"
        self.stdout.write("Förderverfahren (illustratives Beispiel): Bochums Antrag 2027 mit beantworteter "
                          "Nachforderung, bewilligt mit einer gekürzten Maßnahme, ein Mittelabruf freigegeben:")
        for app in applications:
            authority = concepts.authority_of(app.concept.city)
            self.stdout.write(f"  {app.concept.city.name}, Antrag {app.year} ({app.get_state_display()}): "
                              f"{site}/concepts/{app.concept.slug}/applications/{app.pk}/ · Portfolio "
                              f"{authority.name}: {site}/authorities/{authority.pk}/portfolio/")
        self.stdout.write(f"  KuF mit „bewilligt“ und „Bewilligt statt beantragt“: {url}kuf/")
        if applications:
            self.stdout.write(f"  Verwendungsnachweis: {url}applications/{applications[0].pk}/proof/")
        if settings.DEMO_MODE:
            self.stdout.write(f"E-Mails (Einladungen) landen als Dateien in {settings.EMAIL_FILE_PATH}")
        else:
            self.stdout.write("Anmeldung mit Planungs-, Moderations- oder Verwaltungsrolle verlangt einen zweiten "
                              "Faktor: beim ersten Anmelden einrichten.")
        if no_serve:
            return
        connections.close_all()
        # The background worker for analysis runs (django-tasks database queue).
        worker = subprocess.Popen([sys.executable, "-m", "isek", "db_worker", "--interval", "1", "--no-startup-delay"])
        self.stdout.write(f"Hintergrund-Worker läuft (PID {worker.pid}).")
        self.stdout.write(f"Server läuft auf http://127.0.0.1:{port}/ (Strg+C beendet).")
        try:
            serve("127.0.0.1", port, workers)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
