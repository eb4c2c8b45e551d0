"""gunicorn settings for the web process (`make up`, Procfile `web`).

Behind a reverse proxy, bind to loopback and set TRUSTED_PROXIES; the app
keeps no state of its own, so scale by adding workers or machines."""

import os

wsgi_app = "wsgi:app"
# honcho gives each process a PORT; GUNICORN_BIND overrides the whole address.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = 30
graceful_timeout = 20
# Each worker builds its own app (engine, Redis pool): never share them over fork.
preload_app = False
