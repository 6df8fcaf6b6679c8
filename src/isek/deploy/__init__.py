"""The production stack: isek's gunicorn server (``isek serve``) and the installation of
PostgreSQL/PostGIS, nginx and the systemd units on a Debian machine (``isek production install``).
"""
