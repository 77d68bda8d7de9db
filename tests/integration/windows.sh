#!/bin/bash
# The seed's window examples end to end (pipelines/tumbling_window.conf,
# sliding_window.conf, watermark.conf), each fed from a directory of files,
# one file per micro-batch, run with --trigger available-now; the console
# output must equal the golden files tests/golden/window_*.out.
#
# How the course data is split into micro-batches (blank lines are not
# records):
#   08 (tumbling): all six trades in one file -> batch 0 is the seed's table
#      with the running totals (window_tumbling.out); then one trade per file
#      -> update mode shows each batch's changed windows and the later
#      windows whose running totals moved (window_tumbling_split.out).
#   09 (sliding): readings 1-4 in one file, 5-8 in the next; the watermark
#      (30 minutes) then closes the oldest windows in a batch without new
#      data, as Spark does (window_sliding.out).
#   10 (watermark): the records before the course's blank line in one file,
#      the rest in the next (window_watermark.out): the 10:14 SELL is late
#      (its window ended at 10:15, the watermark is 10:48 - 30 min = 10:18)
#      and is dropped and counted (numRowsDroppedByWatermark = 1); with
#      late = "side" it reaches a second sink instead.
. "$(dirname "$0")/lib.sh"
need_seed

S08=$SLUICE_SEED_DIR/08-TumblingWindowDemo/data/samples.txt
S09=$SLUICE_SEED_DIR/09-SlidingWindowDemo/data/samples.json
S10=$SLUICE_SEED_DIR/10-WatermarkDemo/data/samples.txt

# put DIR N : stdin (blank lines dropped) becomes DIR/batch-N, its mtime N
# seconds after a fixed time, so the file source reads the files in order.
put() {
	mkdir -p "$1"
	grep -v '^[[:space:]]*$' >"$1/.tmp"
	touch -d "@$((1600000000 + $2))" "$1/.tmp"
	mv "$1/.tmp" "$1/batch-$(printf %03d "$2")"
}

# run_pipeline CONF DIR OUT [ARGS...] : console output in OUT, progress in
# OUT.progress.
run_pipeline() {
	local conf=$1 dir=$2 out=$3
	shift 3
	INPUT=$dir sluice run --trigger available-now --progress "$SRC/pipelines/$conf" "$@" \
		>"$out" 2>"$out.progress" || { cat "$out.progress" >&2; fail "$conf exited $?"; }
}

# --- 08: the seed's table, all trades in one batch ---
put "$TMP/08" 0 <"$S08"
run_pipeline tumbling_window.conf "$TMP/08" "$TMP/08.out"
expect_golden window_tumbling.out "$TMP/08.out"

# --- 08: one trade per batch ---
n=0
grep -v '^[[:space:]]*$' "$S08" | while IFS= read -r line; do
	printf '%s\n' "$line" | put "$TMP/08s" "$n"
	n=$((n + 1))
done
run_pipeline tumbling_window.conf "$TMP/08s" "$TMP/08s.out"
expect_golden window_tumbling_split.out "$TMP/08s.out"

# --- 09: readings 1-4, then 5-8 ---
grep -v '^[[:space:]]*$' "$S09" | head -4 | put "$TMP/09" 0
grep -v '^[[:space:]]*$' "$S09" | tail -n +5 | put "$TMP/09" 1
run_pipeline sliding_window.conf "$TMP/09" "$TMP/09.out"
expect_golden window_sliding.out "$TMP/09.out"

# --- 10: split at the blank line ---
awk 'NF == 0 { if (n) done = 1; next } !done { n++; print }' "$S10" | put "$TMP/10" 0
awk 'NF == 0 { if (n) done = 1; next } done { print } !done { n++ }' "$S10" | put "$TMP/10" 1
[ "$(wc -l <"$TMP/10/batch-000")" -eq 4 ] || fail "10: expected 4 records before the blank line"
run_pipeline watermark.conf "$TMP/10" "$TMP/10.out"
expect_golden window_watermark.out "$TMP/10.out"
expect_grep '"numRowsDroppedByWatermark":1' "$TMP/10.out.progress"
expect_grep '"watermark":"2019-02-05T10:18:00.000Z"' "$TMP/10.out.progress"

# --- 10 with late = "side": the late record reaches another sink ---
sed -e 's/kind = "tumbling";/kind = "tumbling"; late = "side";/' \
	-e 's/^);$//' "$SRC/pipelines/watermark.conf" >"$TMP/10side.conf"
cat >>"$TMP/10side.conf" <<'EOS'
  ,
  { name = "late_trades";
    plugin = "console";
    input = "windows.late";
    mode = "append"; }
);
EOS
INPUT=$TMP/10 sluice run --trigger available-now --progress "$TMP/10side.conf" \
	>"$TMP/10side.out" 2>"$TMP/10side.err" || { cat "$TMP/10side.err" >&2; fail "10 (late = side) exited $?"; }
expect_grep '|2019-02-05 10:14:00|SELL|   300|       ABX|' "$TMP/10side.out"
expect_grep '"numRowsDroppedByWatermark":0' "$TMP/10side.err"
exit 0
