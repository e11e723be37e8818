"""gunicorn on a portal web node, behind deploy/haproxy.cfg.

    gunicorn --config deploy/gunicorn.conf.py qpp_registration.wsgi

``qpp_registration.wsgi`` loads the production settings, which read the environment
(deploy/README.md). An option given on the command line wins over this file (bench/cluster.py
binds its nodes to loopback ports that way). ``gunicorn --check-config`` with the same arguments
loads the file and the portal and says whether both are sound (tests/test_deploy_configs.py).
"""

import os

# Every interface of the node: the load balancers connect from their own machines. Firewall the
# port to them, because the portal believes the X-Forwarded-For and X-Forwarded-Proto they send.
bind = ["0.0.0.0:8000"]

# Sync workers, two a core and one more: a page costs a few milliseconds of Python and a few of
# waiting for PostgreSQL (bench/README.md), so while one worker waits another uses the core.
# HAProxy sends a node no more requests at once than it has workers (maxconn in haproxy.cfg) and
# queues the rest, so a slow client or a dead node holds up only what a worker is working on.
# WEB_CONCURRENCY sets another number (each worker keeps a PostgreSQL connection open).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)
worker_class = "sync"

# HAProxy gives up on a request after 30 s (timeout server) and answers 504 without sending it
# to another node. A worker is killed only after 60 s of silence, so a slow request is never cut
# here while HAProxy still waits for it, which HAProxy would take for a dead node and send again.
timeout = 60
# SIGTERM (a deploy, `systemctl stop`): stop taking connections, let the requests in flight
# finish for as long as HAProxy would wait for them, then exit.
graceful_timeout = 30

# The portal is imported once, in the master, and each worker is forked from it: a worker that
# replaces another starts in milliseconds instead of importing Django and the portal again (about
# a second of a core). Nothing opens a database or Redis connection at import, so no connection is
# shared between workers.
preload_app = True

# A worker is replaced after about ten thousand requests, at different moments for each worker
# (jitter), so memory a long-running process gathers is given back without a pause of the node.
# At a thousand, during the closing minute's peak, a node replaced a worker every few seconds
# (bench/README.md). A new worker compiles nothing: see when_ready.
max_requests = 10000
max_requests_jitter = 1000


def when_ready(server):
    """In the master, before the first worker is forked: every template compiled, the URL resolver
    filled and every prepared query's SQL built once, for every worker, the replacements
    included, to share (qpp_registration.core.warm). Without it a new worker's first pages took
    0.6-0.7 s while it built them."""
    from qpp_registration.core.warm import warm

    templates, queries = warm()
    server.log.info("Warmed %d templates and %d prepared queries for the workers.", templates, queries)


# The workers' heartbeat files in memory: on a busy disk a late write makes the master kill a
# healthy worker.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - empty heartbeat files, no data

# HAProxy sets X-Forwarded-Proto on every request (from whether TLS reached it) and never the
# other two headers gunicorn reads by default: a client sending X-Forwarded-Ssl could otherwise
# make a request fail as contradicting it. gunicorn trusts the header only from the addresses in
# FORWARDED_ALLOW_IPS (gunicorn's own variable: the load balancers' addresses; loopback when
# unset); Django reads it through SECURE_PROXY_SSL_HEADER (settings/production.py).
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# One line a request on standard output, for the log collector: the client's address as HAProxy
# saw it, the method and path without the query string (which may carry what a person typed),
# status, bytes, milliseconds and the request id HAProxy gave it (X-Request-ID, also on the
# portal's own log lines and in HAProxy's log).
accesslog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}i)s'
errorlog = "-"
loglevel = "info"
proc_name = "qpp-web"

# Managed by signals (HUP: new workers with new code; TERM: graceful stop), not by a control
# socket in the home folder, which a second gunicorn of the same user would take over.
control_socket_disable = True
