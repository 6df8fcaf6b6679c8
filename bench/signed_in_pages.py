"""In-process: what the signed-in pages of a Land cost per request (decision 0103).

On a database that `isek generate-land` filled (as bench/land_scale_bench.py leaves it), signed in as
an installation administrator with a second factor, as the Land bench is: per page – the start page,
a city's start page, the city's administration, a concept's team and its moderation list – the
queries of one request, the Python function calls of one request (counted by cProfile over 20: a
figure the machine's load does not change), then ``--requests`` requests one at a time through
Django's test client: median and p99 of the wall time and the mean CPU time (``time.process_time``)
a request, the full collections of the garbage collector meanwhile, and the load average.

Run:  DATABASE_URL=postgis://…/the_lands_db .venv/bin/python bench/signed_in_pages.py [--requests 200] [--pages home,city]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time

PAGES = ("home", "city", "settings", "members", "moderation")
SLUG = "land-0001-1"  # the first concept of the generated Land


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isek.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from isek.concepts.services import concept_by_slug

    settings.ALLOWED_HOSTS = ["*"]
    concept = concept_by_slug(SLUG)
    if concept is None:
        print(f"no concept {SLUG}: fill the database with `isek generate-land` first", file=sys.stderr)
        return 1
    users = get_user_model().objects
    user = users.filter(username="bench-admin").first() or users.create_superuser("bench-admin", "", None)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    city = concept.city
    urls = {"home": "/", "city": f"/{city.slug}/", "settings": f"/cities/{city.ags}/settings/",
            "members": f"/concepts/{SLUG}/members/", "moderation": f"/concepts/{SLUG}/moderation/"}
    full = []

    def collected(phase, info):
        if info["generation"] == 2:
            full.append(time.process_time() if phase == "start" else -time.process_time())

    gc.callbacks.append(collected)
    print(f"{'page':11s} queries  calls/req    bytes   median      p99   CPU/req  full GCs (CPU)   load")
    for name in args.pages.split(","):
        url = urls[name]
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        queries: list[str] = []

        def counted(execute, sql, *rest, into=queries):
            into.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            size = len(client.get(url).content)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20):
            client.get(url)
        profile.disable()
        calls = pstats.Stats(profile, stream=io.StringIO()).total_calls / 20
        full.clear()
        wall, cpu = [], []
        for _ in range(args.requests):
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        wall.sort()
        p99 = wall[min(len(wall) - 1, int(len(wall) * 0.99))]
        gc_cpu = -sum(full) * 1000  # each collection's start (+) and end (−) CPU time
        print(f"{name:11s} {len(queries):7d} {calls:10,.0f} {size:8,d} {statistics.median(wall):6.1f} ms "
              f"{p99:6.1f} ms {statistics.mean(cpu):6.1f} ms {len(full) // 2:4d} ({gc_cpu:5.1f} ms) "
              f"{os.getloadavg()[0]:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
