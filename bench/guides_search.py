"""Issue 3: the catalogue at 5,000 items.

1. In-process search: p50/p95 over the evaluation-set queries on a catalogue
   scaled to 5,000 items (synthesised variants of the sample items), against
   the same queries on the sample catalogue alone (baseline). Goal: p95 <= 20 ms.
2. `GET /api/v1/guides/items/{code}` over HTTP: our app (PostgreSQL, 5,000 items)
   against a bare Flask app answering the same JSON bodies, both under
   gunicorn on 127.0.0.1 with the same settings and the same load.
   Goal: ours/bare requests/s >= 0.6.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, drive, get, gunicorn
from .servers import bench_services

TARGET_ITEMS = 5000
ROUNDS = 3
SECONDS = 5
CONCURRENCY = 8
TOWNS = ["莞城", "南城", "东城", "万江", "石碣", "石龙", "茶山", "石排", "企石", "横沥", "桥头", "谢岗", "东坑",
         "常平", "寮步", "樟木头", "大朗", "黄江", "清溪", "塘厦", "凤岗", "大岭山", "长安", "虎门", "厚街",
         "沙田", "道滘", "洪梅", "麻涌", "望牛墩", "中堂", "高埗", "松山湖"]


def scaled_items(sample, target: int = TARGET_ITEMS) -> list[tuple[str, dict]]:
    """The sample items plus town-level variants with their own codes (the
    4-digit sequence moved above 1000 per round), up to `target` items."""
    items = list(sample.items)
    round_ = 0
    while len(items) < target:
        round_ += 1
        town = TOWNS[(round_ - 1) % len(TOWNS)]
        for dept, item in sample.items:
            if len(items) >= target:
                break
            variant = copy.deepcopy(item)
            code = item["code"]
            seq = int(code[4:8]) + 100 * round_
            variant["code"] = f"{code[:4]}{seq:04d}0000"
            variant["implementation_code"] = f"4419{code[:2]}{variant['code']}001"
            variant["name"] = f"{item['name']}（{town}镇街受理）"
            variant["level"] = "town"
            items.append((dept, variant))
    return items


def _queries() -> list[str]:
    """The citizens' evaluation set and the developers' (English, Cantonese,
    life events, pinyin, typos: the typos take the slower fuzzy path)."""
    sys.path.insert(0, str(ROOT))
    from tests.unit.guides.guides_eval_developers import DEVELOPER_EVAL_SET
    from tests.unit.guides.guides_search_eval_set import EVAL_SET

    return [q for q, _ in EVAL_SET + DEVELOPER_EVAL_SET]


def _time_queries(index, queries, repeat: int = 5) -> list[float]:
    timings = []
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            index.search(q).page(0, 20)  # what a request does: rank everything, show one page
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def search_bench() -> dict:
    from guides.search.build import index_from_data, keep_out_of_gc_scans
    from guides.services.loading import read_sample_data

    sample = read_sample_data()
    queries = _queries()
    results = {}
    for label, items in (("sample", sample.items), ("scaled", scaled_items(sample))):
        started = time.perf_counter()
        index = index_from_data(items, sample.departments, sample.themes, life_events=sample.life_events)
        build_s = time.perf_counter() - started
        keep_out_of_gc_scans(len(index.docs))  # as IndexHolder does after each rebuild
        _time_queries(index, queries, repeat=1)  # warm caches
        timings = _time_queries(index, queries)
        results[label] = {"items": len(items), "build_s": round(build_s, 2),
                          "p50_ms": round(statistics.median(timings), 2), "p95_ms": round(_p(timings, 95), 2),
                          "max_ms": round(max(timings), 2)}
    results["ratio_p95_scaled_over_sample"] = round(results["scaled"]["p95_ms"] / results["sample"]["p95_ms"], 2)
    return results


def _prepare_database(tmp: str, env_urls: tuple[str, str]) -> tuple[str, list[str], str]:
    """A catalogue of 5,000 items and the JSON bodies our app serves."""
    from mobile_api import create_app, migrate
    from mobile_api.clock import SystemClock
    from config import load_config
    from guides.services.loading import SampleData, load_catalogue_data, read_sample_data

    url = env_urls[0]
    migrate.upgrade(url)
    sample = read_sample_data()
    data = SampleData(departments=sample.departments, items=scaled_items(sample), themes=sample.themes,
                      life_events=sample.life_events)
    env = dict(os.environ, **_env(tmp, env_urls))
    app = create_app(load_config("development", env))
    codes = [item["code"] for _, item in sample.items]
    with app.app_context():
        db = app.extensions["db"]
        with db.new_session() as session:
            load_catalogue_data(session, SystemClock(), data)
            session.commit()  # load_catalogue_data leaves the commit to its caller; without it every GET was a 404
        client = app.test_client()
        bodies = {code: client.get(f"/api/v1/guides/items/{code}").get_data(as_text=True) for code in codes}
    bodies_path = str(Path(tmp) / "bodies.json")
    Path(bodies_path).write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
    return url, codes, bodies_path


def _env(tmp: str, env_urls: tuple[str, str]) -> dict:
    return {"APP_ENV": "development", "INSTANCE_DIR": tmp, "DATABASE_URL": env_urls[0],
            "REDIS_URL": env_urls[1], "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}


def http_bench() -> dict:
    results = {"ours": [], "bare": []}
    with tempfile.TemporaryDirectory() as tmp, bench_services() as env_urls:
        _, codes, bodies_path = _prepare_database(tmp, env_urls)
        env = dict(_env(tmp, env_urls), GUIDES_BENCH_BODIES=bodies_path)

        def request(i):
            return get(f"/api/v1/guides/items/{codes[i % len(codes)]}")(i)

        with gunicorn("wsgi:app", env=env) as ours, gunicorn("bench.guides_bare_app:app", env=env) as bare:
            for port in (ours, bare):  # every worker builds its index and caches the bodies first
                drive(port, request, CONCURRENCY, duration=3, warmup=0)
            for _ in range(ROUNDS):  # interleaved, so drift hits both alike
                results["ours"].append(drive(ours, request, CONCURRENCY, duration=SECONDS))
                results["bare"].append(drive(bare, request, CONCURRENCY, duration=SECONDS))
    summary = {}
    for name, runs in results.items():
        summary[name] = sorted(runs, key=lambda r: r.rps)[len(runs) // 2].summary()  # the median run
    summary["ratio_rps"] = round(summary["ours"]["rps"] / summary["bare"]["rps"], 3)
    return summary


def main() -> None:
    search = search_bench()
    print(f"in-process search, {len(_queries())} evaluation queries x 5")
    print(json.dumps(search, ensure_ascii=False, indent=2))
    print(f"p95 at {search['scaled']['items']} items = {search['scaled']['p95_ms']} ms (goal <= 20 ms); "
          f"ratio to the {search['sample']['items']}-item baseline = {search['ratio_p95_scaled_over_sample']}")
    http = http_bench()
    print(f"GET /api/v1/guides/items/{{code}}, catalogue of {TARGET_ITEMS} items, 2 gunicorn sync workers, "
          f"{CONCURRENCY} connections, median of {ROUNDS} x {SECONDS}s")
    print(json.dumps(http, ensure_ascii=False, indent=2))
    print(f"ratio ours/bare = {http['ratio_rps']} (goal >= 0.6)")


if __name__ == "__main__":
    main()
