#!/bin/bash
# The batch without new data after a restart, for every window kind in
# append mode: over the same files (one per micro-batch; gen_events with
# event times), an uninterrupted `--trigger available-now` run and a run of
# one process per batch (`--trigger once` until nothing is left) must
# commit the same windows in the same number of batches - the last one the
# batch without new data that the final watermark makes due, which a
# restarted query must still run.  Tumbling windows are checked against the
# generator's answer too.
. "$(dirname "$0")/lib.sh"

GEN=$BUILD/tests/tools/gen_events
COMMITTED=$BUILD/tests/tools/committed
FILES=6
mkdir "$TMP/in" "$TMP/sparse"
"$GEN" "$TMP/in" "$FILES" 3000 12 42 "$TMP/expected" 600 300 || fail "gen_events failed"
# Sessions need gaps: few records per key and file.
"$GEN" "$TMP/sparse" "$FILES" 120 12 43 "$TMP/expected.sparse" 600 300 || fail "gen_events failed"

# conf KIND GEOMETRY : the pipeline for one window kind.
conf() {
	cat >"$TMP/$1.conf" <<EOF
name = "nodata_$1";
stages = (
  { name = "events"; plugin = "file"; path = "\${CRASH_IN}"; format = "json";
    schema = "key STRING, ts STRING, value BIGINT"; max_files_per_trigger = 1; },
  { name = "typed"; plugin = "select"; input = "events";
    exprs = [ "key", "to_timestamp(ts, 'yyyy-MM-dd HH:mm:ss') AS ts", "value" ]; },
  { name = "windows"; plugin = "window"; input = "typed";
    watermark = { column = "ts"; delay = "5 minutes"; };
    time_column = "ts"; kind = "$1"; $2 group_by = [ "key" ];
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "out"; plugin = "file"; input = "windows"; path = "\${CRASH_OUT}"; mode = "append"; }
);
EOF
}

# run KIND DIR ARGS... : one run; its exit status must be 0.
run() {
	local kind=$1 dir=$2 in=$TMP/in
	shift 2
	[ "$kind" = session ] && in=$TMP/sparse
	CRASH_IN=$in CRASH_OUT=$dir/out sluice run "$TMP/$kind.conf" --checkpoint "$dir/chk" "$@" \
		>>"$dir/stdout" 2>>"$dir/log" || { tail "$dir/log" >&2; fail "$kind: a run exited $?"; }
}

for spec in 'tumbling|size = "10 minutes";' \
	'sliding|size = "10 minutes"; slide = "5 minutes";' \
	'session|gap = "2 minutes";'; do
	kind=${spec%%|*}
	conf "$kind" "${spec#*|}"
	mkdir "$TMP/$kind-all" "$TMP/$kind-once"
	run "$kind" "$TMP/$kind-all" --trigger available-now
	"$COMMITTED" --unique "$TMP/$kind-all/out" key,start n total >"$TMP/$kind-all/final" 2>"$TMP/$kind-all/summary" ||
		fail "$kind: committed output unreadable"
	batches=$(sed 's/^batches \([0-9]*\) .*/\1/' "$TMP/$kind-all/summary")
	[ "$batches" -gt "$FILES" ] || fail "$kind: $batches batches, expected a batch without new data after the $FILES files"
	runs=0
	while [ "$runs" -le $((batches + 2)) ]; do
		before=$(ls "$TMP/$kind-once/chk/commits" 2>/dev/null | wc -l)
		run "$kind" "$TMP/$kind-once" --trigger once
		[ "$(ls "$TMP/$kind-once/chk/commits" | wc -l)" -gt "$before" ] || break
		runs=$((runs + 1))
	done
	[ "$runs" = "$batches" ] || fail "$kind: $runs processes committed a batch, the uninterrupted run $batches batches"
	"$COMMITTED" --unique "$TMP/$kind-once/out" key,start n total >"$TMP/$kind-once/final" 2>"$TMP/$kind-once/summary" ||
		fail "$kind: committed output unreadable"
	diff -u "$TMP/$kind-all/final" "$TMP/$kind-once/final" >&2 ||
		fail "$kind: one process per batch committed other windows than an uninterrupted run"
	echo "  $kind: $batches batches, $(wc -l <"$TMP/$kind-all/final") windows, the same one batch per process"
done
diff -u "$TMP/expected" "$TMP/tumbling-all/final" >&2 || fail "tumbling: the windows are not the generator's answer"
exit 0
