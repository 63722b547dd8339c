"""Locust users for bench.concurrency: each visit is what a browser sends when a page
is opened — the index, /_dash-layout, /_dash-dependencies, the page-routing
callback — then the page's filter-driven callbacks with a random filter set.

The requests come from a scenario file written by bench.concurrency
($BENCH_SCENARIO). Run through `python -m bench.locustfile` (not the `locust` CLI):
it applies gevent's monkey patch first and bridges an urllib3 1.26 / locust 2.47
import mismatch in this environment, then drives locust as a library.
Every callback body's hash is kept per request, so the parent can check each
answer against the published snapshots.
"""
from gevent import monkey

monkey.patch_all()

import hashlib
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import urllib3.util
import urllib3.util.ssl_

if not hasattr(urllib3.util, "create_urllib3_context"):  # urllib3 1.26 under locust 2.47
    urllib3.util.create_urllib3_context = urllib3.util.ssl_.create_urllib3_context

import gevent
from locust import FastHttpUser, between, task

ERROR_MARKERS = (b"shell-feil",)
SCENARIO = json.loads(Path(os.environ["BENCH_SCENARIO"]).read_text()) if os.environ.get("BENCH_SCENARIO") else None
#: request key -> {body sha1: count}
BODIES: dict = defaultdict(lambda: defaultdict(int))


def _record(key: str, body: bytes) -> None:
    BODIES[key][hashlib.sha1(body).hexdigest()] += 1


class DashUser(FastHttpUser):
    wait_time = between(0.2, 1.0)

    def _get(self, path: str, name: str, check_key: str | None = None):
        with self.client.get(path, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif check_key:
                _record(check_key, r.content)

    def _post(self, body: dict, name: str, key: str):
        with self.client.post("/_dash-update-component", json=body, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif any(m in r.content for m in ERROR_MARKERS):
                r.failure("callback answered with the shell's error message")
            else:
                _record(key, r.content)

    @task
    def visit(self):
        page = random.choice(SCENARIO["pages"])
        self._get(page["path"], name=f"GET page {page['path']}")
        self._get("/_dash-layout", name="GET /_dash-layout", check_key="layout")
        self._get("/_dash-dependencies", name="GET /_dash-dependencies")
        self._post(page["router"], name=f"POST route {page['path']}", key=f"route {page['path']}")
        for i, search in enumerate(random.sample(range(len(SCENARIO["searches"])), k=2)):
            for cb in page["callbacks"]:
                self._post(cb["payloads"][search], name=f"POST {page['path']} {cb['name']}",
                           key=f"{page['path']} {cb['name']} #{search}")


def main() -> int:
    """python -m bench.locustfile HOST USERS SECONDS OUT.json"""
    from locust.env import Environment

    host, users, seconds, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    env = Environment(user_classes=[DashUser], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users / 5)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    total = env.stats.total
    by_name = {name: {"requests": s.num_requests, "failures": s.num_failures,
                      "p50_ms": s.get_response_time_percentile(0.5), "p95_ms": s.get_response_time_percentile(0.95)}
               for (name, _method), s in env.stats.entries.items()}
    errors = [{"name": e.name, "error": str(e.error), "count": e.occurrences} for e in env.stats.errors.values()]
    result = {"requests": total.num_requests, "failures": total.num_failures,
              "p50_ms": total.get_response_time_percentile(0.5), "p95_ms": total.get_response_time_percentile(0.95),
              "p99_ms": total.get_response_time_percentile(0.99), "max_ms": total.max_response_time,
              "rps": total.num_requests / seconds, "seconds": seconds, "users": users,
              "by_name": by_name, "errors": errors, "bodies": {k: dict(v) for k, v in BODIES.items()}}
    with open(out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
