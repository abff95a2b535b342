"""Reporting benchmark: one province-year replayed by the reporting projector from Kafka.

    .venv/bin/python -m bench.reporting [--cells 8000 --members 200000 --year 2025] [--quick]

A synthetic province (bench.province) is written straight into the event stores of members,
meetings, oversight and reporting (PostgreSQL, one database each; the same contract events the
services publish, encoded by `public_registry().encode`), relayed to Kafka by the outbox relay,
then:

- a raw kafka-python loop consumes the four topics (the baseline),
- the reporting projector (consumer group "reporting", in a child process so that its peak RSS
  is its own) replays everything from offset 0 into a fresh read model,
- the reporting API answers province roll-ups for the year and cell reports (p95).

It starts its own Kafka and PostgreSQL (chibo_infra) unless KAFKA_BOOTSTRAP_SERVERS and
DATABASE_URL are set. No timing is asserted: it prints the figures next to the targets.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import multiprocessing
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer

from bench.province import events as plan_events
from bench.province.config import Config
from bench.province.generator import generate
from bench.province.plan import Plan
from bench.province.world import World
from chibo_contracts.catalog import public_registry, topic_for
from chibo_contracts.envelope import Envelope
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_infra.kafka import kafka_bootstrap
from chibo_infra.postgres import create_database, drop_database, postgres_url
from chibo_reporting.config import Settings

SOURCES = ("members", "meetings", "oversight", "reporting")
SECRET = "reporting-benchmark-secret-0123456789abcdef"
TARGETS = {"ratio": 0.4, "replay_seconds": 300, "late_vs_early": 0.8, "rss_mib": 1024,
           "rollup_p95_ms": 1000, "cell_p95_ms": 50}


@dataclass(frozen=True)
class Timed:
    items: int
    seconds: float
    cpu: float = 0.0  # CPU seconds this process spent meanwhile

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=8000)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--districts", type=int, default=0, help="default: cells / 400")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=Settings.batch_size,
                        help="projector poll batch (default: the service's)")
    parser.add_argument("--rollups", type=int, default=20, help="province roll-ups timed")
    parser.add_argument("--cell-reports", type=int, default=200, help="cell reports timed")
    parser.add_argument("--verify-page", type=int, default=10_000,
                        help="streams a page of the walked audit verification")
    parser.add_argument("--quick", action="store_true", help="400 cells, 12,000 members")
    parser.add_argument("--without-tasks", action="store_true",
                        help="leave resolution tasks and their progress reports out of the plan")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the projector (top functions on stderr)")
    parser.add_argument("--project", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.cells, args.members = 400, 12_000
    args.districts = args.districts or max(1, args.cells // 400)
    return args


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def province(args: argparse.Namespace) -> tuple[Plan, float]:
    started = time.monotonic()
    plan = generate(Config(seed=args.seed, cells=args.cells, members=args.members,
                           districts=args.districts, start=date(args.year, 1, 1),
                           end=date(args.year, 12, 31)))
    if args.without_tasks:
        for meeting in plan.meetings:
            meeting.tasks, meeting.task_reports = (), []
    return plan, time.monotonic() - started


def plan_event_stream(plan: Plan) -> dict[str, Iterator[plan_events.Event]]:
    from chibo_reporting.rulebooks import validate

    known = World(plan, include_late=False)
    return {
        "members": plan_events.member_events(plan),
        "meetings": plan_events.meeting_events(plan, known),
        "oversight": itertools.chain(plan_events.oversight_events(plan, known),
                                     plan_events.review_events(plan)),
        "reporting": plan_events.rulebook_events(plan, validate),
    }


def load(store: SqlEventStore, produced: Iterator[plan_events.Event], chunk: int = 2000) -> int:
    """Append in multi-stream batches: consecutive events of one stream in one append."""
    registry = public_registry()
    versions: dict[str, int] = {}
    metadata = Metadata(actor="province-loader")
    pending: list[tuple[str, int, list[NewEvent]]] = []
    count = size = 0
    for event in produced:
        kind = f"{event.source}.{event.type}"
        new = NewEvent(kind, registry.encode(kind, event.data), registry.latest_version(kind))
        if pending and pending[-1][0] == event.stream_id:
            pending[-1][2].append(new)
        else:
            start = versions.get(event.stream_id, 0)
            pending.append((event.stream_id, start, [new]))
        versions[event.stream_id] = versions.get(event.stream_id, 0) + 1
        size += 1
        if size >= chunk:
            store.append_many(pending, metadata)
            count, size, pending = count + size, 0, []
    if pending:
        store.append_many(pending, metadata)
        count += size
    return count


def relay_all(stores: dict[str, SqlEventStore], bus: KafkaBus) -> Timed:
    started, count = time.monotonic(), 0
    publisher = bus.publisher()
    try:
        for source, store in stores.items():
            relay = Relay(store, publisher, topic_for(source), name=f"{source}-relay",
                          batch_size=5000)
            while (published := relay.run_once()) > 0:
                count += published
    finally:
        publisher.close()
    return Timed(count, time.monotonic() - started)


def raw_consume(bootstrap: str, total: int, batch: int, *, decode: bool = False) -> Timed:
    """The baseline: a group member polling the four topics as the bus's subscription does.
    With `decode`, every record is also decoded and validated against its contract (what any
    projector that checks its input pays before writing anything)."""
    consumer = KafkaConsumer(*[topic_for(s) for s in SOURCES], bootstrap_servers=bootstrap,
                             group_id=f"raw-{uuid.uuid4().hex[:8]}", enable_auto_commit=False,
                             auto_offset_reset="earliest",
                             max_partition_fetch_bytes=4 * 1024 * 1024)
    registry = public_registry()
    seen, started, cpu = 0, None, 0.0
    while seen < total:
        batches = consumer.poll(timeout_ms=1000, max_records=batch)
        polled = sum(len(b) for b in batches.values())
        if polled and started is None:
            started, cpu = time.monotonic(), time.process_time()
        if decode:
            for records in batches.values():
                for m in records:
                    registry.decode(Envelope.from_message(
                        m.value, tuple((k, v or b"") for k, v in m.headers or [])))
        seen += polled
    seconds = time.monotonic() - (started or time.monotonic())
    cpu = time.process_time() - cpu
    consumer.close()
    return Timed(seen, seconds, cpu)


def project(args: argparse.Namespace) -> dict[str, Any]:
    """In the child process: replay every topic into a fresh read model, then report."""
    from chibo_reporting.bootstrap import bootstrap

    service = bootstrap(Settings.from_env())
    runner = service.projector()
    runner.batch_size = args.batch_size
    runner.open()
    timeline: list[tuple[float, int, int]] = []  # (seconds, events stored, their bytes)
    seen = dead = size = 0
    started = None
    cpu_at_start = (0, 0)
    own_cpu, writer_cpu = 0.0, 0.0
    try:
        while seen < args.events:
            if started is None:  # the clocks start before the call that brings the first
                # events (it folds them); once started, nothing more is read in the loop
                before = (time.monotonic(), machine_cpu(), time.process_time(),
                          sum(process_cpu(child.pid)
                              for child in multiprocessing.active_children()))
            report = runner.run_once()
            if report.polled and started is None:
                started, cpu_at_start, own_cpu, writer_cpu = before
            events = report.applied + report.duplicates + len(report.dead_letters)
            seen += events
            dead += len(report.dead_letters)
            size += report.polled_bytes
            if report.polled:  # events count once stored: the batch just polled may still
                # be in the writer process (the one before it is stored by now)
                pending = (events, report.polled_bytes) if runner.in_flight else (0, 0)
                timeline.append((time.monotonic() - (started or 0.0),
                                 seen - pending[0], size - pending[1]))
        runner.drain()  # the replay ends when its last batch is stored
        timeline.append((time.monotonic() - (started or 0.0), seen, size))
        (busy, total), (busy_before, total_before) = machine_cpu(), cpu_at_start
        busy, total = busy - busy_before, total - total_before
        own_cpu = time.process_time() - own_cpu
        writer_kib = sum(peak_rss_kib(child.pid) for child in multiprocessing.active_children())
        runner.close()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the writer, once joined
        writer_cpu = children.ru_utime + children.ru_stime - writer_cpu
    finally:
        runner.close()
    tick = os.sysconf("SC_CLK_TCK")
    return {"events": seen, "dead_letters": dead, "timeline": timeline,
            "seconds": timeline[-1][0] if timeline else 0.0,
            "max_rss_kib": peak_rss_kib() + writer_kib, "writer_rss_kib": writer_kib,
            "machine_busy": busy / total if total else 0.0,
            "cpu_seconds": {"folding": own_cpu, "writer": writer_cpu,
                            "machine": busy / tick}}


def machine_cpu() -> tuple[int, int]:
    """Busy and total CPU time of the whole machine so far (every core, in clock ticks): the
    projector shares the cores with PostgreSQL and Kafka here."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a live process has used so far (0 before it starts)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid: int | None = None) -> int:
    """A process's own peak RSS (this one's by default). Not `ru_maxrss`: Linux carries the
    parent's high-water mark over fork and exec, so a child of the (2 GiB) benchmark would
    report the parent's."""
    try:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        if pid is not None:
            return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def replay_in_child(env: dict[str, str], args: argparse.Namespace, events: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.reporting", "--project", "--events", str(events),
               "--batch-size", str(args.batch_size), *(["--profile"] if args.profile else [])]
    done = subprocess.run(command, env=os.environ | env, capture_output=True, text=True,
                          check=False, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise RuntimeError(f"the projector failed:\n{done.stderr[-4000:]}")
    if args.profile:
        print(done.stderr, file=sys.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def edges(timeline: list[list[float]], total: int, column: int = 1) -> tuple[float, float]:
    """Events (or, column 2, bytes) per second over the first and the last 10 % of the
    events. The two ends carry different events (registrations and visits first, roll calls
    and task reports last), so bytes per second is the measure that the mix does not move."""
    tenth = total / 10
    first = next(point for point in timeline if point[1] >= tenth)
    start_of_last = next(point for point in timeline if point[1] >= total - tenth)
    end = timeline[-1]
    early = first[column] / first[0] if first[0] else 0.0
    late_seconds = end[0] - start_of_last[0]
    late = (end[column] - start_of_last[column]) / late_seconds if late_seconds else 0.0
    return early, late


def tenths(timeline: list[list[float]], total: int) -> list[tuple[float, float]]:
    """(events per second, bytes per event) over each tenth of the events, from the first
    point at or past each tenth to the next: where the replay slows down, and whether the
    events there are heavier (the mix moves over the year)."""
    start, found = [0.0, 0, 0], []
    for k in range(1, 11):
        end = next(point for point in timeline if point[1] >= total * k / 10)
        events, seconds = end[1] - start[1], end[0] - start[0]
        if events and seconds:
            found.append((events / seconds, (end[2] - start[2]) / events))
        start = end
    return found


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_queries(env: dict[str, str], plan: Plan, args: argparse.Namespace) -> dict[str, Any]:
    from chibo_reporting.app import create_app
    from chibo_web.auth import issue_token

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        app = create_app(Settings.from_env())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    token = issue_token(SECRET, sub="bench", roles=["admin"], scope=["*"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    year = str(args.year)

    def timed_get(path: str, params: dict[str, str]) -> float:
        started = time.perf_counter()
        answer = client.get(path, query_string=params, headers=headers)
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} {params} → {answer.status_code}: "
                               f"{answer.get_data(as_text=True)[:500]}")
        return elapsed

    province = f"/reports/units/{plan.province_id}"
    first = timed_get(province, {"period": year})
    rollups = [timed_get(province, {"period": year}) for _ in range(args.rollups)]
    rng = random.Random(args.seed)
    cells = [c.id for c in plan.cells() if c.ended_on is None]
    # Live traffic: between roll-ups, 1 % of the cells get new facts (a new stamp, as the
    # projector gives them), so each roll-up re-evaluates those and reuses the rest.
    engine = create_engine(env["REPORTING_DATABASE_URL"])
    changing = []
    for _ in range(args.rollups):
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE cell_stamps SET stamp = :stamp WHERE cell_id = :cell"),
                         [{"stamp": uuid.uuid4().hex, "cell": cell}
                          for cell in rng.sample(cells, max(1, len(cells) // 100))])
        changing.append(timed_get(province, {"period": year}))
    engine.dispose()
    periods = [year, *(f"{year}-Q{q}" for q in range(1, 5)),
               *(f"{year}-{m:02d}" for m in range(1, 13))]
    reports = [timed_get(f"/reports/cells/{rng.choice(cells)}", {"period": rng.choice(periods)})
               for _ in range(args.cell_reports)]
    return {"rollup_first_ms": first * 1000, "rollup_p95_ms": p95(rollups) * 1000,
            "rollup_changing_p95_ms": p95(changing) * 1000,
            "rollup_median_ms": statistics.median(rollups) * 1000,
            "cell_p95_ms": p95(reports) * 1000, "cell_median_ms": statistics.median(reports) * 1000,
            "verify": time_verify(client, headers, env["REPORTING_DATABASE_URL"],
                                  args.verify_page)}


def time_verify(client: Any, headers: dict[str, str], url: str, page_size: int
                ) -> dict[str, float]:
    """`GET /audit/verify?source=meetings` (every meeting's chain, the largest source) against
    its baseline in the same run: a plain read of the same rows in the same order; then the
    same walked in pages of `page_size` streams."""
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=1000).execute(sa.text(
            "SELECT * FROM audit_events WHERE source = 'meetings' "
            "ORDER BY stream_id, stream_version"))
        read = sum(1 for _ in rows)
    scan = time.perf_counter() - started
    engine.dispose()
    started = time.perf_counter()
    answer = client.get("/audit/verify", query_string={"source": "meetings"}, headers=headers)
    seconds = time.perf_counter() - started
    body = answer.get_json()
    if answer.status_code != 200 or not body["ok"] or body["events"] != read:
        raise RuntimeError(f"GET /audit/verify → {answer.status_code}: {str(body)[:500]}")
    pages: list[float] = []
    walked, query = 0, {"source": "meetings", "limit": page_size}
    while True:
        started = time.perf_counter()
        page = client.get("/audit/verify", query_string=query, headers=headers).get_json()
        pages.append(time.perf_counter() - started)
        if not page.get("ok"):
            raise RuntimeError(f"GET /audit/verify, a page → {str(page)[:500]}")
        walked += page["events"]
        if page["next"] is None:
            break
        query["after"] = page["next"]
    if walked != read:
        raise RuntimeError(f"the pages verified {walked:,} events of {read:,}")
    return {"events": read, "seconds": seconds, "scan_seconds": scan, "page_size": page_size,
            "pages": len(pages), "pages_seconds": sum(pages), "page_max_seconds": max(pages)}


@contextmanager
def databases(server: str, keep: bool) -> Iterator[dict[str, str]]:
    run = uuid.uuid4().hex[:8]
    names = {source: f"bench_reporting_{run}_{source}" for source in SOURCES}
    urls = {source: create_database(server, name) for source, name in names.items()}
    try:
        yield urls
    finally:
        if not keep:
            for name in names.values():
                drop_database(server, name)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.project:
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        answer = project(args)
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        print(json.dumps(answer))
        return
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or stack.enter_context(
            kafka_bootstrap())
        server = os.environ.get("DATABASE_URL") or stack.enter_context(postgres_url())
        urls = stack.enter_context(databases(server, args.keep))
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reporting-"))
        plan, generated = province(args)
        results["plan"] = plan.summary() | {"seconds": round(generated, 1)}
        say(f"generated {results['plan']}")
        bus = KafkaBus(bootstrap)
        bus.ensure_topics([topic_for(s) for s in SOURCES], args.partitions)
        stores = {}
        started, loaded = time.monotonic(), 0
        for source, produced in plan_event_stream(plan).items():
            store = SqlEventStore(create_engine(urls[source]), source)
            store.create_tables()
            stores[source] = store
            loaded += load(store, produced)
        results["load"] = Timed(loaded, time.monotonic() - started)
        say(f"loaded {loaded:,} events into the stores in {results['load'].seconds:.0f} s")
        results["relay"] = relay_all(stores, bus)
        say(f"relayed to Kafka in {results['relay'].seconds:.0f} s")
        results["raw"] = raw_consume(bootstrap, loaded, args.batch_size)
        say(f"raw consume: {results['raw'].rate:,.0f} records/s")
        results["decoded"] = raw_consume(bootstrap, loaded, args.batch_size, decode=True)
        say(f"consume and decode: {results['decoded'].rate:,.0f} records/s")
        env = {"CHIBO_BUS": "kafka", "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
               "KAFKA_PARTITIONS": str(args.partitions), "CHIBO_DATA_DIR": data_dir,
               "REPORTING_DATABASE_URL": urls["reporting"], "CHIBO_JWT_SECRET": SECRET}
        results["replay"] = replay_in_child(env, args, loaded)
        say(f"replayed in {results['replay']['seconds']:.0f} s")
        results["queries"] = time_queries(env, plan, args)
        for store in stores.values():
            store.engine.dispose()
    print_results(args, results)


def cpu_per_event(raw: Timed, decoded: Timed, replay: dict[str, Any]) -> str:
    """Where the replay's CPU goes, per event, against what the target's rate allows: the
    projector's two processes and the rest of the machine (PostgreSQL, Kafka) share its cores."""
    events = replay["events"] or 1
    cpu = {name: seconds / events * 1e6 for name, seconds in replay.get("cpu_seconds", {}).items()}
    if not cpu:
        return "CPU per event: not measured"
    folding, writer, machine = cpu["folding"], cpu["writer"], cpu["machine"]
    wall = 1e6 / (TARGETS["ratio"] * raw.rate) if raw.rate else 0.0
    cores = os.cpu_count() or 1
    return (f"CPU per event: raw loop {raw.cpu / raw.items * 1e6:.0f} µs, with decoding "
            f"{decoded.cpu / decoded.items * 1e6:.0f} µs; replay {machine:.0f} µs on the whole "
            f"machine = folding process {folding:.0f} + writer process {writer:.0f} + the rest "
            f"(PostgreSQL, Kafka) {machine - folding - writer:.0f}; at {TARGETS['ratio']} of the "
            f"raw rate an event has {wall:.0f} µs of wall time, {wall * cores:.0f} µs of CPU "
            f"on {cores} cores")


def print_results(args: argparse.Namespace, results: dict[str, Any]) -> None:
    replay, queries = results["replay"], results["queries"]
    raw: Timed = results["raw"]
    projected = Timed(replay["events"], replay["seconds"])
    early, late = edges(replay["timeline"], replay["events"])
    early_bytes, late_bytes = edges(replay["timeline"], replay["events"], column=2)
    rss_mib = replay["max_rss_kib"] / 1024
    rows = [
        ("projection vs raw consume", projected.rate / raw.rate, "ratio", "ratio", ">="),
        ("replay of the province-year", projected.seconds, "s", "replay_seconds", "<="),
        ("last 10 % vs first 10 %", late / early if early else 0.0, "ratio", "late_vs_early",
         ">="),
        ("projector peak RSS", rss_mib, "MiB", "rss_mib", "<="),
        ("province roll-up p95 (1 % new)", queries["rollup_changing_p95_ms"], "ms",
         "rollup_p95_ms", "<="),
        ("cell report p95", queries["cell_p95_ms"], "ms", "cell_p95_ms", "<="),
    ]
    print(f"\nreporting benchmark {time.strftime('%Y-%m-%d %H:%M')} — cells {args.cells}, "
          f"members {args.members}, year {args.year}, partitions {args.partitions}, "
          f"batch {args.batch_size}{', without tasks' if args.without_tasks else ''}")
    print(f"plan: {results['plan']}")
    load, relay = results["load"], results["relay"]
    print(f"load into the event stores: {load.items:,} events in {load.seconds:.0f} s "
          f"({load.rate:,.0f}/s); relay to Kafka: {relay.rate:,.0f}/s")
    decoded: Timed = results["decoded"]
    print(f"consume + contract decode (ceiling of a validating projector): {decoded.rate:,.0f}"
          f"/s = {decoded.rate / raw.rate:.2f} of the raw loop")
    print(f"raw kafka-python consume: {raw.items:,} records in {raw.seconds:.1f} s "
          f"({raw.rate:,.0f}/s); projector: {projected.items:,} events in "
          f"{projected.seconds:.1f} s ({projected.rate:,.0f}/s), first 10 % {early:,.0f}/s, "
          f"last 10 % {late:,.0f}/s (in bytes: {early_bytes / 1e6:.2f} MB/s first, "
          f"{late_bytes / 1e6:.2f} MB/s last = {late_bytes / early_bytes:.2f}), dead letters "
          f"{replay['dead_letters']}; the machine's cores were "
          f"{replay.get('machine_busy', 0.0):.0%} busy during the replay; peak RSS of the folding "
          f"process "
          f"{(replay['max_rss_kib'] - replay.get('writer_rss_kib', 0)) / 1024:.0f} MiB + of the "
          f"writer process {replay.get('writer_rss_kib', 0) / 1024:.0f} MiB")
    by_tenth = tenths(replay["timeline"], replay["events"])
    print("by tenth of the events: " + ", ".join(f"{rate:,.0f}/s ({size:.0f} B)"
                                                  for rate, size in by_tenth))
    print(cpu_per_event(raw, decoded, replay))
    print(f"roll-up: first (every cell evaluated) {queries['rollup_first_ms']:.0f} ms, median "
          f"{queries['rollup_median_ms']:.0f} ms, p95 with 1 % of the cells changed before each "
          f"{queries['rollup_changing_p95_ms']:.0f} ms; cell report median "
          f"{queries['cell_median_ms']:.1f} ms")
    verify = queries["verify"]
    slower = verify["seconds"] / verify["scan_seconds"]
    print(f"audit verification of meetings: {verify['events']:,} events in "
          f"{verify['seconds']:.1f} s = {slower:.1f} times a plain read of the same rows "
          f"({verify['scan_seconds']:.1f} s); in {verify['pages']} pages of "
          f"{verify['page_size']:,} streams {verify['pages_seconds']:.1f} s, the slowest page "
          f"{verify['page_max_seconds']:.2f} s")
    for name, value, unit, key, sense in rows:
        target = TARGETS[key]
        met = value >= target if sense == ">=" else value <= target
        print(f"{name:<30} {value:>10,.2f} {unit:<5} target {sense} {target:<6} "
              f"{'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
