"""A web node's first requests as fast as its next ones: what each new gunicorn worker would
otherwise build on its first requests, built once in the master before it forks its workers
(``when_ready`` in deploy/gunicorn.conf.py, with ``preload_app``).

gunicorn replaces each worker every ~10,000 requests. At the deadline's rate that is a new
worker every minute or two, and a new worker compiled the Jinja2 templates of the pages it drew,
filled Django's URL resolver and built each prepared query's SQL as it met them: 0.6–0.7 s of
p99 on the pages it drew first (bench/load.py, 6 Dec 2026). The workers share what the master
built, copy-on-write, and never build it again.
"""

from django.db import connections
from django.template import engines
from django.urls import get_resolver

from qpp_registration.core.prepared import PreparedQuery


def warm():
    """Compile every portal template, fill the URL resolver and build every prepared query's SQL;
    then close the master's database connections, which no worker may share."""
    get_resolver()._populate()  # imports every view, and with them every prepared query
    environment = engines["jinja2"].env
    # templates/django/ holds the Django templates (the admin's, allauth's, the e-mails').
    names = environment.list_templates(
        filter_func=lambda name: name.endswith(".html") and not name.startswith("django/")
    )
    for name in names:
        environment.get_template(name)
    for query in PreparedQuery.every:
        query.compile()
    connections.close_all()
    return len(names), len(PreparedQuery.every)
