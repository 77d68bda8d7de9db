#!/bin/bash
# The seed's example 1: a server sends "Hello Spark Streaming", then (after
# sluice printed batch 0) "Hello Spark"; both complete-mode tables must match.
. "$(dirname "$0")/lib.sh"

"$BUILD/tests/tools/linesrv" "$TMP/port" \
	"send:Hello Spark Streaming" \
	"wait:$TMP/out:1:Batch: 0" "sleep:200" \
	"send:Hello Spark" \
	"wait:$TMP/out:1:Batch: 1" \
	close >"$TMP/srv.log" 2>&1 &
srv=$!
PIDS+=("$srv")
wait_for_file "$TMP/port"

WC_HOST=127.0.0.1 WC_PORT=$(cat "$TMP/port") \
	sluice run "$SRC/pipelines/word_count.conf" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "sluice run exited $?"; }
wait "$srv" || { cat "$TMP/srv.log" >&2; fail "line server failed"; }
expect_golden word_count.out "$TMP/out"
