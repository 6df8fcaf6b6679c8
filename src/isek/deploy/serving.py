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

        def load(self):
            from isek.config.wsgi import application

            return application

    App().run()
