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
#   - run as one process per batch (`--trigger once` again and again), also
#     with a crash in every other run;
#   - killed right after an offsets entry was written, the entry then torn;
#   - killed with kill -9 at random moments (40 kills that landed, up to
#     three per checkpoint) and restarted.
# Every scenario must end with committed output equal to the reference: the
# files the sink's manifest lists (never a crashed attempt's leftovers), the
# last update of each key by batch order, nothing missing, nothing twice
# (no key twice in a batch, no file listed twice, as many committed rows as
# the reference).  The scenarios are in crash_lib.sh; crash_window.sh runs
# them on an append-mode window pipeline.
#
# SLUICE_SOAK=1: 1,000,000 records in 40 files, more batch ids, 100 random
# kills.
# SLUICE_CRASH_SEED=N: the same data and random draws as an earlier run
# (the kill moments scale with the reference run's wall time).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crash_lib.sh"

if [ "${SLUICE_SOAK:-0}" = 1 ]; then
	FILES=40 ROWS=1000000 KEYS=20000 KILLS=100 KILLS_EACH=5
	POINT_BATCHES="0 1 13 26 38 39"
else
	FILES=20 ROWS=100000 KEYS=5000 KILLS=40 KILLS_EACH=3
	POINT_BATCHES="0 1 9 18 19"
fi
POINTS="offsets-written sinks-done state-commit committed sink-write"
SEED=${SLUICE_CRASH_SEED:-$(($(date +%s) % 1000000))}
RANDOM=$SEED
echo "crash: seed $SEED (SLUICE_CRASH_SEED=$SEED repeats it), $ROWS records in $FILES files"

GEN=$BUILD/tests/tools/gen_events
IN=$TMP/in
EXPECTED=$TMP/expected
BATCHES=$FILES
COMMITTED_ARGS_PRE=""
COMMITTED_ARGS="key n total"
CONF=$TMP/crash.conf
mkdir "$IN"
"$GEN" "$IN" "$FILES" "$ROWS" "$KEYS" "$SEED" "$EXPECTED" || fail "gen_events failed"

cat >"$CONF" <<'EOF'
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

reference
named_points "$POINTS" "$POINT_BATCHES"
repeated_points
torn_entry 7
torn_entry $((FILES - 1))
one_process_per_batch
random_kills
echo "crash: $n_points crash-point deaths and $kills random kills, all equal to the reference"
