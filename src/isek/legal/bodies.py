"""Where people turn when a public body does not answer their accessibility feedback, or not
satisfactorily: the enforcement procedure (Durchsetzungsverfahren, Art. 9 of directive (EU)
2016/2102) of the Land – or of the Bund for the installation outside a Land; and the data protection
supervisory authority (Art. 51, 77 DSGVO) of the Land a city's privacy page names for complaints,
the Federal Commissioner for the installation (no Django).

Only bodies isek found on their own pages (or, where noted, on an official page naming them) are
listed, with the source beside each; a Land without a checked enforcement body is missing, and the
statement says visibly that the city has to add it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Body:
    name: str  # the body's own German name
    basis: str  # the legal basis as the body names it
    url: str  # the body's page on the procedure (checked; the source of this entry)


BUND = Body(
    "Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz (BGG) bei dem Beauftragten der Bundesregierung "
    "für die Belange von Menschen mit Behinderungen",
    "§ 16 BGG", "https://www.behindertenbeauftragte.de/DE/SchlichtungsstelleBGG/",
)

# Not listed, for want of a page of the body: 02 Hamburg (the Ombudsstelle of § 4 HmbBITVO "bei der
# für die Informationstechnik zuständigen Behörde" has no page isek found; the Schlichtungsstelle
# nach § 13a HmbBGG also takes cases about public websites, which of the two is the body of Art. 9
# is not clear from the sources), 10 Saarland (the Schlichtungsstelle at the Ministerium für Soziales,
# Gesundheit, Frauen und Familie is named only in other bodies' statements, under § 12e SBGG, while
# the law names § 17 SBGG), 13 Mecklenburg-Vorpommern (the "Anlauf- und Überwachungsstelle Digitale
# Barrierefreiheit" of the Ministerium für Soziales, Integration und Gleichstellung is named only in
# other bodies' statements).
BY_LAND: dict[str, Body] = {
    # https://www.landtag.ltsh.de/beauftragte/beschwerdestelle-fuer-barrieren (and …/rechtliche-grundlagen/)
    "01": Body("Beschwerdestelle für barrierefreie Informationstechnik Schleswig-Holstein (bei der oder dem "
               "Landesbeauftragten für Menschen mit Behinderung)",
               "§§ 12e, 12f Landesbehindertengleichstellungsgesetz (LBGG)",
               "https://www.landtag.ltsh.de/beauftragte/beschwerdestelle-fuer-barrieren"),
    # https://www.behindertenbeauftragte-niedersachsen.de/DE/Schlichtungsstelle/Schlichtungsverfahren/Aufgabe/Aufgabe_node.html
    "03": Body("Schlichtungsstelle nach § 9d Niedersächsisches Behindertengleichstellungsgesetz (NBGG)",
               "§ 9d NBGG",
               "https://www.behindertenbeauftragte-niedersachsen.de/DE/Schlichtungsstelle/Schlichtungsverfahren/"
               "Aufgabe/Aufgabe_node.html"),
    "04": Body("Zentralstelle für barrierefreie Informationstechnik der Freien Hansestadt Bremen",
               "Bremisches Behindertengleichstellungsgesetz",
               "https://www.service.bremen.de/dienstleistungen/beschwerde-gegen-einen-verstoss-gegen-die-"
               "barrierefreiheit-bei-digitalen-angeboten-oeffentlicher-stellen-139830"),
    "05": Body("Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen (bei der Beauftragten "
               "für die Belange der Menschen mit Behinderung)",
               "§§ 10d, 10e BGG NRW, §§ 9 ff. BITVNRW", "https://www.lbbp.nrw.de/ombudsstelle"),
    # https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/Durchsetzungsverfahren-beantragen
    "06": Body("Durchsetzungs- und Überwachungsstelle für barrierefreie IT des Landes Hessen (bei der Beauftragten der "
               "Hessischen Landesregierung für barrierefreie IT)",
               "§ 6 Hessische Verordnung über barrierefreie Informationstechnik (HVBIT)",
               "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/Durchsetzungsverfahren-beantragen"),
    # https://behindertenbeauftragte.rlp.de/landesbeauftragte/aufgaben-1 (also
    # https://inklusion.rlp.de/de/landesbeauftragte-landesteilhabebeirat/durchsetzungsstelle/)
    "07": Body("Durchsetzungsstelle zur digitalen Barrierefreiheit von öffentlichen Stellen in Rheinland-Pfalz (bei der "
               "Landesbeauftragten für die Belange von Menschen mit Behinderungen)",
               "Barrierefreie-Informationstechnik-Verordnung Rheinland-Pfalz (BITV RP)",
               "https://behindertenbeauftragte.rlp.de/landesbeauftragte/aufgaben-1"),
    # https://barrierefreiheit-bw.de/barrierefreiheitdurchsetzen/schlichtungsantrag; the basis:
    # https://haufe.de/oeffentlicher-dienst/tvoed-office-professional/landes-behindertengleichstellungsgesetz-baden-wuerttemberg-10b-schlichtungsstelle_idesk_PI13994_HI15858106.html
    "08": Body("Schlichtungsstelle beim Landeszentrum Barrierefreiheit Baden-Württemberg (LZ-BARR)",
               "§ 10b Landes-Behindertengleichstellungsgesetz (L-BGG)",
               "https://barrierefreiheit-bw.de/barrierefreiheitdurchsetzen/schlichtungsantrag"),
    # the ministry's page that names the body and its basis (isek found no page of the body itself):
    # https://www.finanzministerium.bayern/digitalisierung/barrierefreiheit/; the basis:
    # https://gesetze.legal/bayern/baydiv/11
    "09": Body("Durchsetzungs- und Überwachungsstelle am Landesamt für Digitalisierung, Breitband und Vermessung (Bayern)",
               "§ 11 Bayerische Digitalverordnung (BayDiV)",
               "https://www.finanzministerium.bayern/digitalisierung/barrierefreiheit/"),
    "11": Body("Landesbeauftragte für digitale Barrierefreiheit (Berlin)", "Barrierefreie-IKT-Gesetz Berlin (BIKTG Bln)",
               "https://www.berlin.de/lb/digitale-barrierefreiheit/aufgaben/durchsetzungsverfahren/"),
    # https://msgiv.brandenburg.de/msgiv/de/beauftragte/landesbehindertenbeauftragte/durchsetzungsstelle
    "12": Body("Durchsetzungsstelle für digitale Barrierefreiheit des Landes Brandenburg (bei der Landesbeauftragten für "
               "die Belange der Menschen mit Behinderungen)",
               "Brandenburgisches Behindertengleichstellungsgesetz (BbgBGG)",
               "https://msgiv.brandenburg.de/msgiv/de/beauftragte/landesbehindertenbeauftragte/durchsetzungsstelle"),
    "14": Body("Durchsetzungsstelle für digitale Barrierefreiheit des Freistaates Sachsen (Sächsische Staatskanzlei)",
               "Barrierefreie-Websites-Gesetz (BfWebG)",
               "https://www.durchsetzungsstelle.sachsen.de/beschwerden-an-die-durchsetzungsstelle-3980.html"),
    # https://lf-barrierefreiheit-st.de/ueber-uns/ombudsstelle; the basis (§ 16d BGG LSA):
    # https://ozg.sachsen-anhalt.de/umsetzung-im-land/themenfeld-bildung/barrierefreiheitserklaerungen/barrierefreiheitserklaerung-anmeldung-zum-juristischen-vorbereitungsdienst
    "15": Body("Ombudsstelle des Landes Sachsen-Anhalt für barrierefreie Webseiten und mobile Anwendungen",
               "§ 16d Behindertengleichstellungsgesetz Sachsen-Anhalt (BGG LSA)",
               "https://lf-barrierefreiheit-st.de/ueber-uns/ombudsstelle"),
    # https://tlmb-thueringen.de/themen/barrierefreiheit/landesdurchsetzungsstelle; the basis:
    # https://www.tlmb-thueringen.de/kontakt-und-servicebereich/service/barrierefreiheit/
    "16": Body("Landesdurchsetzungsstelle für digitale Barrierefreiheit (beim Thüringer Landesbeauftragten für Menschen "
               "mit Behinderungen)",
               "§ 5 Thüringer Gesetz über den barrierefreien Zugang zu den Websites und mobilen Anwendungen öffentlicher "
               "Stellen (ThürBarrWebG)",
               "https://tlmb-thueringen.de/themen/barrierefreiheit/landesdurchsetzungsstelle"),
}


def body_for(land_key: str) -> Body | None:
    """The body for a Land's two-digit key, ``BUND`` for "" (the installation, outside a Land), None
    where isek does not know it (to be added by the city)."""
    if not land_key:
        return BUND
    return BY_LAND.get(land_key)


@dataclass(frozen=True)
class Authority:
    name: str  # the authority's own German name
    address: str  # its postal address, lines separated by "\n" ("" where no source gave one)
    url: str  # its website


BFDI = Authority(  # https://www.bfdi.bund.de/EN/Meta/PrivacyPolicy/privacypolicy_node.html
    "Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)",
    "Graurheindorfer Straße 153\n53117 Bonn", "https://www.bfdi.bund.de/")

# For the public bodies of each Land (a city is one): its Landesbeauftragte, for Bayern the Bayerische
# Landesbeauftragte für den Datenschutz (the BayLDA supervises only non-public bodies).
AUTHORITIES: dict[str, Authority] = {
    # https://www.datenschutzzentrum.de/datenschutzerklaerung/
    "01": Authority("Die Landesbeauftragte für Datenschutz Schleswig-Holstein – Unabhängiges Landeszentrum für "
                    "Datenschutz Schleswig-Holstein (ULD)", "Holstenstraße 98\n24103 Kiel",
                    "https://www.datenschutzzentrum.de/"),
    # https://datenschutz-hamburg.de/datenschutzerklaerung
    "02": Authority("Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit (HmbBfDI)",
                    "Ludwig-Erhard-Straße 22, 7. OG\n20459 Hamburg", "https://datenschutz-hamburg.de/"),
    # http://www.lfd.niedersachsen.de/wir_ueber_uns/datenschutzerklaerung/datenschutzerklaerung-56146.html
    "03": Authority("Der Landesbeauftragte für den Datenschutz Niedersachsen", "Prinzenstraße 5\n30159 Hannover",
                    "https://www.lfd.niedersachsen.de/"),
    # https://datenschutz.bremen.de/datenschutzerklaerung-7485
    "04": Authority("Die Landesbeauftragte für Datenschutz und Informationsfreiheit der Freien Hansestadt Bremen",
                    "Arndtstraße 1\n27570 Bremerhaven", "https://www.datenschutz.bremen.de/"),
    # https://www.ldi.nrw.de/datenschutzerklaerung (postal address; the office: Kavalleriestraße 2-4, Düsseldorf)
    "05": Authority("Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen (LDI NRW)",
                    "Postfach 20 04 44\n40102 Düsseldorf", "https://www.ldi.nrw.de/"),
    # https://datenschutz.hessen.de./datenschutz (no address in the part isek found)
    "06": Authority("Der Hessische Beauftragte für Datenschutz und Informationsfreiheit (HBDI)", "",
                    "https://datenschutz.hessen.de/"),
    # https://www.datenschutz.rlp.de/themen/aufgaben; the address from the authority's letterhead in
    # https://fragdenstaat.de/dokumente/240082-wspr-bescheid-lfdi_geschwaerzt/
    "07": Authority("Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz (LfDI)",
                    "Hintere Bleiche 34\n55116 Mainz", "https://www.datenschutz.rlp.de/"),
    # https://www.baden-wuerttemberg.datenschutz.de/eine-beschwerde-einreichen/ (no address found)
    "08": Authority("Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Baden-Württemberg (LfDI)", "",
                    "https://www.baden-wuerttemberg.datenschutz.de/"),
    # https://www.datenschutz-bayern.de/docs/buerger/eingabe.html (complaints about Bavarian public
    # bodies; no address found)
    "09": Authority("Der Bayerische Landesbeauftragte für den Datenschutz", "", "https://www.datenschutz-bayern.de/"),
    # https://datenschutz.saarland.de/ueber-uns/die-landesbeauftragte (no address found)
    "10": Authority("Die Landesbeauftragte für Datenschutz und Informationsfreiheit – Unabhängiges Datenschutzzentrum "
                    "Saarland", "", "https://datenschutz.saarland.de/"),
    # https://www.datenschutz-berlin.de/datenschutzerklaerung/ (no address in the part isek found)
    "11": Authority("Die Berliner Beauftragte für Datenschutz und Informationsfreiheit (BlnBDI)", "",
                    "https://www.datenschutz-berlin.de/"),
    # https://www.lda.brandenburg.de/sixcms/detail.php/863912
    "12": Authority("Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg (LDA)",
                    "Stahnsdorfer Damm 77\n14532 Kleinmachnow", "https://www.lda.brandenburg.de/"),
    # https://www.datenschutz-mv.de/datenschutzerklaerung/ (postal address; the office: Werderstraße 74a)
    "13": Authority("Der Landesbeauftragte für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern",
                    "Schloss Schwerin, Lennéstraße 1\n19053 Schwerin", "https://www.datenschutz-mv.de/"),
    # https://www.datenschutz.sachsen.de/datenschutzerklaerung.html ("nur die Postanschrift" for letters)
    "14": Authority("Sächsische Datenschutz- und Transparenzbeauftragte", "Postfach 11 01 32\n01330 Dresden",
                    "https://www.datenschutz.sachsen.de/"),
    # the name: https://www.landtag.sachsen-anhalt.de/service/lexikon (Landesbeauftragte since 2024); the
    # address: https://datenschutzarchiv.org/organisationen/bundeslaender/lfd-sachsen-anhalt; the site:
    # https://datenschutz.sachsen-anhalt.de/recht/vorschriften/landesrechtliche-vorschriften/verfassung
    "15": Authority("Die Landesbeauftragte für den Datenschutz Sachsen-Anhalt", "Postfach 1947\n39009 Magdeburg",
                    "https://datenschutz.sachsen-anhalt.de/"),
    # https://www.tlfdi.de/tlfdi/wir/aufgaben/ (no address found)
    "16": Authority("Der Thüringer Landesbeauftragte für den Datenschutz und die Informationsfreiheit (TLfDI)", "",
                    "https://www.tlfdi.de/"),
}


def authority_for(land_key: str) -> Authority | None:
    """The supervisory authority for a Land's two-digit key, ``BFDI`` for "" (the installation,
    outside a Land), None for a key that is no Land."""
    if not land_key:
        return BFDI
    return AUTHORITIES.get(land_key)
