"""A pytest plugin: each test's CPU seconds in this process (setup, call and teardown; the live
server's thread included, Chromium and PostgreSQL not), its wall seconds and its reaped children's
CPU, one tab-separated line per test, to the file $CPU_OUT (default cpu-per-test.tsv); a line COLLECTED with
the process's CPU after collection and SESSION-END with its CPU and its reaped children's at the end
(Chromium and Playwright's driver are reaped there). CPU time
barely changes with load on the machine, so a run beside other work still shows where the CPU goes
(decision 0038, sixth step).

    CPU_OUT=/tmp/cpu.tsv PYTHONPATH=tools .venv/bin/python -m pytest -p cpu_per_test tests/access
    awk -F'\\t' '{split($1, a, "::"); s[a[1]] += $2} END {for (f in s) print s[f], f}' /tmp/cpu.tsv | sort -nr
"""

import os
import time

import pytest

_out = open(os.environ.get("CPU_OUT", "cpu-per-test.tsv"), "a", encoding="utf-8")  # noqa: SIM115 - open for the run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall, before = time.process_time(), time.perf_counter(), os.times()
    yield
    after = os.times()
    children = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    _out.write(f"{item.nodeid}\t{time.process_time() - cpu:.2f}\t{time.perf_counter() - wall:.2f}\t{children:.2f}\n")
    _out.flush()


def pytest_collection_finish(session):
    _out.write(f"COLLECTED\t{time.process_time():.2f}\t0\t0\n")
    _out.flush()


def pytest_sessionfinish(session, exitstatus):
    t = os.times()
    _out.write(f"SESSION-END\t{time.process_time():.2f}\t0\t{t.children_user + t.children_system:.2f}\n")
    _out.flush()
