#!/bin/bash
# The course's Kafka examples end to end on its data ($SLUICE_SEED_DIR),
# against one sluice-kafka-mock (topics as the course creates them: one
# partition each), the data produced and the outputs read with kcat.  Each
# pipeline runs with --trigger available-now on a fresh checkpoint under
# $TMP; a later run on the same checkpoint continues from it.  Topics that
# two examples read (invoices, trades) are read by the later ones from the
# end of what was there before (STARTING_OFFSETS, the pipelines' Spark
# startingOffsets), so each run sees its own data only.
#
#   03 kafka_invoices.conf: the 10 invoices of 03's samples.json -> 31 JSON
#      rows (the committed files of the sink's manifest), equal to the
#      file-fed example's golden formats_invoice_flatten.out, which an
#      independent script rebuilt from the samples (Spark's JSON writer:
#      columns in select order, null fields - City, State, PinCode of a
#      TAKEAWAY - left out, doubles as Java prints them); a second run
#      writes nothing.
#   04 kafka_notifications.conf -> topic notifications, `key<TAB>value` per
#      message (kafka_notifications.out): 10 messages.  The golden files of
#      04, 05, 06 and 07 were written by independent scripts from the
#      samples, not from sluice's output; here InvoiceNumber, CustomerCardNo,
#      TotalAmount and the double TotalAmount * 0.2 in its shortest exact
#      form, which is what Java's Double.toString (Spark's to_json) prints
#      for these values: 3374.0 * 0.2 = 674.8000000000001, 13481.0 * 0.2 =
#      2696.2000000000003.  Every message carries the header
#      sluice=QUERY:BATCH:SEQ, the numbers 0..9 once each.
#   05 kafka_multi_query.conf: the same 10 invoices read once, 10 messages
#      (kafka_multi_query.out: the course's 05 writes to_json(struct(*)),
#      so InvoiceNumber is in the value too) and the same 31 rows as 03.
#   06 kafka_avro_sink.conf on the Scala variant of the samples (lines 7
#      and 8 carry card 4629185211), lines 1-6 then 7-10 in two runs ->
#      topic invoice-items, 31 messages, `key length hex` each
#      (kafka_avro_sink.out): byte for byte what an independent Avro
#      encoder (written from the Avro spec) gives for the flattened rows
#      with the course's schema (["T", "null"] unions, branch 0), which
#      is also the schema Spark's to_avro derives.
#   07 kafka_avro_source.conf after each 06 run, on the same checkpoint,
#      update mode -> topic customer-rewards (kafka_avro_source.out, each
#      run's messages sorted).  By hand from the data (PRIME only; rewards
#      truncated per item before the sum):
#        run 1 (invoices 1-6): 4629185211 11114.0 (3288+2236+2848+2742),
#          rewards 657+447+569+548 = 2221; 2762345282 8272.0,
#          379+356+265+653 = 1653; 7051101351 5824.0, 724+326+113 = 1163.
#        run 2 (7-10): only 4629185211 changes, with its invoices 7 (5560,
#          102+293+399+316 = 1110) and 8 (5235, 75+687+284 = 1046) added to
#          the state of run 1: 21909.0 and 4377 - three invoices combined.
#   08 kafka_tumbling_window.conf: the six trades in one run (the file-fed
#      golden window_tumbling.out), then one trade per run on one
#      checkpoint (window_tumbling_split.out).
#   09 kafka_sliding_window.conf: readings 1-4 (key SET41 through kcat -K:)
#      then 5-8 in a second run: window_sliding.out, the closing no-data
#      batch included.
#   10 kafka_watermark.conf: the records before the course's blank line,
#      run, the rest, run (kafka_watermark.out).  As Spark does when the
#      second part comes later, the first run ends with a no-data batch
#      (Batch: 1, empty: the watermark moved to 10:18) that the file-fed
#      run, which has both parts at once, does not have; the tables with
#      rows are those of window_watermark.out, and the 10:14 SELL is
#      dropped (numRowsDroppedByWatermark 1).
. "$(dirname "$0")/lib.sh"
need_seed
. "$(dirname "$0")/kafka_lib.sh"
SEED=$SLUICE_SEED_DIR
export AVRO_SCHEMA=$SEED/07-KafkaAvroSourceDemo/schema/invoice-items

# run NAME CONF [VAR=VALUE...] : the pipeline with --trigger available-now
# and --progress on the checkpoint $TMP/chk-NAME; console output appended
# to $TMP/NAME.out, progress to $TMP/NAME.err.
run() {
	local name=$1 conf=$2 rc=0
	shift 2
	(
		for v in "$@"; do export "$v"; done
		sluice run --trigger available-now --progress --checkpoint "$TMP/chk-$name" \
			"$SRC/pipelines/$conf" >>"$TMP/$name.out" 2>>"$TMP/$name.err"
	) || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/$name.err" >&2; fail "$conf ($name) exited $rc"; }
}

# committed_rows DIR : the rows of every file the sink's manifest lists, in
# batch order.
committed_rows() {
	local dir=$1 e f
	for e in $(ls "$dir/_sluice_log" | grep -E '^[0-9]+$' | sort -n); do
		for f in $(tr -d '[]"\n' <"$dir/_sluice_log/$e" | tr ',' ' '); do
			cat "$dir/$f"
		done
	done
}

# consume TOPIC [KCAT-ARGS...] : consume without waiting half a second
# (fetch.wait.max.ms) for the end of each partition; count TOPIC : the
# number of messages.
consume() {
	local topic=$1
	shift
	kafka_consume "$topic" -X fetch.wait.max.ms=5 "$@"
}
count() {
	consume "$1" -f 'x\n' | wc -l
}

# records FILE : its lines but the blank ones (separators, not records).
records() {
	grep -v '^[[:space:]]*$' "$1"
}

# hex_messages TOPIC : "key length hex-of-value" per message.
hex_messages() {
	consume "$1" -f '%k %S\n' >"$TMP/hex.len"
	consume "$1" -f '%s' | od -An -v -tx1 | tr -s ' ' '\n' | grep -v '^$' >"$TMP/hex.bytes"
	awk 'NR == FNR { k[NR] = $1; l[NR] = $2; n = NR; next }
		{ b[++m] = $1 }
		END {
			p = 0
			for (i = 1; i <= n; i++) {
				s = ""
				for (j = 0; j < l[i]; j++) s = s b[++p]
				print k[i], l[i], s
			}
			if (p != m) { print "hex_messages: " m - p " bytes left over" > "/dev/stderr"; exit 1 }
		}' "$TMP/hex.len" "$TMP/hex.bytes" || fail "cannot split the messages of $1"
}

kafka_start --topic invoices --topic notifications --topic invoice-items \
	--topic customer-rewards --topic trades --topic sensor

# --- 03: invoices -> flattened JSON files ---
records "$SEED/03-KafkaStreamDemo/datagen/samples.json" | kafka_produce invoices
[ "$(count invoices)" = 10 ] || fail "03: 10 invoices produced, $(count invoices) in the topic"
run 03 kafka_invoices.conf OUTPUT="$TMP/out03"
committed_rows "$TMP/out03" >"$TMP/03.got"
[ "$(wc -l <"$TMP/03.got")" = 31 ] || fail "03: $(wc -l <"$TMP/03.got") rows, expected 31"
expect_golden formats_invoice_flatten.out "$TMP/03.got"
run 03 kafka_invoices.conf OUTPUT="$TMP/out03" # nothing new: no batch
[ "$(ls "$TMP/out03/_sluice_log" | wc -l)" = 1 ] || fail "03: a second run wrote another batch"

# --- 04: invoices -> notifications ---
run 04 kafka_notifications.conf
consume notifications -f '%k\t%s\n' >"$TMP/04.got"
expect_golden kafka_notifications.out "$TMP/04.got"
expect_grep '"EarnedLoyaltyPoints":674.8000000000001}' "$TMP/04.got"
[ "$(consume notifications -f '%h\n' | sed -n 's/^sluice=[0-9a-f-]\{36\}:0:\([0-9]*\)$/\1/p' | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ] ||
	fail "04: not every message has the header sluice=QUERY:0:SEQ, each number once"

# --- 05: one source, notifications to Kafka and rows to files ---
n=$(count notifications)
run 05 kafka_multi_query.conf OUTPUT="$TMP/out05"
consume notifications -o "$n" -f '%k\t%s\n' >"$TMP/05.got"
expect_golden kafka_multi_query.out "$TMP/05.got"
committed_rows "$TMP/out05" >"$TMP/05.rows"
expect_golden formats_invoice_flatten.out "$TMP/05.rows"
expect_grep '"numInputRows":10,' "$TMP/05.err"

# --- 06 -> 07: Avro line items, rewards per card, in two steps ---
SC=$SEED/06-KafkaAvroSinkDemo/scala-variant/data/samples.json
from="{\"invoices\": {\"0\": $(count invoices)}}"
records "$SC" | head -6 | kafka_produce invoices
run 06 kafka_avro_sink.conf STARTING_OFFSETS="$from"
run 07 kafka_avro_source.conf
n=$(count customer-rewards)
records "$SC" | tail -n +7 | kafka_produce invoices
run 06 kafka_avro_sink.conf STARTING_OFFSETS="$from"
run 07 kafka_avro_source.conf
hex_messages invoice-items >"$TMP/06.got"
expect_golden kafka_avro_sink.out "$TMP/06.got"
{
	echo "run 1:"
	consume customer-rewards -c "$n" -f '%k\t%s\n' | LC_ALL=C sort
	echo "run 2:"
	consume customer-rewards -o "$n" -f '%k\t%s\n' | LC_ALL=C sort
} >"$TMP/07.got"
expect_golden kafka_avro_source.out "$TMP/07.got"

# --- 08: tumbling windows, one batch, then one trade per batch ---
S08=$SEED/08-TumblingWindowDemo/data/samples.txt
records "$S08" | kafka_produce trades
run 08 kafka_tumbling_window.conf
expect_golden window_tumbling.out "$TMP/08.out"
from="{\"trades\": {\"0\": $(count trades)}}"
mapfile -t lines08 < <(records "$S08")
for line in "${lines08[@]}"; do
	printf '%s\n' "$line" | kafka_produce trades
	run 08s kafka_tumbling_window.conf STARTING_OFFSETS="$from"
done
expect_golden window_tumbling_split.out "$TMP/08s.out"

# --- 09: sliding windows, the sensor id as the key ---
S09=$SEED/09-SlidingWindowDemo/data/samples.json
records "$S09" | head -4 | kafka_produce sensor -K:
run 09 kafka_sliding_window.conf
records "$S09" | tail -n +5 | kafka_produce sensor -K:
run 09 kafka_sliding_window.conf
[ "$(consume sensor -f '%k\n' | sort -u)" = SET41 ] || fail "09: the keys are not SET41"
expect_golden window_sliding.out "$TMP/09.out"

# --- 10: the watermark, the course's two parts ---
S10=$SEED/10-WatermarkDemo/data/samples.txt
from="{\"trades\": {\"0\": $(count trades)}}"
awk 'NF == 0 { if (n) done = 1; next } !done { n++; print }' "$S10" >"$TMP/10.a"
awk 'NF == 0 { if (n) done = 1; next } done { print } !done { n++ }' "$S10" >"$TMP/10.b"
[ "$(wc -l <"$TMP/10.a")" = 4 ] && [ "$(wc -l <"$TMP/10.b")" = 2 ] || fail "10: expected 4 + 2 records"
kafka_produce trades <"$TMP/10.a"
run 10 kafka_watermark.conf STARTING_OFFSETS="$from"
kafka_produce trades <"$TMP/10.b"
run 10 kafka_watermark.conf STARTING_OFFSETS="$from"
expect_golden kafka_watermark.out "$TMP/10.out"
diff <(grep '^|2019' "$GOLDEN/window_watermark.out") <(grep '^|2019' "$TMP/10.out") >&2 ||
	fail "10: the windows differ from the file-fed run's"
expect_grep '"numRowsDroppedByWatermark":1' "$TMP/10.err"
expect_grep '"watermark":"2019-02-05T10:18:00.000Z"' "$TMP/10.err"

kafka_stop
exit 0
