#!/usr/bin/env bash
# Resolve the Apache Kafka broker jars declared in deploy/kafka/pom.xml into a
# cache folder and print that folder's path (the only thing on stdout).
#
# Usage: deploy/kafka/resolve-kafka.sh
#
# Cache: ${CHIBO_CACHE_DIR:-$HOME/.cache/chibo}/kafka-<version>/libs
#   A stamp file next to libs/ records the sha256 of pom.xml, so editing the
#   pom (e.g. a log4j bump) re-resolves; an intact cache costs no Maven run.
# Env:
#   CHIBO_CACHE_DIR   cache root (default $HOME/.cache/chibo)
#   CHIBO_MVN_ARGS    extra Maven arguments, e.g. "-o" or "-s settings.xml"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"

die() { echo "resolve-kafka: $*" >&2; exit 1; }

kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n1)"
[[ -n "$kafka_version" ]] || die "no <kafka.version> in $pom"

cache_root="${CHIBO_CACHE_DIR:-${HOME:-/tmp}/.cache/chibo}"
dest="$cache_root/kafka-$kafka_version"
libs="$dest/libs"
stamp="$dest/.resolved"
want="$(sha256sum "$pom" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$libs"
  exit 0
fi

command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven (Debian: apt-get install maven) or run deploy/scripts/ensure-infra.sh"

mkdir -p "$dest"
# Concurrent test sessions may resolve at the same time; one does the work.
exec 9>"$dest/.lock"
flock 9
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$libs"
  exit 0
fi

staging="$(mktemp -d "$dest/libs.XXXXXX")"
log="$dest/resolve.log"
# shellcheck disable=SC2086  # CHIBO_MVN_ARGS is deliberately word-split
if ! mvn -B -q -f "$pom" ${CHIBO_MVN_ARGS:-} \
    dependency:copy-dependencies -Dkafka.libs.dir="$staging" >"$log" 2>&1; then
  rm -rf "$staging"
  tail -n 40 "$log" >&2
  die "Maven could not resolve Kafka $kafka_version (full log: $log)"
fi
ls "$staging"/kafka_2.13-*.jar >/dev/null 2>&1 || die "resolution produced no kafka_2.13 jar in $staging"

rm -rf "$libs"
mv "$staging" "$libs"
echo "$want" >"$stamp"
echo "$libs"
