#!/bin/bash
# Checkpoints with the real binary: a second process on a running
# checkpoint refuses within a second, changing nothing; `sluice status`
# shows the running holder, the last committed batch and a pending batch
# after a crash; a restart replays it; a damaged last entry is moved aside;
# a planted DB_CONFIG is refused.
. "$(dirname "$0")/lib.sh"

export SLUICE_PLUGIN_PATH="$BUILD/tests/modules/.libs:$BUILD/tests/modules/state/.libs:$SLUICE_PLUGIN_PATH"
CHK=$TMP/chk

pipeline() { # FILE BATCHES TRIGGER
	cat >"$1" <<CONF
name = "chk_it";
trigger = "$3";
checkpoint = "$CHK";
stages = (
  { name = "src"; plugin = "tsrc"; rows = 4; batches = $2; },
  { name = "cnt"; plugin = "tcount"; input = "src"; keys = 5; },
  { name = "out"; plugin = "tsink"; input = "cnt"; path = "$TMP/out.txt"; mode = "update"; }
);
CONF
}

# --- a running holder, a refused second process ---
pipeline "$TMP/long.conf" 1000000 200ms
"$SLUICE_BIN" run "$TMP/long.conf" 2>"$TMP/first.err" &
first=$!
PIDS+=("$first")
wait_for_file "$CHK/commits/1"
find "$CHK" -path "$CHK/state" -prune -o -printf '%p %s %T@\n' | sort >"$TMP/before"
start=$(date +%s%N)
if sluice run "$TMP/long.conf" >"$TMP/second.out" 2>"$TMP/second.err"; then
	fail "a second process ran on a checkpoint in use"
else
	rc=$?
fi
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 1 ] || fail "second process exited $rc, expected 1"
[ "$elapsed" -lt 1000 ] || fail "second process took $elapsed ms to refuse"
grep -v badabi "$TMP/second.err" >"$TMP/second.msg"
[ "$(wc -l <"$TMP/second.msg")" = 1 ] || { cat "$TMP/second.err" >&2; fail "refusal is not one line"; }
expect_grep "checkpoint $CHK: in use by another sluice process (pid $first); stop it or use another checkpoint directory" "$TMP/second.msg"
# The first one still runs and the checkpoint did not change under the
# refusal (the running process may have added entries: compare the files
# that existed before).
kill -0 "$first" || fail "the first process died"
while read -r path size mtime; do
	[ -e "$path" ] || continue
	case "$path" in */progress.jsonl | */lock | */offsets/* | */commits/*) continue ;; esac
	now=$(stat -c '%s' "$path")
	[ -d "$path" ] || [ "$now" = "$size" ] || fail "$path changed under a refused start"
done <"$TMP/before"
[ "$(cat "$CHK/lock")" = "$first" ] || fail "lock file does not hold the first pid"

sluice status "$CHK" -n 3 >"$TMP/status1" || fail "status exited $?"
expect_grep "query:      chk_it (id " "$TMP/status1"
expect_grep "state:      running (pid $first holds the lock)" "$TMP/status1"
expect_grep "batch  time" "$TMP/status1"

kill -TERM "$first"
wait "$first" || fail "the first process exited $? on SIGTERM"
sluice status "$CHK" >"$TMP/status2"
expect_grep "state:      not running" "$TMP/status2"
id=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$CHK/metadata")
expect_grep "(id $id)" "$TMP/status2"
rm -rf "$CHK" "$TMP/out.txt"

# --- a crash, the pending batch in status, the replay ---
pipeline "$TMP/short.conf" 6 available-now
SLUICE_CRASH_AT=sinks-done:3 "$SLUICE_BIN" run "$TMP/short.conf" 2>"$TMP/crash.err"
rc=$?
[ "$rc" = 137 ] || { cat "$TMP/crash.err" >&2; fail "crash run exited $rc, expected 137 (SIGKILL)"; }
expect_grep "crash point 'sinks-done' at batch 3" "$TMP/crash.err"
sluice status "$CHK" >"$TMP/status3"
expect_grep "committed:  batch 2 is the last committed batch" "$TMP/status3"
expect_grep "pending:    batch 3 is logged but not committed" "$TMP/status3"
expect_grep "(logged, not committed)" "$TMP/status3"
SLUICE_LOG=info sluice run "$TMP/short.conf" 2>"$TMP/replay.err" || { cat "$TMP/replay.err" >&2; fail "restart failed"; }
expect_grep "batch 3 was logged but not committed: replaying it" "$TMP/replay.err"
sluice status "$CHK" >"$TMP/status4"
expect_grep "committed:  batch 5 is the last committed batch" "$TMP/status4"
rows=$(tail -1 "$CHK/progress.jsonl" | sed 's/.*"numRowsTotal":\([0-9]*\).*/\1/')
[ "$rows" = 5 ] || fail "numRowsTotal is '$rows', expected 5"

# --- a damaged last entry (a crash while writing it) ---
pipeline "$TMP/short.conf" 8 available-now
SLUICE_CRASH_AT=offsets-written:6 "$SLUICE_BIN" run "$TMP/short.conf" 2>/dev/null
truncate -s 25 "$CHK/offsets/6"
sluice run "$TMP/short.conf" 2>"$TMP/damaged.err" || { cat "$TMP/damaged.err" >&2; fail "restart after a damaged last entry failed"; }
expect_grep "offsets/6 is damaged (cut short: no checksum line); batch 6 never ran, so the entry was moved to $CHK/offsets/6.damaged" "$TMP/damaged.err"
[ -f "$CHK/offsets/6.damaged" ] && [ -f "$CHK/commits/7" ] || fail "batch 6 was not planned again"

# --- a damaged earlier entry: refused ---
pipeline "$TMP/short.conf" 9 available-now
truncate -s 10 "$CHK/offsets/5"
if sluice run "$TMP/short.conf" 2>"$TMP/refused.err"; then fail "ran over a damaged entry"; fi
expect_grep "checkpoint $CHK: $CHK/offsets/5 is damaged (cut short: no checksum line); its batch committed, so the checkpoint needs a person" "$TMP/refused.err"

# --- a planted DB_CONFIG ---
rm -rf "$CHK"
mkdir -p "$CHK/state"
echo "set_flags DB_TXN_NOSYNC" >"$CHK/state/DB_CONFIG"
if sluice run "$TMP/short.conf" 2>"$TMP/dbconfig.err"; then fail "ran with a DB_CONFIG"; fi
expect_grep "checkpoint $CHK: $CHK/state/DB_CONFIG exists: sluice configures Berkeley DB itself" "$TMP/dbconfig.err"
exit 0
