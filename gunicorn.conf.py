"""gunicorn for `make run` (scripts/run.sh) and the image (Dockerfile, docker-compose.yml).

gunicorn reads ./gunicorn.conf.py by itself; the scripts name it anyway. Sized for 2 cores:
3 processes x 4 threads (gthread) answer 12 requests at once, idle keep-alive connections
wait in each worker's poller instead of holding a thread, and the listen backlog holds
bursts far above 100 clients. bench/load_run.py measures it (bench/RESULTS.md).
"""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
backlog = 2048
timeout = 30
graceful_timeout = 30
keepalive = 5

# Path only (%(U)s), never the query string or the referrer: `near=` is where someone is.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No runtime control socket: it would be one path per user, shared by every server started.
control_socket_disable = True
