"""Benchmark: a planner's confirmation on the theme review page updates the suggestions in under 1 s.

A fresh SpatiaLite database (temporary directory), a concept with a phase; the FreiRaum Ottensen
corpus (697 contributions, ../shared/data/participation) or Köln-Ehrenfeld (366) imported into it
through the import service, the phase's themes from the human labels. Then, as the page does
(``participation.services``): the first page (engine built, nothing confirmed), 10 % of the
contributions confirmed in the order "Als Nächstes beschriften" proposes (the human label as the
planner's answer), and for each confirmation the time from ``confirm_theme`` to the next page's
suggestions and next picks (``theme_evaluation``), wall clock, one process; then 20 more answers
through the page itself (Django's test client, a signed-in planner: the POST and the page its
redirect opens). Then the page after a restart of the process (the engine rebuilt from the stored
confirmations).

Run:  .venv/bin/python bench/participation_review_bench.py [--corpus ottensen|koeln] [--answers N]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")  # the machine a city runs it on: 2 cores

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", choices=("ottensen", "koeln"), default="ottensen")
    ap.add_argument("--answers", type=int, default=0, help="confirmations to time (default: 10 %% of the corpus)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="isek-review-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(ISEK_MODE="demo", ISEK_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="isek.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import shapely
    from django.utils import timezone

    from isek import access
    from isek.participation import services
    from isek.participation.evaluation import corpora
    from isek.participation.services import evaluation as engines
    from tests.factories import ConceptFactory, legal_texts_filled, multipolygon

    data = next(Path(d) for d in os.environ.get("ISEK_DATA_DIRS", "/work/shared/data").split(os.pathsep)
                if (Path(d) / corpora.OTTENSEN).exists())
    if args.corpus == "ottensen":
        texts, labels = corpora.read_ottensen(data / corpora.OTTENSEN)
    else:
        texts, labels = corpora.read_koeln(data / corpora.KOELN)
    # the import's table: key, title, text, theme (the human label: the planner's answer is known)
    table = tmp / f"{args.corpus}.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "titel", "text", "thema"])
        for c in texts:
            title, _, body = c.text.partition("\n")
            w.writerow([c.id, (title or body)[:120] or "ohne Titel", body or title, "Eingang"])
    op = access.Operator("bench")
    legal_texts_filled()
    concept = ConceptFactory(slug="bench", area=multipolygon(shapely.box(9.9, 53.5, 10.0, 53.6)))
    now = timezone.now()
    themes = sorted(set(labels.values()))
    phase = services.save_phase(op, concept, title_de="Bench", start=now - datetime.timedelta(days=2),
                                end=now - datetime.timedelta(days=1), themes=[(t[:100], "", "") for t in themes + ["Eingang"]])
    plan = services.plan_import(op, phase, table, table.name)
    plan.mapping.licence = "CC BY 4.0"
    plan.mapping.source = "FreiRaum Ottensen / Raddialog Ehrenfeld (CIMT)"
    plan = services.plan_import(op, phase, table, table.name, mapping=plan.mapping)
    assert not plan.problems, [p.render(str) for p in plan.problems][:3]
    services.commit_import(op, phase, plan, via="bench")
    ideas = {i.source_key.removeprefix("id:"): i for i in phase.ideas.all()}
    theme_of = {t.name_de: t for t in phase.themes.all()}
    planner = op
    t = time.perf_counter()
    ev = services.theme_evaluation(planner, concept, phase)
    first = time.perf_counter() - t
    answers = args.answers or len(ideas) // 10
    import cProfile
    prof = cProfile.Profile() if os.environ.get("ISEK_BENCH_PROFILE") else None
    if prof:
        prof.enable()
    times, cpu = [], []
    key_of = {i.pk: k for k, i in ideas.items()}
    for _ in range(answers):
        pk = ev.next[0].idea.pk
        t, c = time.perf_counter(), time.process_time()
        services.confirm_theme(planner, concept, phase, pk, theme_of[labels[key_of[pk]][:100]].pk)
        ev = services.theme_evaluation(planner, concept, phase)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    if prof:
        prof.disable()
        import pstats
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    # The same through the page, as the browser does it: the answer (POST, redirect to the next
    # contribution isek asks about) and the page it opens (GET), as a signed-in planner.
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import member

    setup_test_environment()
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "planner"))
    page_url = f"/concepts/{concept.slug}/participation/phases/{phase.pk}/themes/"
    html = client.get(page_url).content
    web = []
    for _ in range(min(answers, 20)):
        pk = ev.next[0].idea.pk
        t = time.perf_counter()
        r = client.post(page_url, {"idea": pk, "theme": theme_of[labels[key_of[pk]][:100]].pk})
        assert r.status_code == 302, r.status_code
        html = client.get(r["Location"]).content
        web.append(time.perf_counter() - t)
        ev = services.theme_evaluation(planner, concept, phase)
    web.sort()
    # The model's own fit by the number of decisions (minor24: 0.2 s at 10, 0.5 s at 50 – BLAS threads)
    engine = engines._engines[phase.pk][1]
    decided = dict(engine.labels)
    fit_cpu = {}
    for n in (10, 50):
        if len(decided) >= n:
            first_n = dict(list(decided.items())[:n])
            runs = []
            for _ in range(3):
                c = time.process_time()
                engine.fit(first_n)
                runs.append(time.process_time() - c)
            fit_cpu[str(n)] = round(statistics.median(runs), 3)
    engine.fit(decided)
    engines.forget()
    t = time.perf_counter()
    services.theme_evaluation(planner, concept, phase)
    restart = time.perf_counter() - t
    # CPU per decision by its number (fix24: from the 40th on each refitted the calibration)
    by_decision = {f"{a}-{b}": round(statistics.median(cpu[a - 1:b]), 3)
                   for a, b in ((1, 10), (30, 39), (40, 50), (51, 60)) if len(cpu) >= b}
    times.sort()
    cpu.sort()
    print(json.dumps({
        "corpus": args.corpus, "contributions": len(ideas), "themes": len(themes), "confirmations": answers,
        "first_page_s": round(first, 2),
        "confirm_to_new_suggestions_s": {"median": round(statistics.median(times), 3),
                                         "p95": round(times[int(0.95 * (len(times) - 1))], 3),
                                         "max": round(times[-1], 3)},
        "confirm_cpu_median_s_by_decision": by_decision, "fit_cpu_median_s_by_decisions": fit_cpu,
        "confirm_cpu_s": {"median": round(statistics.median(cpu), 3), "p95": round(cpu[int(0.95 * (len(cpu) - 1))], 3),
                          "max": round(cpu[-1], 3)},
        "page_answer_and_next_page_s": {"median": round(statistics.median(web), 3),
                                        "max": round(web[-1], 3), "answers": len(web)},
        "page_kb": len(html) // 1024,
        "page_after_restart_s": round(restart, 2), "load_average": os.getloadavg()[0], "python": sys.version.split()[0],
    }, indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.factories
    main()
