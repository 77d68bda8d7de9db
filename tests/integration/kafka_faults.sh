#!/bin/bash
# Kafka faults, with sluice-kafka-mock's fault commands, while pipelines
# run on it: a copying pipeline (topic in -> topic out, exactly-once sink,
# a trigger every 200 ms) and, at the same time, a producing pipeline (rate
# -> topic gen).  kcat keeps producing into "in" meanwhile.  During the run
# a broker goes down and comes back, produce and fetch requests fail with
# retriable errors, round trips slow down, partition leaders move.  The
# output must catch up within seconds of the last fault, and kcat must then
# read every value of "in" exactly once in "out" (and every row of the rate
# source exactly once in "gen").  Then a delivery error that librdkafka does
# not retry stops a batch before it commits, naming topic, partition and
# error; the restart writes the batch exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"

kafka_start --brokers 3 --topic in:3 --topic out:3 --topic gen:2
cat >"$TMP/copy.conf" <<'EOF'
name = "copy";
trigger = "200ms";
stages = (
  { name = "in"; plugin = "kafka"; bootstrap_servers = "${KAFKA}"; subscribe = [ "in" ];
    starting_offsets = "earliest"; },
  { name = "kv"; plugin = "select"; input = "in"; exprs = [ "key", "value" ]; },
  { name = "out"; plugin = "kafka"; input = "kv"; bootstrap_servers = "${KAFKA}"; topic = "out"; }
);
EOF
cat >"$TMP/gen.conf" <<'EOF'
name = "gen";
trigger = "100ms";
stages = (
  { name = "rate"; plugin = "rate"; rows_per_second = 2000; total = 5000; },
  { name = "v"; plugin = "select"; input = "rate"; exprs = [ "CAST(value AS STRING) AS value" ]; },
  { name = "out"; plugin = "kafka"; input = "v"; bootstrap_servers = "${KAFKA}"; topic = "gen"; }
);
EOF

"$SLUICE_BIN" run --progress --checkpoint "$TMP/copy.chk" "$TMP/copy.conf" >/dev/null 2>"$TMP/copy.err" &
copy=$!
PIDS+=("$copy")
"$SLUICE_BIN" run --checkpoint "$TMP/gen.chk" "$TMP/gen.conf" >/dev/null 2>"$TMP/gen.err" &
gen=$!
PIDS+=("$gen")

# kcat produces 40 chunks of 250 values (a chunk every 0.15 s) while a
# schedule of faults runs beside it.
N=10000
faults() {
	sleep 0.5
	kafka_cmd down 2
	sleep 2
	kafka_cmd up 2
	sleep 0.5
	kafka_cmd error Produce NOT_LEADER_FOR_PARTITION 3
	sleep 0.5
	kafka_cmd error Fetch NOT_LEADER_FOR_PARTITION 3
	sleep 0.5
	kafka_cmd rtt 1 100
	sleep 0.5
	kafka_cmd rtt 1 0
	kafka_cmd leader in 0 3
	sleep 0.3
	kafka_cmd leader out 1 2
	sleep 0.3
	kafka_cmd broker-error 1 Fetch REQUEST_TIMED_OUT 2 200
	echo done >"$TMP/faults.done"
}
faults >"$TMP/faults.log" 2>&1 &
PIDS+=("$!")
for c in $(seq 0 39); do
	seq $((c * 250 + 1)) $(((c + 1) * 250)) | awk '{ printf "k%d:v%06d\n", $1 % 31, $1 }' |
		kcat -P -b "$KAFKA" -t in -K: -X message.timeout.ms=60000 || fail "kcat could not produce chunk $c"
	sleep 0.15
done
wait_for_file "$TMP/faults.done"
t_faults=$(date +%s)

# Catch up: every value of "in" in "out".
caught=0
for _ in $(seq 1 300); do
	if [ "$(kafka_count out)" -ge "$N" ]; then
		caught=1
		break
	fi
	kill -0 "$copy" 2>/dev/null || { tail "$TMP/copy.err" >&2; fail "the copying pipeline died"; }
	sleep 0.2
done
[ "$caught" = 1 ] || { tail "$TMP/copy.err" >&2; fail "the output did not catch up within 60 s of the last fault ($(kafka_count out) of $N)"; }
echo "  caught up $(($(date +%s) - t_faults)) s after the last fault"
[ $(($(date +%s) - t_faults)) -le 30 ] || fail "catching up took more than 30 s"
kill -TERM "$copy"
rc=0
wait "$copy" || rc=$?
[ "$rc" = 0 ] || { tail "$TMP/copy.err" >&2; fail "the copying pipeline exited $rc on SIGTERM"; }
seq 1 "$N" | awk '{ printf "v%06d\n", $1 }' >"$TMP/want"
kafka_consume out -f '%s\n' | sort >"$TMP/got"
diff -q "$TMP/want" "$TMP/got" >/dev/null ||
	fail "out: $(wc -l <"$TMP/got") values, $(uniq -d "$TMP/got" | wc -l) twice, $(comm -23 "$TMP/want" "$TMP/got" | wc -l) missing"
echo "  out: $N values, each once"

# The producing pipeline, which ran at the same time.
for _ in $(seq 1 300); do
	kill -0 "$gen" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$gen" || rc=$?
[ "$rc" = 0 ] || { tail "$TMP/gen.err" >&2; fail "the producing pipeline exited $rc"; }
seq 0 4999 | sort >"$TMP/gen.want"
kafka_consume gen -f '%s\n' | sort >"$TMP/gen.got"
diff -q "$TMP/gen.want" "$TMP/gen.got" >/dev/null || fail "gen: not every row exactly once ($(wc -l <"$TMP/gen.got") rows)"
echo "  gen: 5000 rows, each once"

# A delivery error librdkafka does not retry: the batch stops, named; the
# restart writes it once.
sed -e 's/trigger = "200ms";/trigger = "available-now";/' -e 's/topic = "out"; }/topic = "out2"; }/' \
	"$TMP/copy.conf" >"$TMP/once.conf"
kafka_cmd topic out2 2
kafka_cmd error Produce MSG_SIZE_TOO_LARGE 1
rc=0
sluice run --checkpoint "$TMP/once.chk" "$TMP/once.conf" >/dev/null 2>"$TMP/once.err" || rc=$?
[ "$rc" = 1 ] || { cat "$TMP/once.err" >&2; fail "a failed delivery: exited $rc, expected 1"; }
grep -qE "^sluice: error: $TMP/once.conf:[0-9]+: stage 'out': topic out2 partition [01]: Broker: Message size too large \([0-9]+ messages not written\); the batch is not committed" "$TMP/once.err" ||
	{ cat "$TMP/once.err" >&2; fail "the delivery error is not named"; }
sluice run --checkpoint "$TMP/once.chk" "$TMP/once.conf" >/dev/null 2>"$TMP/once2.err" ||
	{ cat "$TMP/once2.err" >&2; fail "the restart after a failed delivery failed"; }
kafka_consume out2 -f '%s\n' | sort >"$TMP/got2"
diff -q "$TMP/want" "$TMP/got2" >/dev/null ||
	fail "out2: $(wc -l <"$TMP/got2") values, $(uniq -d "$TMP/got2" | wc -l) twice after the restart"
echo "  out2: a failed delivery, then every value once"
kafka_stop
exit 0
