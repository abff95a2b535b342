#!/usr/bin/env bash
# Failover of the reporting projector: two projector processes on one reporting database; the
# first is killed (-9) halfway through a replay, the second stands by and finishes it. Prints
# how long the second took to catch up, then checks the read model against a fresh rebuild.
#
# Needs a caught-up reporting database on PostgreSQL and its topics on Kafka, e.g. the ones
#   .venv/bin/python -m bench.reporting --quick --keep
# leaves behind (with KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL set). Then:
#   REPORTING_DATABASE_URL=postgresql+psycopg://…/bench_reporting_…_reporting \
#   KAFKA_BOOTSTRAP_SERVERS=… [KAFKA_SESSION_TIMEOUT_MS=10000] bench/failover.sh
# It forces a replay by adding a column to one read-model table (the projector drops and
# rebuilds an outdated read model), so never point it at a database you care about.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REPORTING_DATABASE_URL:?the reporting database (PostgreSQL) of a kept benchmark run}"
: "${KAFKA_BOOTSTRAP_SERVERS:?the Kafka of that run}"
export CHIBO_BUS=kafka CHIBO_DATA_DIR="${CHIBO_DATA_DIR:-$(mktemp -d)}"
export CHIBO_JWT_SECRET="${CHIBO_JWT_SECRET:-failover-benchmark-secret-0123456789abcdef}"
PSQL_URL="${REPORTING_DATABASE_URL/+psycopg/}"
sql() { psql "$PSQL_URL" -Atc "$1"; }
stored() { sql "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE group_id = 'reporting'"; }
now() { date +%s.%N; }

target=$(stored)
[ "$target" -gt 0 ] || { echo "the projector has stored no offsets here: run the benchmark first" >&2; exit 1; }
sql "ALTER TABLE member_years ADD COLUMN failover_probe TEXT" >/dev/null
logs=$(mktemp -d)
.venv/bin/python -m chibo_reporting.consumer >"$logs/first.log" 2>&1 & first=$!
sleep 2
.venv/bin/python -m chibo_reporting.consumer >"$logs/second.log" 2>&1 & second=$!
until [ "$(stored)" -ge $((target / 2)) ]; do sleep 0.2; done
kill -9 "$first"
killed=$(now) at=$(stored)
wait "$first" 2>/dev/null || true
until [ "$(stored)" -ge "$target" ]; do sleep 0.2; done
done_at=$(now)
kill -TERM "$second"
wait "$second" || true
python3 - "$killed" "$done_at" "$at" "$target" "${KAFKA_SESSION_TIMEOUT_MS:-45000 (kafka-python default)}" <<'EOF'
import sys
killed, done, at, target, session = sys.argv[1:]
print(f"first projector killed at {int(at):,} of {int(target):,} records; the second caught up "
      f"{float(done) - float(killed):.1f} s later; Kafka session timeout {session} ms")
EOF
grep -h "standing by\|taking it over\|taken (epoch" "$logs/second.log"
.venv/bin/python -m chibo_reporting.replay 2>/dev/null >"$logs/replay.json"
python3 - "$logs/replay.json" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
verdict = "equal" if result["equal"] else f"DIFFERENT in {result['differing']}"
print(f"read model vs a fresh rebuild of {result['events']:,} events: {verdict}")
EOF
