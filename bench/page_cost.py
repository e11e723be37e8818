"""Benchmark: where each Security Official page's time goes, in one process.

The data of ``bench/load.py`` (the demo data, with demo-so the Security Official of 9
organizations, and a Security Official of 25) in a fresh PostgreSQL database, the production
settings and Redis, no server: each page of ``load.pages()`` is requested through the Django
test client, as a session past the password and the second factor, and for each it prints the
CPU time of one request (median of ``--repeat``, ``time.process_time``) split into

- **SQL**: the ORM compiling each query, PostgreSQL's answer as this process waits for it
  (not counted: another process's CPU) and the rows made into objects (``execute_sql``);
- **rendering**: the response's template, whichever engine renders it (Django's or Jinja2),
  context processors and the queries it runs itself included;
- **the rest**: the view's own Python and what the middleware does beyond the bare page,

then the bare login-required page's CPU over the page's: the ratio ``load.py`` measures
through gunicorn, without the server's own share. ``--profile LABEL`` prints a cProfile of
the first page whose label contains LABEL instead.

    .venv/bin/python bench/page_cost.py [--repeat 100] [--only Overview] [--profile Overview]

Needs PostgreSQL on 127.0.0.1:5432 (trust) and Redis on 127.0.0.1:6379 (it flushes database 6).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load
from server import prepare_portal, session_cookie

BARE = "/bench/bare/"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page")
    parser.add_argument("--database", default="qpp_bench_cost")
    parser.add_argument("--only", help="only the pages whose label contains this text")
    parser.add_argument("--profile", metavar="LABEL", help="print a cProfile of this page instead")
    args = parser.parse_args()
    prepare_portal(
        f"postgres://postgres@127.0.0.1:5432/{args.database}", "redis://127.0.0.1:6379/6", load.seed
    )

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models.sql.compiler import SQLCompiler
    from django.template import engines
    from django.template.base import Template
    from django.test import Client

    spent = {"sql": 0.0, "render": 0.0, "depth": 0}
    execute_sql = SQLCompiler.execute_sql

    def timed_execute_sql(compiler, *args, **kwargs):
        started = time.process_time()
        try:
            return execute_sql(compiler, *args, **kwargs)
        finally:
            spent["sql"] += time.process_time() - started

    def timed(render):
        """``render`` timed into ``spent["render"]``, unless another template's rendering (of
        either engine) is already being timed: an included template is inside the outer one's."""

        def timed_render(template, *args, **kwargs):
            if spent["depth"]:
                return render(template, *args, **kwargs)
            spent["depth"] += 1
            started = time.process_time()
            try:
                return render(template, *args, **kwargs)
            finally:
                spent["depth"] -= 1
                spent["render"] += time.process_time() - started

        return timed_render

    SQLCompiler.execute_sql = timed_execute_sql
    # Django's engine: every template, included ones too, renders through base.Template.render.
    rendering = [Template]
    engines.all()  # imports the backend of every engine in TEMPLATES, and its Template classes
    try:
        from django.template.backends.jinja2 import Template as Jinja2Template
    except ImportError:  # jinja2 not installed: no Jinja2 engine to time
        pass
    else:
        # Jinja2's backend, and any subclass that brings its own render (a project's backend).
        classes = [Jinja2Template]
        while classes:
            cls = classes.pop()
            rendering.append(cls)
            classes.extend(cls.__subclasses__())
    for cls in rendering:
        if "render" in vars(cls):
            cls.render = timed(vars(cls)["render"])

    clients = {}

    def client(username):
        if username not in clients:
            clients[username] = Client()
            clients[username].cookies.load(session_cookie(get_user_model().objects.get(username=username)))
        return clients[username]

    def warm(username, path):
        for _ in range(5):  # templates, query plans
            response = client(username).get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}, not the page")

    def request(username, path):
        spent["sql"] = spent["render"] = 0.0
        started = time.process_time()
        client(username).get(path)
        return time.process_time() - started, spent["sql"], spent["render"]

    def measure(username, path):
        """Median CPU of the page's whole request, its SQL and its rendering, and of the bare
        page, in ms: one bare request before each of the page's, so that both see the machine
        as it is at that moment (these machines are shared)."""
        warm(username, path)
        warm("demo-so", BARE)
        page, bare = [], []
        for _ in range(args.repeat):
            bare.append(request("demo-so", BARE)[0])
            page.append(request(username, path))
        whole, sql, rendering = zip(*page, strict=True)
        return [statistics.median(values) * 1000 for values in (whole, sql, rendering, bare)]

    pages = [page for page in load.pages() if not args.only or args.only in page[0]]
    if args.profile:
        label, username, path = next(page for page in pages if args.profile in page[0])
        warm(username, path)
        profile = cProfile.Profile()
        profile.runcall(lambda: [client(username).get(path) for _ in range(args.repeat)])
        print(f"{label}: {args.repeat} requests")
        pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(50)
        if os.environ.get("BENCH_PROFILE_OUT"):
            profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        return

    print(f"{settings.SETTINGS_MODULE}, {args.repeat} requests per page; CPU per request in ms")
    print(f"{'page':<46} {'whole':>6} {'SQL':>6} {'render':>6} {'rest':>6} {'bare':>6} {'ratio':>6}")
    for label, username, path in pages:
        page_whole, page_sql, page_render, bare = measure(username, path)
        rest = page_whole - page_sql - page_render - bare
        print(
            f"{label:<46} {page_whole:6.2f} {page_sql:6.2f} {page_render:6.2f} {rest:6.2f} {bare:6.2f} "
            f"{bare / page_whole:6.2f}"
        )


if __name__ == "__main__":
    main()
