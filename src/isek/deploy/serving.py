"""isek's WSGI server: gunicorn with threads, as the demo and the production unit run it."""

from __future__ import annotations


def serve(host: str, port: int, workers: int, threads: int = 4, access_log: bool = False) -> None:
    """Serve the WSGI app on ``host:port`` (loopback: nginx or the demo's browser in front).

    A request may take up to 120 s (report downloads, large exports), then the worker is restarted.
    Workers are not recycled after a number of requests: at a crowd's rate (300 ideas/s, three
    requests each) that would restart them every few seconds and drop their connections.
    """
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if access_log else None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 30)
            self.cfg.set("proc_name", "isek")
            self.cfg.set("control_socket_disable", True)  # nothing uses it; it would want a writable $HOME
            self.cfg.set("post_worker_init", lambda worker: settle())

        def load(self):
            from isek.config.wsgi import application

            return application

    App().run()


def settle() -> None:
    """A worker's start, once the application is loaded: the URL configuration (with every view,
    form and service module it imports) loaded too, then everything alive so far moved out of the
    garbage collector's sight (``gc.freeze``). It lives as long as the process; left in, each full
    collection walked its ~175,000 objects – 80–140 ms of CPU in which none of the worker's
    threads answers, the p99 of the signed-in pages at a Land's size (decision 0103)."""
    import gc

    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 – imports the views
    resolver.reverse_dict  # noqa: B018 – the table ``reverse`` reads
    gc.collect()
    gc.freeze()
