#!/bin/bash
# SIGTERM and SIGINT finish the current batch and exit 0; files written by the
# file sink are whole (no temporary files remain).
. "$(dirname "$0")/lib.sh"

for sig in TERM INT; do
	out=$TMP/out-$sig
	cat >"$TMP/p.conf" <<CONF
name = "endless";
trigger = "100ms";
stages = (
  { name = "gen"; plugin = "rate"; rows_per_second = 1000; },
  { name = "out"; plugin = "file"; input = "gen"; path = "$out"; }
);
CONF
	"$SLUICE_BIN" run "$TMP/p.conf" >"$TMP/stdout" 2>"$TMP/err" &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 1 500); do
		n=$(ls "$out" 2>/dev/null | grep -c '\.json$' || true)
		[ "$n" -ge 2 ] && break
		sleep 0.02
	done
	[ "$n" -ge 2 ] || { cat "$TMP/err" >&2; fail "no output files from the endless pipeline"; }
	kill -$sig "$pid"
	rc=0
	for _ in $(seq 1 500); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/err" >&2; fail "SIG$sig: exit $rc, expected 0"; }
	if ls -a "$out" | grep -q '\.tmp'; then fail "temporary files left behind after SIG$sig"; fi
	# every line of every file is a whole JSON object with both columns
	lines=$(cat "$out"/*.json | wc -l)
	good=$(grep -c '^{"timestamp":"[^"]*","value":[0-9]*}$' <(cat "$out"/*.json) || true)
	[ "$lines" -gt 0 ] && [ "$lines" = "$good" ] || fail "SIG$sig: $good of $lines lines well formed"
done
