"""The test database is flushed only after the live server has answered every request (issue 21:
a request in flight during the flush failed it with "database table is locked" on SpatiaLite)."""

import threading
import urllib.request


def test_requests_in_flight_are_counted_until_they_are_answered(transactional_db, live_server, _requests_in_flight):
    from django.core.signals import request_started

    entered, release = threading.Event(), threading.Event()

    def hold(**kwargs):  # runs in the live server's thread, after the counter's receiver
        entered.set()
        release.wait(10)

    request_started.connect(hold, dispatch_uid="test-hold")
    answers = []
    client = threading.Thread(target=lambda: answers.append(urllib.request.urlopen(f"{live_server.url}/", timeout=20).status))
    try:
        client.start()
        assert entered.wait(10), "the live server never started the request"
        assert not _requests_in_flight.wait_idle(0.2), "a request being served was not counted"
    finally:
        request_started.disconnect(dispatch_uid="test-hold")
        release.set()
    client.join(20)
    assert _requests_in_flight.wait_idle(10)
    assert answers == [200]
