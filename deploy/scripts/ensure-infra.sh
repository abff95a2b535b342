#!/usr/bin/env bash
# Make sure the tools the test suite needs for its real Kafka and PostgreSQL are here.
#
# Usage: deploy/scripts/ensure-infra.sh
#
# Checks for Java 17+, Maven and the PostgreSQL server binaries (initdb, pg_ctl).
# As root, missing pieces are installed with apt-get (one `apt-get update`);
# otherwise it exits 1 naming exactly what to install. Then it pre-resolves the
# Kafka broker jars (deploy/kafka/resolve-kafka.sh) so the first test run does
# not pay for the download. Idempotent and silent when everything is present.
#
# Env: CHIBO_CACHE_DIR, CHIBO_MVN_ARGS (see deploy/kafka/README.md).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { echo "ensure-infra: $*" >&2; }

java_major() {
  local java_bin version
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java_bin="$JAVA_HOME/bin/java"
  else
    java_bin="$(command -v java)" || return 1
  fi
  version="$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  [[ -n "$version" ]] || return 1
  # "1.8.0_392" is Java 8; "17.0.15" and "21" are what they say.
  if [[ "$version" == 1.* ]]; then
    echo "${version#1.}" | cut -d. -f1
  else
    echo "$version" | cut -d. -f1 | cut -d- -f1
  fi
}

have_java() {
  local major
  major="$(java_major)" || return 1
  [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17))
}

have_maven() {
  command -v mvn >/dev/null 2>&1
}

has_pg_server() {
  [[ -x "$1/initdb" && -x "$1/pg_ctl" ]]
}

have_postgres() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    [[ -n "$dir" ]] && has_pg_server "$dir" && return 0
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    has_pg_server "$dir" && return 0
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

missing_packages() {
  have_java || echo openjdk-17-jre-headless
  have_maven || echo maven
  have_postgres || echo postgresql
}

install_with_apt() {
  command -v apt-get >/dev/null 2>&1 || {
    say "apt-get not available; install by hand: $*"
    exit 1
  }
  say "installing: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

main() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    if [[ "$(id -u)" -ne 0 ]]; then
      say "missing: ${missing[*]}"
      say "install them with: sudo apt-get install -y ${missing[*]}"
      say "(Debian package names; any Java 17+, Maven 3 and PostgreSQL server with initdb/pg_ctl will do)"
      exit 1
    fi
    install_with_apt "${missing[@]}"
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} > 0)); then
      say "still missing after apt-get install: ${missing[*]}"
      have_java || say "java on PATH is older than 17; set JAVA_HOME to a Java 17+ install"
      exit 1
    fi
  fi
  "$repo_root/deploy/kafka/resolve-kafka.sh" >/dev/null
}

main "$@"
