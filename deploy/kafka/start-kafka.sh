#!/usr/bin/env bash
# Start a throw-away single-node Apache Kafka broker (KRaft mode) in the foreground.
#
# Usage: deploy/kafka/start-kafka.sh PORT DATA_DIR [CONTROLLER_PORT]
#
#   PORT             client (PLAINTEXT) port on 127.0.0.1; advertised as 127.0.0.1:PORT
#   DATA_DIR         existing or new directory for config, data and kafka.log
#   CONTROLLER_PORT  KRaft controller port on 127.0.0.1 (default: a free port)
#
# The jars come from deploy/kafka/resolve-kafka.sh (Maven, cached). The broker
# logs to DATA_DIR/kafka.log; stdout stays quiet. The script execs java, so the
# broker runs under this script's PID: send it SIGTERM to stop it.
#
# Env:
#   CHIBO_CACHE_DIR         jar cache root (default $HOME/.cache/chibo)
#   CHIBO_MVN_ARGS          extra Maven arguments for the resolve step
#   JAVA_HOME               used to find java when set (else java on PATH)
#   CHIBO_KAFKA_HEAP_OPTS   default "-Xms128m -Xmx512m"
#   CHIBO_KAFKA_JVM_OPTS    extra JVM options
#   CHIBO_KAFKA_CLUSTER_ID  cluster id for a fresh DATA_DIR (default: StorageTool random-uuid)
#   CHIBO_KAFKA_WATCH_PID   if set, the broker is stopped and DATA_DIR deleted once
#                           that PID is gone (no broker outlives a killed test run)
set -euo pipefail

die() { echo "start-kafka: $*" >&2; exit 1; }

[[ $# -ge 2 && $# -le 3 ]] || die "usage: $0 PORT DATA_DIR [CONTROLLER_PORT]"
port="$1"
data_dir="$2"
controller_port="${3:-}"
[[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java="$JAVA_HOME/bin/java"
else
  java="$(command -v java)" || die "java not found; install Java 17+ (Debian: apt-get install openjdk-17-jre-headless)"
fi

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if [[ "$candidate" != "$port" ]] && port_is_free "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  die "no free controller port found"
}

[[ -n "$controller_port" ]] || controller_port="$(free_port)"

libs="$("$here/resolve-kafka.sh")"

mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
config="$data_dir/server.properties"
log4j_config="$data_dir/log4j2.properties"

# Replication factors and ISR are 1 because there is one broker; the internal
# topics get few partitions because creating 50 of them slows the first
# consumer-group/transaction call in every test session.
cat >"$config" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
log.retention.ms=-1
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=3
num.network.threads=2
num.io.threads=4
EOF

cat >"$log4j_config" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $data_dir/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
EOF

jvm_opts=(-Djava.awt.headless=true "-Dlog4j2.configurationFile=$log4j_config" "-Dkafka.logs.dir=$data_dir")

# The storage tool runs for about a second: C1-only JIT and the serial GC start faster.
storage_tool=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "${jvm_opts[@]}" -cp "$libs/*" kafka.tools.StorageTool)

if [[ ! -f "$data_dir/data/meta.properties" ]]; then
  cluster_id="${CHIBO_KAFKA_CLUSTER_ID:-$("${storage_tool[@]}" random-uuid)}"
  if ! "${storage_tool[@]}" format \
      --cluster-id "$cluster_id" --config "$config" --standalone \
      >"$data_dir/format.log" 2>&1; then
    cat "$data_dir/format.log" >&2
    die "formatting the KRaft storage failed"
  fi
fi

if [[ -n "${CHIBO_KAFKA_WATCH_PID:-}" ]]; then
  # $$ becomes the broker's PID after exec below.
  (
    while kill -0 "$CHIBO_KAFKA_WATCH_PID" 2>/dev/null; do
      kill -0 $$ 2>/dev/null || exit 0
      sleep 2
    done
    kill -TERM $$ 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 $$ 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 $$ 2>/dev/null; then kill -KILL $$ 2>/dev/null || true; fi
    rm -rf "$data_dir"
  ) </dev/null >/dev/null 2>&1 &
fi

# shellcheck disable=SC2086  # heap and extra options are deliberately word-split
exec "$java" ${CHIBO_KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} "${jvm_opts[@]}" ${CHIBO_KAFKA_JVM_OPTS:-} \
  -cp "$libs/*" kafka.Kafka "$config"
