"""The texts a city's legal pages show until its administrator changes them, in German and English
(no Django). A line beginning with "# " is a heading, one beginning with "1. " … a step of a
numbered list, every other line a sentence of its own (Leichte Sprache: one statement a line)."""

from __future__ import annotations

EASY = {
    "de": """\
# Was ist ein Stadt-Entwicklungs-Konzept?
Die Stadt will ein Stadt-Viertel besser machen.
Dafür schreibt die Stadt einen Plan.
Der Plan heißt: Stadt-Entwicklungs-Konzept.
In dem Plan steht: Was soll im Stadt-Viertel anders werden?
In dem Plan steht auch: Was kostet das?
Und: Wer bezahlt das?

# Was finden Sie auf dieser Internet-Seite?
Hier finden Sie die Pläne von der Stadt.
Sie sehen eine Karte.
Auf der Karte sehen Sie Orte.
An diesen Orten will die Stadt etwas machen.
Zum Beispiel: einen Spiel-Platz neu bauen.
Oder: mehr Bäume pflanzen.

# Wie können Sie mitmachen?
Manchmal fragt die Stadt die Menschen nach ihrer Meinung.
Das heißt: Beteiligung.
Dann können Sie der Stadt Ihre Ideen schicken.
So geht das:
1. Sie öffnen den Plan von der Stadt.
2. Sie klicken auf den Namen von der Beteiligung.
3. Sie klicken auf: Idee einbringen.
4. Sie zeigen den Ort auf der Karte oder in einer Liste.
5. Sie schreiben Ihre Idee auf.
6. Sie klicken auf: Idee senden.
Sie brauchen dafür kein Konto.
Sie müssen Ihren Namen nicht sagen.
Die Stadt liest Ihre Idee.
Danach kann jeder Ihre Idee auf der Karte sehen.

# Sie haben eine Frage?
Dann schreiben Sie der Stadt.
Das Formular dafür finden Sie auf der Seite: Barriere-Freiheit.
""",
    "en": """\
# What is an urban development concept?
The city wants to make a part of town better.
For this, the city writes a plan.
The plan is called: urban development concept.
The plan says what should change in this part of town.
It also says what it costs.
And it says who pays for it.

# What is on this website?
Here you find the city's plans.
You see a map.
The map shows places.
The city wants to do something at these places.
For example: build a new playground.
Or: plant more trees.

# How can you take part?
Sometimes the city asks people what they think.
This is called participation.
Then you can send the city your ideas.
This is how it works:
1. Open the city's plan.
2. Click on the name of the participation.
3. Click on: Contribute an idea.
4. Show the place on the map or in a list.
5. Write down your idea.
6. Click on: Send idea.
You do not need an account.
You do not have to give your name.
The city reads your idea.
After that, everyone can see your idea on the map.

# Do you have a question?
Then write to the city.
You find the form for this on the page: Accessibility.
""",
}

BARRIERS = {
    "de": """\
Karten: Die Karten lassen sich nicht ohne Sehen erfassen. Alle Maßnahmen und Ideen der Karte stehen auch in Listen; einen Ort für eine Idee kann man auch aus einer Liste wählen.
PDF-Berichte: Die Berichte sind noch nicht nach PDF/UA geprüft.
Gebärdensprache: Ein Video in Deutscher Gebärdensprache gibt es noch nicht.
API interaktiv ausprobieren (Swagger UI, /api/docs/swagger/): Nach dem Aufklappen einer Operation haben die Eingabefelder dieser Oberfläche eines Drittanbieters keine Beschriftung. Alles, was sie beschreibt, steht barrierefrei auf /api/docs/; jede Anfrage geht ebenso mit einem anderen Werkzeug.
""",
    "en": """\
Maps: the maps cannot be perceived without sight. Every measure and idea on a map is also in a list; the place of an idea can also be chosen from a list.
PDF reports: the reports have not yet been checked against PDF/UA.
Sign language: there is no video in German Sign Language yet.
Trying the API out (Swagger UI, /api/docs/swagger/): once an operation is opened, the input fields of this third-party interface have no labels. Everything it describes is on the accessible page /api/docs/; every request can be sent with another tool as well.
""",
}


def blocks(text: str) -> list[tuple[str, object]]:
    """The text as blocks: ("h", heading), ("ol", [steps]), ("p", [lines])."""
    out: list[tuple[str, object]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            if out and out[-1][0] != "gap":
                out.append(("gap", None))
            continue
        if line.startswith("# "):
            out.append(("h", line[2:].strip()))
            continue
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit():
            if out and out[-1][0] == "ol":
                out[-1][1].append(rest)
            else:
                out.append(("ol", [rest]))
            continue
        if out and out[-1][0] == "p":
            out[-1][1].append(line)
        else:
            out.append(("p", [line]))
    return [b for b in out if b[0] != "gap"]
