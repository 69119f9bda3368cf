#!/usr/bin/env bash
# scripts/pgserver.sh — start and stop a throwaway PostgreSQL 15 server.
#
#   scripts/pgserver.sh start DIR PORT   initdb + start, run as the postgres OS
#                                        user (initdb refuses root), socket in DIR
#   scripts/pgserver.sh stop DIR         stop it and remove DIR
#
# The server listens only on its Unix socket in DIR, so nothing else on the
# machine can reach it and several can run side by side.  It runs with
# fsync off (the suites' data is thrown away) unless PGSERVER_FSYNC=on
# (the benchmark: a commit then costs what it costs in production).
set -euo pipefail

BINDIR=$(pg_config --bindir)
cmd=$1
dir=$2

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/bash -c "$*"
	else
		bash -c "$*"
	fi
}

case "$cmd" in
start)
	port=$3
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	chmod 755 "$dir"
	as_postgres "'$BINDIR/initdb' -D '$dir/data' -U postgres --auth=trust --no-locale -E UTF8 >'$dir/initdb.log' 2>&1" || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	as_postgres "'$BINDIR/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
		-o \"-p $port -k '$dir' -c listen_addresses='' -c fsync=${PGSERVER_FSYNC:-off} -c max_connections=60\" start >/dev/null" || {
		cat "$dir/server.log" >&2
		exit 1
	}
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_postgres "'$BINDIR/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start DIR PORT | stop DIR" >&2
	exit 2
	;;
esac
