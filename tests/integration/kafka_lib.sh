# kafka_lib.sh - a Kafka protocol server for the integration tests
# (sourced after lib.sh): sluice-kafka-mock as a process of its own on
# 127.0.0.1, stopped by lib.sh's cleanup (SIGTERM), also when a test
# fails; kcat as the independent client.
#
#   kafka_start [--brokers N] [--topic NAME[:PARTITIONS]]...
#       starts the server; KAFKA holds its bootstrap list
#   kafka_cmd COMMAND...      a fault command (sluice-kafka-mock(1)); waits
#                             for its answer and fails the test on "error"
#   kafka_produce TOPIC [KCAT-ARGS...] < LINES
#   kafka_consume TOPIC [KCAT-ARGS...]   every message, to stdout, then exits
#                             (read again when kcat fails: an injected fault)
#   kafka_count TOPIC         the number of messages in a topic
#   kafka_stop                stops the server (SIGTERM) and waits for it

KAFKA_MOCK=$BUILD/plugins/sluice-kafka-mock
command -v kcat >/dev/null 2>&1 || fail "kcat is not installed (apt-get install kcat)"

kafka_start() {
	KAFKA_CTL=$TMP/kafka.ctl
	KAFKA_OUT=$TMP/kafka.out
	rm -f "$KAFKA_CTL"
	mkfifo "$KAFKA_CTL" || fail "cannot make the control FIFO"
	"$KAFKA_MOCK" "$@" --control "$KAFKA_CTL" >"$KAFKA_OUT" 2>"$TMP/kafka.err" </dev/null &
	KAFKA_PID=$!
	PIDS+=("$KAFKA_PID")
	for _ in $(seq 1 500); do
		[ -s "$KAFKA_OUT" ] && break
		kill -0 "$KAFKA_PID" 2>/dev/null || { cat "$TMP/kafka.err" >&2; fail "sluice-kafka-mock did not start"; }
		sleep 0.01
	done
	KAFKA=$(head -1 "$KAFKA_OUT")
	case "$KAFKA" in 127.0.0.1:*) ;; *) fail "sluice-kafka-mock printed '$KAFKA', not a bootstrap list" ;; esac
	export KAFKA
}

kafka_cmd() {
	local n
	n=$(wc -l <"$KAFKA_OUT")
	echo "$*" >"$KAFKA_CTL"
	for _ in $(seq 1 500); do
		if [ "$(wc -l <"$KAFKA_OUT")" -gt "$n" ]; then
			tail -n +$((n + 1)) "$KAFKA_OUT" | grep -q "^ok $*\$" && return 0
			tail -n +$((n + 1)) "$KAFKA_OUT" >&2
			fail "sluice-kafka-mock refused '$*'"
		fi
		sleep 0.01
	done
	fail "sluice-kafka-mock did not answer '$*'"
}

kafka_produce() {
	local topic=$1
	shift
	kcat -P -b "$KAFKA" -t "$topic" "$@" || fail "kcat could not produce to $topic"
}

kafka_consume() {
	local topic=$1 i
	shift
	# (a short broker wait: kcat -e waits that long per partition at its
	# end; kcat gives up on an error a fault test injected: read again)
	for i in 1 2 3; do
		if timeout 60 kcat -C -b "$KAFKA" -t "$topic" -e -q -X fetch.wait.max.ms=5 "$@" \
			>"$TMP/kafka.consume" 2>"$TMP/kafka.consume.err"; then
			cat "$TMP/kafka.consume"
			return 0
		fi
		sleep 0.2
	done
	cat "$TMP/kafka.consume.err" >&2
	fail "kcat could not read $topic"
}

kafka_count() {
	kafka_consume "$1" -f 'x\n' | wc -l
}

kafka_stop() {
	[ -n "${KAFKA_PID:-}" ] || return 0
	kill -TERM "$KAFKA_PID" 2>/dev/null
	wait "$KAFKA_PID" 2>/dev/null
	KAFKA_PID=
}
