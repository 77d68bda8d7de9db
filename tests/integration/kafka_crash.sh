#!/bin/bash
# Exactly-once into Kafka under crashes.  A pipeline  kafka source (topic
# "in", 4 partitions, 10,000 messages) -> select (upper(value)) -> kafka
# sink  reads 1,000 offsets per micro-batch (10 batches) and, in every
# scenario of crash_lib.sh, writes to a topic of its own: killed at each
# named point of the commit protocol - with the sink's own kafka-partial
# (half of a batch acknowledged by the broker, then a power cut) and
# kafka-flushed (all of it acknowledged, not committed) - at several batch
# ids, each point again and again, torn offsets entries, one process per
# batch, and at least 20 kill -9s at random moments; then restarted until
# it exits 0.  Afterwards kcat, an independent client, reads the output
# topic: it must hold every expected value exactly once and nothing else.
# The same again with transactional = true (one Kafka transaction per
# batch) for the named points.  The server is sluice-kafka-mock; Debian
# 12's librdkafka mock does not hide aborted transactions from readers, so
# what kcat reads is the proof.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crash_lib.sh"
. "$(dirname "$0")/kafka_lib.sh"

ROWS=10000 KILLS=20 KILLS_EACH=3
POINTS="offsets-written kafka-partial kafka-flushed sinks-done state-commit committed"
SEED=${SLUICE_CRASH_SEED:-$(($(date +%s) % 1000000))}
RANDOM=$SEED
echo "kafka_crash: seed $SEED (SLUICE_CRASH_SEED=$SEED repeats it), $ROWS messages"

kafka_start --topic in:4
seq 1 "$ROWS" | awk '{ printf "k%03d:m%06d\n", $1 % 97, $1 }' | kafka_produce in -K:
seq 1 "$ROWS" | awk '{ printf "M%06d\n", $1 }' | sort >"$TMP/expected"
IN=in
BATCHES=$((ROWS / 1000))
CONF=$TMP/kafka_crash.conf
cat >"$CONF" <<'EOF'
name = "kafka_crash";
trigger = "available-now";
stages = (
  { name = "in"; plugin = "kafka"; bootstrap_servers = "${KAFKA}"; subscribe = [ "${CRASH_IN}" ];
    starting_offsets = "earliest"; max_offsets_per_trigger = 1000; },
  { name = "up"; plugin = "select"; input = "in";
    exprs = [ "key", "upper(CAST(value AS STRING)) AS value" ]; },
  { name = "out"; plugin = "kafka"; input = "up"; bootstrap_servers = "${KAFKA}";
    topic = "${CRASH_OUT}"; }
);
EOF

# A scenario's output is a topic of its own.
out_of() {
	echo "out-$(basename "$1")"
}

# last_batch DIR : the last committed batch of DIR's checkpoint.
last_batch() {
	ls "$1/chk/commits" 2>/dev/null | sort -n | tail -1
}

check() {
	local name topic
	name=$(basename "$1")
	topic=$(out_of "$1")
	kafka_consume "$topic" -f '%s\n' | sort >"$1/final"
	if ! diff -q "$EXPECTED" "$1/final" >/dev/null; then
		echo "  $name: $(wc -l <"$1/final") messages, $(sort "$1/final" | uniq -d | wc -l) twice, $(comm -23 "$EXPECTED" "$1/final" | wc -l) missing" >&2
		tail -20 "$1/log" >&2
		fail "$name: topic $topic is not every expected value exactly once"
	fi
	[ "$(last_batch "$1")" = "$((BATCHES - 1))" ] || fail "$name: last committed batch $(last_batch "$1"), expected $((BATCHES - 1))"
	echo "  $name: ok ($(wc -l <"$1/final") messages, each once)"
}

reference() {
	local t0
	mkdir "$TMP/ref"
	t0=$(now_ms)
	attempt "$TMP/ref"
	WALL=$(($(now_ms) - t0))
	[ "$rc" = 0 ] || { cat "$TMP/ref/log" >&2; fail "the reference run exited $rc"; }
	check "$TMP/ref"
	echo "  reference: ${WALL} ms"
}

EXPECTED=$TMP/expected
reference
named_points "$POINTS" "0 5 $((BATCHES - 1))"
POINTS="kafka-partial kafka-flushed" repeated_points
torn_entry 7
one_process_per_batch
random_kills

# Transactional: one Kafka transaction per batch, committed with it.
sed 's/topic = "${CRASH_OUT}"; }/topic = "${CRASH_OUT}"; transactional = true; }/' "$CONF" >"$TMP/txn.conf"
grep -q "transactional = true" "$TMP/txn.conf" || fail "could not make the transactional pipeline"
CONF=$TMP/txn.conf
out_of() {
	echo "txn-$(basename "$1")"
}
named_points "kafka-partial kafka-flushed state-commit" "1 $((BATCHES - 1))"
echo "kafka_crash: $n_points crash-point deaths and $kills random kills, every output topic exactly the expected values"
kafka_stop
exit 0
