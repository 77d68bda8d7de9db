#!/bin/bash
# Exactly-once under crashes for an append-mode window stage, whose last
# output comes from a batch without new data.  A pipeline  file source ->
# select (to_timestamp) -> window (tumbling 10 minutes, watermark 5 minutes
# behind, count and sum per key) -> file sink (mode append)  over 100,000
# records in 20 files, one file per micro-batch: each file's window closes
# when the next file is read, and the last data file's predecessor closes
# only in batch 20, a batch without new data that the final watermark makes
# due (gen_events explains the data).  The scenarios of crash_lib.sh -
# named crash points (batch 20, the no-data batch, among the targets),
# each point again and again, torn offsets entries (a data batch's and the
# no-data batch's), one process per batch (`--trigger once` 21 times, also
# with crashes between), random kill -9s - must each commit exactly the
# reference: every closed window once (committed --unique), 21 batches.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crash_lib.sh"

FILES=20 ROWS=100000 KEYS=40 KILLS=24 KILLS_EACH=3
POINTS="offsets-written sinks-done state-commit committed sink-write"
SEED=${SLUICE_CRASH_SEED:-$(($(date +%s) % 1000000))}
RANDOM=$SEED
echo "crash_window: seed $SEED (SLUICE_CRASH_SEED=$SEED repeats it), $ROWS records in $FILES files"

GEN=$BUILD/tests/tools/gen_events
IN=$TMP/in
EXPECTED=$TMP/expected
BATCHES=$((FILES + 1))
COMMITTED_ARGS_PRE="--unique"
COMMITTED_ARGS="key,start n total"
CONF=$TMP/crash_window.conf
mkdir "$IN"
"$GEN" "$IN" "$FILES" "$ROWS" "$KEYS" "$SEED" "$EXPECTED" 600 300 || fail "gen_events failed"

cat >"$CONF" <<'EOF'
name = "crash_window";
trigger = "available-now";
stages = (
  { name = "events"; plugin = "file"; path = "${CRASH_IN}"; format = "json";
    schema = "key STRING, ts STRING, value BIGINT"; max_files_per_trigger = 1; },
  { name = "typed"; plugin = "select"; input = "events";
    exprs = [ "key", "to_timestamp(ts, 'yyyy-MM-dd HH:mm:ss') AS ts", "value" ]; },
  { name = "windows"; plugin = "window"; input = "typed";
    watermark = { column = "ts"; delay = "5 minutes"; };
    time_column = "ts"; kind = "tumbling"; size = "10 minutes"; group_by = [ "key" ];
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "out"; plugin = "file"; input = "windows"; path = "${CRASH_OUT}"; mode = "append"; }
);
EOF

reference
# The last batch has no new data and writes the windows of the last-but-one
# file: $KEYS of them.
last=$(ls "$TMP/ref/out/_sluice_log" | sort -n | tail -1)
[ "$last" = "$FILES" ] || fail "reference: the last batch is $last, expected $FILES (the no-data batch)"
grep -q 'part-' "$TMP/ref/out/_sluice_log/$last" || fail "reference: the no-data batch wrote no file"

named_points "offsets-written sinks-done state-commit committed" "0 1 10 19 20"
# (batches 0 and 1 close no window: the sink writes no file there)
named_points sink-write "2 10 19 20"
repeated_points
torn_entry 7
torn_entry "$FILES"
one_process_per_batch
random_kills
echo "crash_window: $n_points crash-point deaths and $kills random kills, all equal to the reference"
