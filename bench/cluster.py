"""Benchmark: the portal on several machines behind HAProxy, one web node killed mid-surge.

Everything on loopback (``bench/cluster_parts.py``), bounded in time (about a minute and a half
here) and stopped at the end, also on Ctrl-C or an error:

- HAProxy running ``deploy/haproxy.cfg`` with only its addresses changed: one loopback port in
  front, the two nodes behind, its log on standard output, its runtime API in a temporary folder,
  no TLS (so no HTTPS redirect) and no chroot;
- two web nodes, web1 and web2: gunicorn with ``deploy/gunicorn.conf.py`` and the production
  settings, each on a port of its own; two task workers on the Redis queue and two schedulers
  (each checking every second): the commands of ``deploy/Procfile``;
- a PostgreSQL database made afresh (``qpp_bench_cluster``), a redis-server of its own (the cache
  and the task queue), and an SMTP server on loopback that keeps every message it receives.

    .venv/bin/python bench/cluster.py [--users 200] [--kill-at 0.5] [--sign-ins 5]

A few Security Officials first sign in through HAProxy (password, Statement of Truth, authenticator
code) while web2 is in maintenance (HAProxy's runtime API, as for a deploy), so their sessions are
made on web1. Then the surge of ``bench/surge.py``: ``--users`` Security Officials walk the 2020
flow at once through HAProxy, and once a fraction ``--kill-at`` of their requests are answered,
web1 (gunicorn's master and its workers) gets SIGKILL. A request that fails is sent once more by
the person, as in the surge. It prints what the people saw (who finished, which requests they sent
again) and what HAProxy did (how soon it took web1 out, which requests it sent to web2 itself);
what the database holds (``surge.check_database``); the e-mails the SMTP server received, by
recipient and subject; whether the sessions made on web1 still work; and, for each scheduled job,
the time slots each scheduler claimed and the job's runs on the workers. It exits with status 1
when anything is not exactly once.
"""

import argparse
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster_parts import DEPLOY, HAProxy, MailServer, Process, answers, private_redis, procfile, wait_for
from server import debian_command, ensure_tools, free_port, load_average, practices, prepare_portal
from surge import (
    STEPS,
    USERNAME,
    YEAR,
    Browser,
    StepFailed,
    check_database,
    seed_officials,
    session_cookie,
    walk,
)

SIGN_IN = "cluster-signed-in-"  # and two digits
PASSWORD = "cluster-bench-password-0451"  # noqa: S105 - a made-up account in a throwaway database
OVERVIEW = f"/registration/{YEAR}/"


def step_of(method, path):
    """The surge step a request of HAProxy's log was (``walk``'s names), or its method and path."""
    path = path.split("?")[0]
    for ending, get, post in (
        (OVERVIEW, "Overview", None),
        ("/register/", None, "Register (size)"),
        ("/web-interface/submit/", "Submit Registration", "Register"),
        ("/contacts/new/", "Add contact (form)", "Add contact (save)"),
        ("/web-interface/congratulations/", "Congratulations", None),
    ):
        name = get if method in ("GET", "HEAD") else post
        if path.endswith(ending) and name:
            return name
    return f"{method} {path}"


# --- The people ---------------------------------------------------------------------------------------


def seed(users, sign_ins):
    """The surge's Security Officials, and ``sign_ins`` people who sign in through the pages:
    a password and an authenticator app each."""
    surge_officials = seed_officials(users)

    def run():
        import pyotp
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from accounts.models import TwoFactorDevice
        from organizations.models import Organization, Role

        surge_officials()
        password = make_password(PASSWORD)  # hashed once: the same password for each
        organizations = Organization.objects.bulk_create(
            practices(sign_ins, identifier_prefix="7", name="Signed-in Practice {:04d}")
        )
        for n, organization in enumerate(organizations):
            user = get_user_model().objects.create(
                username=f"{SIGN_IN}{n:02d}",
                first_name="Signed-in",
                last_name=f"Official {n}",
                email=f"signed-in-{n}@example.com",
                password=password,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            Role.objects.create(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
            TwoFactorDevice.objects.create(
                user=user,
                kind=TwoFactorDevice.Kind.AUTHENTICATOR_APP,
                name="Phone",
                secret=pyotp.random_base32(),
            )

    return run


def sign_in(url, user):
    """A browser signed in through the pages: password and Statement of Truth, then a code."""
    import pyotp

    browser = Browser(url, "")
    device = user.devices.get()
    for method, path, form, expect in (
        ("GET", "/accounts/login/", None, 200),
        (
            "POST",
            "/accounts/login/",
            {"login": user.username, "password": PASSWORD, "statement_of_truth": "on"},
            302,
        ),
        (
            "POST",
            "/accounts/two-factor/",
            {"device": device.pk, "code": pyotp.TOTP(device.secret).now(), "action": "verify"},
            302,
        ),
    ):
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        status, _location, _content = browser.request(method, path, form)
        if status != expect:
            raise RuntimeError(f"signing in {user.username}: {method} {path} answered {status}")
    return browser


def signed_in(browser, user):
    status, _location, content = browser.request("GET", OVERVIEW)
    return status == 200 and f"Signed in as <strong>{user.get_full_name()}</strong>" in content


# --- The run ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--kill-at", type=float, default=0.5, metavar="FRACTION")
    parser.add_argument("--sign-ins", type=int, default=5, help="people who sign in on web1 first")
    parser.add_argument("--database", default="qpp_bench_cluster")
    parser.add_argument(
        "--scheduler-seconds", type=float, default=65, help="run the schedulers at least this long"
    )
    parser.add_argument("--max-seconds", type=int, default=300, help="stop everything after this long")
    args = parser.parse_args()
    ensure_tools(haproxy=True)
    # Stop what was started, as Ctrl-C does, when told to or when the run takes too long.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"Stopped after {args.max_seconds} s."))
    signal.alarm(args.max_seconds)
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        cluster = start(args, Path(tempfile.mkdtemp(prefix="qpp-cluster-")), stack)
        signed = sign_in_on_web1(cluster)
        samples, failures, killed = surge(args, cluster)
        problems = [
            *report_people(args, cluster, samples, failures, killed),
            *report_database(args),
            *report_mail(args, cluster),
            *report_sessions(cluster, signed),
            *report_schedules(cluster, args.scheduler_seconds),
        ]
    print(f"\nwhole run {time.monotonic() - began:.0f} s")
    if problems:
        sys.exit("NOT as expected: " + "; ".join(problems))
    print("Every official finished; every registration, e-mail and scheduled run exactly once.")


def start(args, folder, stack):
    """Redis, the SMTP server, the database, both nodes, the workers, the schedulers and HAProxy,
    each stopped by ``stack``; returns what the run needs of them."""
    cluster = argparse.Namespace(folder=folder, nodes={"web1": free_port(), "web2": free_port()})
    redis, redis_url = private_redis(folder)
    stack.callback(redis.stop)
    cluster.mail = stack.enter_context(MailServer())
    # HAProxy's port is chosen first: PORTAL_URL, which every e-mailed link starts with, names it.
    balancer = free_port()
    check_host = re.search(r"hdr Host (\S+)", (DEPLOY / "haproxy.cfg").read_text()).group(1)
    environment = {
        "DJANGO_SETTINGS_MODULE": "qpp_registration.settings.production",
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{check_host}",  # the last: the Host of HAProxy's check
        "TASK_BACKEND": "redis",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(cluster.mail.port),
        "PORTAL_URL": f"http://127.0.0.1:{balancer}",
        "PYTHONUNBUFFERED": "1",
    }
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    prepare_portal(database_url, redis_url, seed(args.users, args.sign_ins), environment)
    logging.disable(logging.INFO)  # this process's own lines (sessions made), not the portal's

    commands, env = procfile(), dict(os.environ)
    cluster.web = {}
    for name, port in cluster.nodes.items():
        cluster.web[name] = Process(name, [*commands["web"], "--bind", f"127.0.0.1:{port}"], env, folder)
        stack.callback(cluster.web[name].stop)
    cluster.workers = [Process(f"worker{n}", commands["worker"], env, folder) for n in (1, 2)]
    cluster.schedulers = []
    cluster.schedulers_started = time.monotonic()
    for n in (1, 2):
        time.sleep(0.5)  # out of step, so that either may be the first to claim a slot
        cluster.schedulers.append(
            Process(f"scheduler{n}", [*commands["scheduler"], "--interval", "1"], env, folder)
        )
    for process in (*cluster.workers, *cluster.schedulers):
        stack.callback(process.stop)
    for name, port in cluster.nodes.items():
        wait_for(lambda port=port: answers(port, "/healthz"), 60, f"gunicorn {name}")
    cluster.haproxy = HAProxy(port=balancer, nodes=cluster.nodes, folder=folder)
    stack.callback(cluster.haproxy.stop)
    wait_for(lambda: cluster.haproxy.socket.exists() and cluster.haproxy.checked_up(), 30, "HAProxy's checks")
    version = subprocess.run(
        [debian_command("haproxy"), "-v"], capture_output=True, text=True
    ).stdout.split()[2]
    web1, web2 = cluster.nodes.values()
    print(
        f"HAProxy {version} on {cluster.haproxy.url} (deploy/haproxy.cfg, loopback addresses);"
        f" web1 on :{web1}, web2 on :{web2} (gunicorn, deploy/gunicorn.conf.py,"
        f" {len(cluster.web['web1'].group()) - 1} workers each); 2 workers on the Redis queue;"
        f" 2 schedulers checking every second; SMTP server on :{cluster.mail.port}; logs in {folder}"
    )
    return cluster


def sign_in_on_web1(cluster):
    """The people of ``seed`` signed in through HAProxy while web2 is in maintenance, as for a
    deploy: their sessions are made on web1. Returns (user, browser) pairs."""
    from django.contrib.auth import get_user_model

    haproxy = cluster.haproxy
    haproxy.command("set server portal/web2 state maint")
    people = get_user_model().objects.filter(username__startswith=SIGN_IN).order_by("username")
    signed = [(user, sign_in(haproxy.url, user)) for user in people]
    haproxy.command("set server portal/web2 state ready")
    wait_for(lambda: haproxy.servers()["web2"]["status"] == "UP", 10, "web2 back in HAProxy")
    cluster.signed_in_before = sum(signed_in(browser, user) for user, browser in signed)
    served = Counter(
        r["server"] for r in haproxy.requests() if r["path"].startswith(("/accounts/", OVERVIEW))
    )
    print(
        f"{cluster.signed_in_before} of {len(signed)} people signed in through HAProxy (password, code) while"
        f" web2 was in maintenance: {served['web1']} requests served by web1, {served['web2']} by web2"
    )
    return signed


def surge(args, cluster):
    """``args.users`` Security Officials walk the 2020 flow at once through HAProxy; web1 is killed
    once ``args.kill_at`` of their requests are answered."""
    from django.contrib.auth import get_user_model

    from organizations.models import Role

    names = [USERNAME.format(n) for n in range(args.users)]
    users = get_user_model().objects.in_bulk(names, field_name="username")
    organization_of = dict(
        Role.objects.filter(user__username__in=names).values_list("user__username", "organization_id")
    )
    browsers = {name: Browser(cluster.haproxy.url, session_cookie(users[name])) for name in names}
    expected = args.users * len(STEPS)
    samples, failures, lock, killed = [], [], threading.Lock(), {}
    web1 = cluster.web["web1"]

    def watch_web1_taken_out():
        while cluster.haproxy.servers()["web1"]["status"].startswith("UP"):
            time.sleep(0.05)
        killed["out_after"] = time.time() - killed["at"]

    def record(step, began, seconds, ok, note):
        with lock:
            samples.append((step, began, seconds, ok, note))
            if not killed and len(samples) >= args.kill_at * expected:
                pids = web1.group()
                at = time.time()  # the moment the signal goes: a request it cuts ends after this
                web1.kill()
                killed.update(at=at, after=len(samples), workers=len(pids) - 1)
                threading.Thread(target=watch_web1_taken_out, daemon=True).start()

    barrier = threading.Barrier(args.users)

    def person(name):
        barrier.wait()
        try:
            walk(browsers[name], organization_of[name], record)
        except StepFailed as failure:
            failures.append((name, str(failure)))

    cluster.requests_before_surge = len(cluster.haproxy.requests())
    print(f"\n{args.users} Security Officials at once through HAProxy; load average before {load_average()}")
    threads = [threading.Thread(target=person, args=(name,), daemon=True) for name in names]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"surge took {time.time() - began:.1f} s; load average after {load_average()}")
    if killed:
        print(
            f"web1 (gunicorn's master and its {killed['workers']} workers) killed with SIGKILL"
            f" {killed['at'] - began:.1f} s into the surge, after {killed['after']} of {expected} requests;"
            f" HAProxy took it out {killed.get('out_after', float('nan')):.2f} s later"
        )
    return samples, failures, killed


def report_people(args, cluster, samples, failures, killed):
    problems = [] if killed else ["web1 was never killed"]
    print("\nThe people:")
    print(f"  {'finished the flow':<56} {args.users - len(failures):5d} of {args.users}")
    print(f"  {'requests':<56} {len(samples):5d}")
    errors = [(step, note, began + seconds) for step, began, seconds, ok, note in samples if not ok]
    print(f"  {'answered with an error, so sent again by the person':<56} {len(errors):5d}")
    for step, note, ended in errors:
        after = ended - killed.get("at", ended)
        print(f"    {step}: {note}, {after:.2f} s after the kill")
        # A request's end is its start (wall clock) plus its duration (monotonic clock): a few
        # milliseconds either way.
        if not -0.05 <= after < 5:
            problems.append(f"{step} failed {after:.1f} s from the kill")
    for name, failure in failures:
        print(f"    gave up: {name}: {failure}")
    if failures:
        problems.append(f"{len(failures)} people gave up")
    requests = cluster.haproxy.requests(after=cluster.requests_before_surge)  # the surge's alone
    resent = Counter(step_of(r["method"], r["path"]) for r in requests if r["retries"] != "0")
    print(f"  {'sent to web2 by HAProxy itself (the person saw nothing)':<56} {sum(resent.values()):5d}")
    for step, count in resent.most_common():
        print(f"    {step}: {count}")
    served = Counter(r["server"] for r in requests)
    print(f"  {'served by web1 / web2':<56} {served['web1']:5d} / {served['web2']}")
    return problems


def report_database(args):
    problems = []
    print("\nIn the database:")
    for label, value in check_database([USERNAME.format(n) for n in range(args.users)]).items():
        print(f"  {label:<56} {value:5d} of {args.users}")
        if value != (0 if "more than one" in label or "duplicate" in label else args.users):
            problems.append(f"{label}: {value}")
    return problems


def report_mail(args, cluster, seconds=90):
    """Once the outbox has nothing left to send (at most ``seconds``): what the SMTP server got."""
    from django.db.models import Count

    from qpp_registration.core.background.models import OutgoingEmail

    unsent = OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT)
    deadline = time.monotonic() + seconds
    while unsent.exists() and time.monotonic() < deadline:
        time.sleep(1)
    outbox = dict(OutgoingEmail.objects.values_list("status").annotate(count=Count("id")))
    received = cluster.mail.received
    copies = Counter((to, subject) for to, subject, _message_id in received)
    confirmations = re.compile(r"Registration \S+: Surge Practice \d+ is registered")
    confirmed = sum(1 for _to, subject in copies if confirmations.match(subject))
    twice = sum(count > 1 for count in copies.values())
    print("\nE-mail, as the SMTP server received it:")
    print(f"  {'messages':<56} {len(received):5d}")
    print(f"  {'registration confirmations, one subject each':<56} {confirmed:5d} of {args.users}")
    print(f"  {'a recipient and subject received more than once':<56} {twice:5d}")
    print(
        f"  {'a Message-ID received more than once':<56} {len(received) - len({r[2] for r in received}):5d}"
    )
    print(f"  outbox: {', '.join(f'{count} {status}' for status, count in sorted(outbox.items()))}")
    if (
        confirmed != args.users
        or twice
        or outbox.get(OutgoingEmail.Status.SENT) != len(received)
        or unsent.exists()
    ):
        return [f"e-mail: {confirmed} confirmations, {twice} twice, outbox {outbox}"]
    return []


def report_sessions(cluster, signed):
    still = sum(signed_in(browser, user) for user, browser in signed)
    print("\nThe sessions made on web1, after its death, through HAProxy:")
    print(f"  {'web1 takes connections':<56} {'yes' if answers(cluster.nodes['web1']) else 'no':>5}")
    print(f"  {'still signed in (the page, with their name)':<56} {still:5d} of {len(signed)}")
    if still != len(signed) or cluster.signed_in_before != len(signed):
        return [f"sessions made on web1: {still} of {len(signed)} still signed in"]
    return []


def report_schedules(cluster, seconds):
    """With the schedulers stopped after at least ``seconds`` and the queue empty: the slots each
    claimed (``Enqueued <job>.`` in its log) and the runs of each job on the workers (RQ's
    registries of finished and failed jobs)."""
    import django_rq
    from django.db.models import Count
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    from qpp_registration.core.background.models import ScheduledRun
    from qpp_registration.core.background.scheduler import JOBS

    time.sleep(max(0, seconds - (time.monotonic() - cluster.schedulers_started)))
    for scheduler in cluster.schedulers:
        scheduler.stop()
    ran_for = time.monotonic() - cluster.schedulers_started
    queue = django_rq.get_queue("default")
    wait_for(lambda: queue.count == 0 and StartedJobRegistry(queue=queue).count == 0, 30, "an empty queue")
    runs, failed = Counter(), Counter()
    for registry, counter in (
        (FinishedJobRegistry(queue=queue), runs),
        (FailedJobRegistry(queue=queue), failed),
    ):
        for job in Job.fetch_many(registry.get_job_ids(), connection=queue.connection):
            if job is not None:
                counter[job.func_name] += 1
    slots = dict(ScheduledRun.objects.values_list("job").annotate(count=Count("id")))
    logs = [scheduler.text() for scheduler in cluster.schedulers]
    problems = []
    print(f"\nScheduled jobs (two schedulers for {ran_for:.0f} s, each checking every second):")
    columns = ("time slots", "claimed by 1", "by 2", "ran on a worker", "failed")
    widths = (10, 13, 5, 16, 7)
    print(
        f"  {'job':<20}"
        + "".join(f" {column:>{width}}" for column, width in zip(columns, widths, strict=True))
    )
    for job in JOBS:
        claimed = [log.count(f"Enqueued {job.name}.") for log in logs]
        count = slots.get(job.name, 0)
        values = (count, *claimed, runs[job.task], failed[job.task])
        print(
            f"  {job.name:<20}"
            + "".join(f" {value:{width}d}" for value, width in zip(values, widths, strict=True))
        )
        if not count or sum(claimed) != count or runs[job.task] != count or failed[job.task]:
            problems.append(f"{job.name}: {count} slots, claimed {claimed}, ran {runs[job.task]}")
    delivery = "qpp_registration.core.background.outbox.deliver_email"
    print(f"  e-mail deliveries run on the workers: {runs[delivery]}, failed: {failed[delivery]}")
    return problems


if __name__ == "__main__":
    main()
