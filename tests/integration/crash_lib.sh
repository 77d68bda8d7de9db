# crash_lib.sh - the exactly-once crash scenarios shared by crash.sh and
# crash_window.sh (sourced after lib.sh).  The caller sets
#   CONF       the pipeline file (reads ${CRASH_IN}, writes ${CRASH_OUT})
#   IN         its input directory
#   EXPECTED   what the committed output must be (the generator's answer)
#   BATCHES    how many batches a fault-free run commits
#   COMMITTED_ARGS  the committed tool's key and fields (and --unique)
#   POINTS     the named crash points
#   KILLS, KILLS_EACH      random kill -9s that must land, and per checkpoint
# and calls the scenario functions below.  Every scenario must end with
# committed output equal to the reference: the files the sink's manifest
# lists (never a crashed attempt's leftovers), nothing missing, nothing
# twice (as many committed batches and rows as the reference).  A test
# whose sink is not a directory redefines out_of (where a scenario's output
# goes: ${CRASH_OUT}), check and reference.

COMMITTED=$BUILD/tests/tools/committed

# out_of DIR : the output of the scenario whose files are in DIR.
out_of() {
	echo "$1/out"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# attempt DIR [VAR=VALUE...] [-- SLUICE-ARGS...] : one run on DIR/chk
# writing DIR/out, its exit status in $rc, its stderr appended to DIR/log.
attempt() {
	local dir=$1 envs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	rc=0
	# (the outer redirection keeps bash's "Killed" notices out of the log)
	{ env "${envs[@]}" CRASH_IN="$IN" CRASH_OUT="$(out_of "$dir")" timeout -k 5 120 \
		"$SLUICE_BIN" run "$CONF" --checkpoint "$dir/chk" "$@" \
		>>"$dir/stdout" 2>>"$dir/log"; } 2>/dev/null || rc=$?
}

# finish DIR : a clean restart must exit 0.
finish() {
	attempt "$1"
	[ "$rc" = 0 ] || { tail -20 "$1/log" >&2; fail "$(basename "$1"): restart exited $rc"; }
}

# check DIR : the committed output must be the reference.
check() {
	local name
	name=$(basename "$1")
	# shellcheck disable=SC2086
	"$COMMITTED" $COMMITTED_ARGS_PRE "$1/out" $COMMITTED_ARGS >"$1/final" 2>"$1/summary" ||
		{ cat "$1/summary" >&2; tail -20 "$1/log" >&2; fail "$name: committed output unreadable"; }
	if ! diff -u "$TMP/ref/final" "$1/final" >"$1/diff"; then
		head -20 "$1/diff" >&2
		tail -20 "$1/log" >&2
		fail "$name: committed output differs from the reference ($(grep -c '^[-+]k' "$1/diff") lines)"
	fi
	# As many committed batches and rows as the reference: no batch
	# committed twice, none missing (the last one may be a batch without
	# new data).
	[ "$(sed 's/ unlisted.*//' "$1/summary")" = "$(sed 's/ unlisted.*//' "$TMP/ref/summary")" ] ||
		fail "$name: committed $(cat "$1/summary"), the reference $(cat "$TMP/ref/summary")"
	echo "  $name: ok ($(cat "$1/summary"))"
}

# reference : the fault-free run, which must equal the generator's answer
# and commit $BATCHES batches; sets WALL (ms).
reference() {
	local t0
	mkdir "$TMP/ref"
	t0=$(now_ms)
	attempt "$TMP/ref"
	WALL=$(($(now_ms) - t0))
	[ "$rc" = 0 ] || { cat "$TMP/ref/log" >&2; fail "the reference run exited $rc"; }
	# shellcheck disable=SC2086
	"$COMMITTED" $COMMITTED_ARGS_PRE "$TMP/ref/out" $COMMITTED_ARGS >"$TMP/ref/final" 2>"$TMP/ref/summary" ||
		{ cat "$TMP/ref/summary" >&2; fail "reference: committed output unreadable"; }
	diff -u "$EXPECTED" "$TMP/ref/final" >"$TMP/ref/diff" ||
		{ head -20 "$TMP/ref/diff" >&2; fail "the reference run's output is not the generator's answer"; }
	grep -q "^batches $BATCHES " "$TMP/ref/summary" ||
		fail "reference: expected $BATCHES batches, got $(cat "$TMP/ref/summary")"
	echo "  reference: ${WALL} ms, $(cat "$TMP/ref/summary")"
}

# expect_death DIR POINT BATCH LABEL : the last attempt died at the point.
expect_death() {
	[ "$rc" = 137 ] || { tail -20 "$1/log" >&2; fail "$4: exited $rc, expected death by SIGKILL (137)"; }
	[ -z "$2" ] || grep -q "crash point '$2' at batch $3" "$1/log" ||
		{ tail -20 "$1/log" >&2; fail "$4: died, but not at the crash point"; }
}

n_points=0

# named_points POINTS BATCHES : each of the named crash points at each of
# the batch ids, then restarted.
named_points() {
	local point batch dir
	for point in $1; do
		for batch in $2; do
			dir=$TMP/point-$point-$batch
			mkdir "$dir"
			attempt "$dir" SLUICE_CRASH_AT="$point:$batch"
			expect_death "$dir" "$point" "$batch" "$point:$batch"
			finish "$dir"
			check "$dir"
			n_points=$((n_points + 1))
			rm -rf "$dir"
		done
	done
}

# repeated_points : each restart dies at its first batch (the replayed
# one) three times, then a clean restart.
repeated_points() {
	local point dir i
	for point in $POINTS; do
		dir=$TMP/again-$point
		mkdir "$dir"
		for i in 1 2 3; do
			attempt "$dir" SLUICE_CRASH_AT="$point"
			expect_death "$dir" "" "" "$point (attempt $i)"
		done
		finish "$dir"
		check "$dir"
		n_points=$((n_points + 3))
		rm -rf "$dir"
	done
}

# torn_entry BATCH : killed right after offsets/BATCH was written, the
# entry then cut short as a crash during its write leaves it; the restart
# moves it aside and plans the batch again.
torn_entry() {
	local dir=$TMP/torn-$1 f size
	mkdir "$dir"
	attempt "$dir" SLUICE_CRASH_AT="offsets-written:$1"
	expect_death "$dir" offsets-written "$1" "torn-$1"
	f=$dir/chk/offsets/$1
	size=$(stat -c %s "$f")
	truncate -s $((size / 2)) "$f"
	finish "$dir"
	grep -q "offsets/$1.damaged" "$dir/log" || { tail -20 "$dir/log" >&2; fail "torn-$1: the damaged entry was not moved aside"; }
	check "$dir"
	rm -rf "$dir"
}

# one_process_per_batch : `--trigger once` again and again, one batch per
# process, until a run commits nothing new; then `--trigger available-now`
# must find nothing left either.
one_process_per_batch() {
	local dir=$TMP/once runs=0 before after
	mkdir "$dir"
	while :; do
		before=$(ls "$dir/chk/commits" 2>/dev/null | wc -l)
		attempt "$dir" -- --trigger once
		[ "$rc" = 0 ] || { tail -20 "$dir/log" >&2; fail "once: run $runs exited $rc"; }
		after=$(ls "$dir/chk/commits" | wc -l)
		[ "$after" -gt "$before" ] || break
		runs=$((runs + 1))
		[ "$runs" -le $((BATCHES + 2)) ] || fail "once: more runs than batches"
	done
	[ "$runs" = "$BATCHES" ] || fail "once: $runs runs committed a batch, expected $BATCHES"
	check "$dir"
	# And the same with a crash in every other run's batch.
	rm -rf "$dir"
	dir=$TMP/once-crash
	mkdir "$dir"
	runs=0
	while [ "$runs" -lt $((BATCHES * 3)) ]; do
		runs=$((runs + 1))
		if [ $((runs % 2)) = 1 ]; then
			attempt "$dir" SLUICE_CRASH_AT=sinks-done -- --trigger once
			[ "$rc" = 137 ] || [ "$rc" = 0 ] || { tail -20 "$dir/log" >&2; fail "once+crash: exited $rc"; }
		else
			attempt "$dir" -- --trigger once
			[ "$rc" = 0 ] || { tail -20 "$dir/log" >&2; fail "once+crash: exited $rc"; }
		fi
	done
	finish "$dir"
	check "$dir"
	echo "  once: $BATCHES processes of one batch each; again with a crash in every other one"
	rm -rf "$dir"
}

kills=0
# random_kills : kill -9 at random moments: each checkpoint takes up to
# KILLS_EACH kills, each after a random time in [0, the reference's wall
# time); a run that finishes first ends the scenario early.  Scenarios go
# on until KILLS kills have landed.
random_kills() {
	local missed=0 s=0 dir moments pid ms
	while [ "$kills" -lt "$KILLS" ]; do
		s=$((s + 1))
		[ "$s" -le $((KILLS * 4)) ] || fail "random kills keep missing: $kills landed in $s scenarios (reference ${WALL} ms)"
		dir=$TMP/kill-$s
		mkdir "$dir"
		moments=""
		for _ in $(seq 1 "$KILLS_EACH"); do
			CRASH_IN="$IN" CRASH_OUT="$(out_of "$dir")" \
				"$SLUICE_BIN" run "$CONF" --checkpoint "$dir/chk" \
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
	echo "  random kills: $kills landed over $s checkpoints ($missed runs finished before their kill)"
}
