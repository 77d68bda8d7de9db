#!/bin/bash
# Exactly-once under crashes.  A pipeline  file source -> aggregate (count,
# sum by key, update mode) -> file sink  over >= 100,000 records in 20 files
# (one file per micro-batch, trigger available-now) is
#   - run once without faults: the reference, which must equal the answer
#     the generator computed;
#   - killed at each named crash point of the commit protocol
#     (SLUICE_CRASH_AT=point:batch: offsets-written, sinks-done, state-commit
#     in the core, sink-write in the file sink) at a few batch ids, then
#     restarted until it exits 0; and at each point three restarts in a row
#     (each dying in the batch it replays) before a clean one;
#   - killed with kill -9 at random moments (40 kills that landed, up to
#     three per checkpoint) and restarted.
# Every scenario must end with committed output equal to the reference: the
# files the sink's manifest lists (never a crashed attempt's leftovers), the
# last update of each key by batch order, nothing missing, nothing twice
# (no key twice in a batch, no file listed twice, as many committed rows as
# the reference).
#
# SLUICE_SOAK=1: 1,000,000 records in 40 files, more batch ids, 100 random
# kills.
# SLUICE_CRASH_SEED=N: the same data and random draws as an earlier run
# (the kill moments scale with the reference run's wall time).
. "$(dirname "$0")/lib.sh"

if [ "${SLUICE_SOAK:-0}" = 1 ]; then
	FILES=40 ROWS=1000000 KEYS=20000 KILLS=100 KILLS_EACH=5
	BATCHES="0 1 13 26 38 39"
else
	FILES=20 ROWS=100000 KEYS=5000 KILLS=40 KILLS_EACH=3
	BATCHES="0 1 9 18 19"
fi
POINTS="offsets-written sinks-done state-commit sink-write"
SEED=${SLUICE_CRASH_SEED:-$(($(date +%s) % 1000000))}
RANDOM=$SEED
echo "crash: seed $SEED (SLUICE_CRASH_SEED=$SEED repeats it), $ROWS records in $FILES files"

GEN=$BUILD/tests/tools/gen_events
COMMITTED=$BUILD/tests/tools/committed
IN=$TMP/in
mkdir "$IN"
"$GEN" "$IN" "$FILES" "$ROWS" "$KEYS" "$SEED" "$TMP/expected" || fail "gen_events failed"

cat >"$TMP/crash.conf" <<'EOF'
name = "crash_test";
trigger = "available-now";
stages = (
  { name = "events"; plugin = "file"; path = "${CRASH_IN}"; format = "json";
    schema = "key STRING, value BIGINT"; max_files_per_trigger = 1; },
  { name = "totals"; plugin = "aggregate"; input = "events"; group_by = [ "key" ];
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "out"; plugin = "file"; input = "totals"; path = "${CRASH_OUT}"; mode = "update"; }
);
EOF

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# attempt DIR [VAR=VALUE...] : one run on DIR/chk writing DIR/out, its exit
# status in $rc, its stderr appended to DIR/log.
attempt() {
	local dir=$1
	shift
	rc=0
	# (the outer redirection keeps bash's "Killed" notices out of the log)
	{ env "$@" CRASH_IN="$IN" CRASH_OUT="$dir/out" timeout -k 5 120 \
		"$SLUICE_BIN" run "$TMP/crash.conf" --checkpoint "$dir/chk" \
		>>"$dir/stdout" 2>>"$dir/log"; } 2>/dev/null || rc=$?
}

# finish DIR : restarts until a run exits 0 (a clean restart must).
finish() {
	attempt "$1"
	[ "$rc" = 0 ] || { tail -20 "$1/log" >&2; fail "$(basename "$1"): restart exited $rc"; }
}

# check DIR : the committed output must be the reference.
check() {
	local name
	name=$(basename "$1")
	"$COMMITTED" "$1/out" key n total >"$1/final" 2>"$1/summary" ||
		{ cat "$1/summary" >&2; fail "$name: committed output unreadable"; }
	if ! diff -u "$TMP/ref/final" "$1/final" >"$1/diff"; then
		head -20 "$1/diff" >&2
		tail -20 "$1/log" >&2
		fail "$name: committed output differs from the reference ($(grep -c '^[-+]k' "$1/diff") lines)"
	fi
	# As many committed rows as the reference: no batch committed twice.
	[ "$(sed 's/ unlisted.*//' "$1/summary")" = "$(sed 's/ unlisted.*//' "$TMP/ref/summary")" ] ||
		fail "$name: committed $(cat "$1/summary"), the reference $(cat "$TMP/ref/summary")"
	echo "  $name: ok ($(cat "$1/summary"))"
}

# --- the reference ---
mkdir "$TMP/ref"
t0=$(now_ms)
attempt "$TMP/ref"
WALL=$(($(now_ms) - t0))
[ "$rc" = 0 ] || { cat "$TMP/ref/log" >&2; fail "the reference run exited $rc"; }
"$COMMITTED" "$TMP/ref/out" key n total >"$TMP/ref/final" 2>"$TMP/ref/summary" ||
	{ cat "$TMP/ref/summary" >&2; fail "reference: committed output unreadable"; }
diff -u "$TMP/expected" "$TMP/ref/final" >"$TMP/ref/diff" ||
	{ head -20 "$TMP/ref/diff" >&2; fail "the reference run's totals are not the generator's"; }
grep -q "^batches $FILES " "$TMP/ref/summary" ||
	fail "reference: expected $FILES batches (one file each), got $(cat "$TMP/ref/summary")"
echo "  reference: ${WALL} ms, $(cat "$TMP/ref/summary")"

# --- named crash points ---
n_points=0
for point in $POINTS; do
	for batch in $BATCHES; do
		dir=$TMP/point-$point-$batch
		mkdir "$dir"
		attempt "$dir" SLUICE_CRASH_AT="$point:$batch"
		[ "$rc" = 137 ] || { tail -20 "$dir/log" >&2; fail "$point:$batch: exited $rc, expected death by SIGKILL (137)"; }
		grep -q "crash point '$point' at batch $batch" "$dir/log" ||
			{ tail -20 "$dir/log" >&2; fail "$point:$batch: died, but not at the crash point"; }
		finish "$dir"
		check "$dir"
		n_points=$((n_points + 1))
		rm -rf "$dir"
	done
done

# --- the same point again and again: each restart dies at its first batch
# (the replayed one) three times, then a clean restart ---
for point in $POINTS; do
	dir=$TMP/again-$point
	mkdir "$dir"
	for i in 1 2 3; do
		attempt "$dir" SLUICE_CRASH_AT="$point"
		[ "$rc" = 137 ] || { tail -20 "$dir/log" >&2; fail "$point (attempt $i): exited $rc, expected death by SIGKILL (137)"; }
	done
	finish "$dir"
	check "$dir"
	n_points=$((n_points + 3))
	rm -rf "$dir"
done

# --- kill -9 at random moments ---
# Each checkpoint takes up to KILLS_EACH kills, each after a random time in
# [0, the reference's wall time); a run that finishes first ends the
# scenario early.  Scenarios go on until KILLS kills have landed.
kills=0
missed=0
s=0
while [ "$kills" -lt "$KILLS" ]; do
	s=$((s + 1))
	[ "$s" -le $((KILLS * 4)) ] || fail "random kills keep missing: $kills landed in $s scenarios (reference ${WALL} ms)"
	dir=$TMP/kill-$s
	mkdir "$dir"
	moments=""
	for _ in $(seq 1 "$KILLS_EACH"); do
		CRASH_IN="$IN" CRASH_OUT="$dir/out" \
			"$SLUICE_BIN" run "$TMP/crash.conf" --checkpoint "$dir/chk" \
			>>"$dir/stdout" 2>>"$dir/log" &
		pid=$!
		PIDS+=("$pid")
		ms=$((RANDOM * 32768 + RANDOM))
		ms=$((ms % (WALL + 1)))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill -9 "$pid" 2>/dev/null
		rc=0
		{ wait "$pid"; } 2>/dev/null || rc=$?
		if [ "$rc" = 137 ]; then
			kills=$((kills + 1))
			moments="$moments ${ms}ms"
			echo "killed after $ms ms" >>"$dir/log"
		elif [ "$rc" = 0 ]; then
			missed=$((missed + 1))
			break
		else
			tail -20 "$dir/log" >&2
			fail "kill-$s: a run exited $rc"
		fi
	done
	finish "$dir"
	echo "  kill-$s: killed at$moments"
	check "$dir"
	rm -rf "$dir"
done

echo "crash: $n_points crash-point deaths and $kills random kills over $s checkpoints ($missed runs finished before their kill), all equal to the reference"
