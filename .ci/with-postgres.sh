#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a throw-away PostgreSQL 15 server on 127.0.0.1.
# Installs Debian's postgresql-15 when it is missing (as root); the server is stopped when the command ends.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  else
    echo "PostgreSQL 15 mangler: sudo apt-get install postgresql-15" >&2; exit 1
  fi
fi

PG_PORT=${PG_TEST_PORT:-54329}
DATA=$(mktemp -d /tmp/borgerdialog-pg.XXXXXX)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$DATA"

stop() {
  as_owner "$PG_BIN/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

as_owner "$PG_BIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
  -o "-p $PG_PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres borgerdialog_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/borgerdialog_test"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') på 127.0.0.1:$PG_PORT"
"$@"
