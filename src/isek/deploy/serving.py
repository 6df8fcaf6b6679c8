"""isek's WSGI server: gunicorn with threads, as the demo and the production unit run it."""

from __future__ import annotations


def serve(host: str, port: int, workers: int, threads: int = 4, access_log: bool = False) -> None:
    """Serve the WSGI app on ``host:port`` (loopback: nginx or the demo's browser in front).

    A worker is replaced after about 2,000 requests so that memory stays bounded over months; a
    request may take up to 120 s (report downloads, large exports), then the worker is restarted.
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
            self.cfg.set("max_requests", 2000)
            self.cfg.set("max_requests_jitter", 200)
            self.cfg.set("proc_name", "isek")
            self.cfg.set("control_socket_disable", True)  # nothing uses it; it would want a writable $HOME

        def load(self):
            from isek.config.wsgi import application

            return application

    App().run()
