"""gunicorn settings for the web process (`make up`, Procfile `web`).

Behind a reverse proxy, bind to loopback and set TRUSTED_PROXIES; the app
keeps no state of its own, so scale by adding workers or machines."""

import os

wsgi_app = "wsgi:app"
# honcho gives each process a PORT; GUNICORN_BIND overrides the whole address.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread: the hall event streams (/api/v1/screens/halls/<id>/events) each hold
# one thread of a worker for as long as a board or console is connected, idle
# but for a heartbeat, and no database connection. A worker must have more
# threads than SCREENS_MAX_STREAMS_PER_WORKER (default 48; further streams get
# 503 and reconnect) so that ordinary requests still find a free thread. The
# database pool is per worker; requests beyond it wait for a connection.
# Sizing: threads >= streams per worker + ~16 (docs/hall.md).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "64"))
# gthread's timeout watches the worker's main loop, not a request: a stream
# open for minutes does not get its worker killed.
timeout = 30
graceful_timeout = 20
# Each worker builds its own app (engine, Redis pool): never share them over fork.
preload_app = False
