#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the shared office.
#
#   scripts/postgres.sh install        Debian's PostgreSQL server, when missing (root only)
#   scripts/postgres.sh run CMD ARGS…  CMD with $AMUDESK_TEST_POSTGRES naming a server:
#                                      the one already named, else a new cluster started
#                                      here (initdb + pg_ctl, in a temporary folder, on
#                                      127.0.0.1, as a user that is not root), stopped and
#                                      removed when CMD ends. Without PostgreSQL on the
#                                      machine CMD runs alone and the tests say why they
#                                      skip the PostgreSQL half.
#
# The cluster is for tests only: fsync off, trust on loopback, one superuser "amudesk".
set -euo pipefail

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir)"
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

install() {
  pg_bindir >/dev/null && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "PostgreSQL is not installed (no apt-get here)." >&2; return 0; }
  if [ "$(id -u)" -ne 0 ]; then
    echo "The PostgreSQL tests need a server; install it with: sudo apt-get install postgresql" >&2
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run() {
  if [ -n "${AMUDESK_TEST_POSTGRES:-}" ]; then
    exec "$@"
  fi
  # Not local: the EXIT trap reads them after run() has returned.
  if ! bindir="$(pg_bindir)"; then
    exec "$@"
  fi
  local port status
  folder="$(mktemp -d "${TMPDIR:-/tmp}/amudesk-pg.XXXXXX")"
  owner=()
  if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: the server runs as "postgres"
    if ! id postgres >/dev/null 2>&1; then
      echo "PostgreSQL tests skipped: running as root and there is no 'postgres' user." >&2
      rm -rf "$folder"
      exec "$@"
    fi
    chown postgres: "$folder"
    chmod 700 "$folder"
    owner=(runuser -u postgres --)
  fi
  port="$(free_port)"
  "${owner[@]}" "$bindir/initdb" -D "$folder/data" -U amudesk --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 || {
    echo "initdb failed; see below. PostgreSQL tests will be skipped." >&2
    cat "$folder/initdb.log" >&2
    rm -rf "$folder"
    exec "$@"
  }
  "${owner[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $folder -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=200" start >/dev/null
  # Stopped and removed however the command ends (Ctrl+C included).
  trap '"${owner[@]}" "$bindir/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$folder"' EXIT
  export AMUDESK_TEST_POSTGRES="postgresql://amudesk@127.0.0.1:$port/postgres"
  status=0
  "$@" || status=$?
  return $status
}

case "${1:-}" in
  install) install ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 install | run COMMAND [ARGS…]" >&2; exit 2 ;;
esac
