#!/bin/bash
# sluice-kafka-mock, the Kafka protocol server of the tests and demos: it
# prints its bootstrap list first, listens on 127.0.0.1 only, creates the
# topics it is given, answers fault commands from its control FIFO and its
# standard input ("ok ..." / "error ..."), does not stop at the end of its
# standard input, and stops cleanly on SIGTERM and SIGINT.  kcat, an
# independent client, writes and reads through it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"

kafka_start --brokers 3 --topic invoices:3 --topic one
[ "$(echo "$KAFKA" | tr ',' '\n' | wc -l)" = 3 ] || fail "expected 3 brokers in '$KAFKA'"
kcat -L -b "$KAFKA" >"$TMP/meta" || fail "kcat cannot read the metadata"
expect_grep 'topic "invoices" with 3 partitions' "$TMP/meta"
expect_grep 'topic "one" with 1 partitions' "$TMP/meta"
# Loopback only.
for port in $(echo "$KAFKA" | tr ',' '\n' | cut -d: -f2); do
	if command -v ss >/dev/null 2>&1; then
		ss -ltn "sport = :$port" | grep -q "127.0.0.1:$port" || fail "port $port is not on 127.0.0.1"
		ss -ltn "sport = :$port" | grep -qv "127.0.0.1:$port\|State" && fail "port $port listens beyond loopback"
	fi
done

# Messages through kcat.
printf 'a:1\nb:2\nc:3\n' | kafka_produce invoices -K:
[ "$(kafka_count invoices)" = 3 ] || fail "3 messages written, $(kafka_count invoices) read"

# Fault commands: answered, applied, refused when wrong.
kafka_cmd down 2
kafka_cmd up 2
kafka_cmd rtt 1 50
kafka_cmd rtt 1 0
kafka_cmd leader invoices 0 3
kafka_cmd error Produce NOT_LEADER_FOR_PARTITION 2
kafka_cmd clear Produce
kafka_cmd topic later 2
kcat -L -b "$KAFKA" -t later | grep -q 'topic "later" with 2 partitions' || fail "topic 'later' not created"
echo "bogus 1" >"$KAFKA_CTL"
sleep 0.2
expect_grep "error bogus 1: unknown command" "$KAFKA_OUT"
echo "down 9" >"$KAFKA_CTL"
sleep 0.2
expect_grep "error down 9: no such broker" "$KAFKA_OUT"
[ "$(kafka_count invoices)" = 3 ] || fail "the messages did not survive the faults"
# An injected error reaches a client: its answer comes 1.5 s late (kcat
# then fails or fetches again, as librdkafka decides).
echo "x" | kafka_produce one
kafka_cmd leader one 0 1
kafka_cmd broker-error 1 Fetch REQUEST_TIMED_OUT 1 1500
t0=$(date +%s%N)
timeout 30 kcat -C -b "$KAFKA" -t one -e -q -X fetch.wait.max.ms=5 >/dev/null 2>&1 || true
[ $((($(date +%s%N) - t0) / 1000000)) -ge 1400 ] || fail "the injected fetch error did not delay kcat"

# The end of standard input does not stop it; SIGTERM does, cleanly.
"$KAFKA_MOCK" </dev/null >"$TMP/m2.out" 2>&1 &
pid=$!
PIDS+=("$pid")
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "the end of standard input stopped the server"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "SIGTERM: exited $rc, expected 0"
"$KAFKA_MOCK" </dev/null >"$TMP/m3.out" 2>&1 &
pid=$!
PIDS+=("$pid")
sleep 0.3
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "SIGINT: exited $rc, expected 0"
# A bad command line.
rc=0
"$KAFKA_MOCK" --brokers 0 >/dev/null 2>"$TMP/usage" || rc=$?
[ "$rc" = 2 ] || fail "--brokers 0 exited $rc, expected 2"
expect_grep "usage: sluice-kafka-mock" "$TMP/usage"
kafka_stop
exit 0
