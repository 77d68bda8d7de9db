#!/bin/bash
# bench_kafka.sh - Kafka throughput and latency of sluice against
# sluice-kafka-mock on 127.0.0.1 (`make bench-kafka`).  Not a test: it
# prints figures beside references measured in the same run, and fails only
# when a pipeline's output does not hold exactly the expected messages.
#
#   1. Kafka -> filter on the key -> Kafka pass-through (value and key
#      copied; every 100th key starts with 'x' and is dropped): messages/s
#      and MB/s (key + value bytes read) per core - the CPU time of the
#      sluice process only (wait4) - beside `kcat -C | kcat -P` over the
#      same input topic (the CPU of both kcat processes summed).  Targets:
#      >= 500,000 messages/s per core and >= 1x the kcat pipe.
#   2. invoice JSON -> from_json -> filter (HOME-DELIVERY) -> to_json ->
#      Kafka: records/s per core beside the same stages fed from a file
#      of the same invoices (file source, format text) into discard, so
#      that what Kafka costs shows.  The invoices are the seed's
#      Invoice-set1.json repeated ($SLUICE_SEED_DIR; each InvoiceNumber
#      made unique) or generated ones of the same shape, written to the
#      run's temporary directory.
#   3. end-to-end latency at a steady rate (default 100,000 events/s)
#      with the default trigger (batches back to back) and a checkpoint:
#      a load generator stamps each message with its send time and a
#      consumer of the output topic in the same process takes receive
#      time - send time; p50/p90/p99, beside the same generator and
#      consumer on one topic without sluice (the floor of the clients and
#      the mock).  Target: p99 <= 10 ms.
#
# The mock: librdkafka's mock cluster, one thread serving every
# connection.  It keeps only 5 MB per partition (the topics here get
# enough partitions, and every count checks that nothing was dropped),
# answers a Fetch with one message set per partition (so the generator
# keeps librdkafka's default linger.ms of 5 ms: smaller producer batches
# slow every reader down), holds an empty Fetch for the consumer's whole
# fetch.wait.max.ms (a real broker answers when data arrives: the latency
# probe uses 1 ms), and its sockets keep Nagle's algorithm on (librdkafka's
# default socket.nagle.disable=false), which can hold its last response
# of a burst until the client's delayed ACK, ~40 ms.  Its CPU time is
# reported beside each figure, and the kcat pipe's wall-clock rate is what
# the mock carries end to end.
#
# Environment: BENCH_KAFKA_MESSAGES (1000000), BENCH_KAFKA_SIZE (value
# bytes, 100), BENCH_KAFKA_INVOICES (200000), BENCH_KAFKA_ROUNDS (5; the
# median is reported), BENCH_KAFKA_RATE (100000), BENCH_KAFKA_LATENCY_SECONDS
# (10, of which the first 2 are not counted), BENCH_KAFKA_LATENCY_PARTITIONS
# (8), BENCH_KAFKA_LINGER_MS (the generator's linger.ms, librdkafka's
# default 5), BENCH_TMPDIR (checkpoints and files; /tmp), BENCH_KAFKA_KEEP=1
# (keep them, with each run's output and progress lines).  Set by make:
# SLUICE_BIN, SLUICE_KAFKA_MOCK, BENCH_KAFKA_TOOL, SLUICE_PLUGIN_SYSTEM_PATH,
# SLUICE_SEED_DIR.
set -u

die() {
	echo "bench_kafka: $*" >&2
	exit 2
}

: "${SLUICE_BIN:?run through make bench-kafka}"
: "${SLUICE_KAFKA_MOCK:?run through make bench-kafka}"
: "${BENCH_KAFKA_TOOL:?run through make bench-kafka}"
command -v kcat >/dev/null 2>&1 || die "kcat is not installed (apt-get install kcat)"

MSGS=${BENCH_KAFKA_MESSAGES:-1000000}
SIZE=${BENCH_KAFKA_SIZE:-100}
INVOICES=${BENCH_KAFKA_INVOICES:-200000}
ROUNDS=${BENCH_KAFKA_ROUNDS:-5}
RATE=${BENCH_KAFKA_RATE:-100000}
LAT_SECONDS=${BENCH_KAFKA_LATENCY_SECONDS:-10}
LAT_WARMUP=2
LAT_PARTS=${BENCH_KAFKA_LATENCY_PARTITIONS:-8}
TOOL=$BENCH_KAFKA_TOOL
HZ=$(getconf CLK_TCK)
FAILED=0

TMP=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/sluice-bench-kafka.XXXXXX") || die "mktemp failed"
MOCK_PID=
LAT_PID=
cleanup() {
	[ -n "$LAT_PID" ] && kill -TERM "$LAT_PID" 2>/dev/null && wait "$LAT_PID" 2>/dev/null
	[ -n "$MOCK_PID" ] && kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
	if [ -n "${BENCH_KAFKA_KEEP:-}" ]; then
		echo "bench_kafka: files kept in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*"
	FAILED=1
}

# ---------------------------------------------------------------- the mock

mkfifo "$TMP/mock.ctl" || die "cannot make the control FIFO"
"$SLUICE_KAFKA_MOCK" --control "$TMP/mock.ctl" >"$TMP/mock.out" 2>"$TMP/mock.err" </dev/null &
MOCK_PID=$!
for _ in $(seq 1 500); do
	[ -s "$TMP/mock.out" ] && break
	kill -0 "$MOCK_PID" 2>/dev/null || { cat "$TMP/mock.err" >&2; die "sluice-kafka-mock did not start"; }
	sleep 0.01
done
KAFKA=$(head -1 "$TMP/mock.out")
case "$KAFKA" in 127.0.0.1:*) ;; *) die "sluice-kafka-mock printed '$KAFKA', not a bootstrap list" ;; esac
export KAFKA

mock_alive() {
	kill -0 "$MOCK_PID" 2>/dev/null || die "sluice-kafka-mock ($MOCK_PID) is gone: $(cat "$TMP/mock.err")"
}

# topic NAME PARTITIONS: created through the control FIFO.
topic() {
	local n
	mock_alive
	n=$(wc -l <"$TMP/mock.out")
	echo "topic $1 $2" >"$TMP/mock.ctl"
	for _ in $(seq 1 500); do
		if [ "$(wc -l <"$TMP/mock.out")" -gt "$n" ]; then
			tail -n +$((n + 1)) "$TMP/mock.out" | grep -q "^ok topic $1 $2\$" && return 0
			die "sluice-kafka-mock refused topic $1: $(tail -n +$((n + 1)) "$TMP/mock.out")"
		fi
		sleep 0.01
	done
	die "sluice-kafka-mock did not answer 'topic $1 $2'"
}

# The mock's CPU seconds so far (user + system).
mock_cpu() {
	local st
	mock_alive
	read -r -a st <"/proc/$MOCK_PID/stat"
	awk -v u="${st[13]}" -v s="${st[14]}" -v hz="$HZ" 'BEGIN { printf "%.2f", (u + s) / hz }'
}

# Partitions for COUNT messages of BYTES each: the mock keeps 5 MB per
# partition; 3.5 MB leaves room for the uneven spread of keys.
parts_for() {
	awk -v n="$1" -v b="$2" 'BEGIN { p = int(n * b / 3500000) + 1; print (p < 8 ? 8 : p) }'
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# run_cpu NAME CMD...: runs CMD; NAME.cpu holds "CPU WALL MAXRSS_KB", NAME.mock
# the mock's CPU seconds meanwhile; the output goes to NAME.log.
run_cpu() {
	local name=$1 m0 m1 rc=0
	shift
	m0=$(mock_cpu)
	"$TOOL" cpu "$TMP/$name.cpu" "$@" >"$TMP/$name.log" 2>&1 || rc=$?
	m1=$(mock_cpu)
	awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.2f\n", b - a }' >"$TMP/$name.mock"
	return $rc
}
field() { awk -v i="$2" '{ print $i }' "$TMP/$1"; }

# ---------------------------------------------------------------- pipelines

cat >"$TMP/pass.conf" <<'EOF'
name = "bench_kafka_pass";
stages = (
  { name = "in"; plugin = "kafka"; bootstrap_servers = "${KAFKA}";
    subscribe = [ "${BK_IN}" ]; starting_offsets = "earliest"; },
  { name = "keep"; plugin = "filter"; input = "in";
    condition = "CAST(key AS STRING) LIKE 'k%'"; },
  { name = "copy"; plugin = "select"; input = "keep"; exprs = [ "key", "value" ]; },
  { name = "out"; plugin = "kafka"; input = "copy"; bootstrap_servers = "${KAFKA}";
    topic = "${BK_OUT}"; }
);
EOF

# The reading side alone.
cat >"$TMP/source.conf" <<'EOF'
name = "bench_kafka_source";
stages = (
  { name = "in"; plugin = "kafka"; bootstrap_servers = "${KAFKA}";
    subscribe = [ "${BK_IN}" ]; starting_offsets = "earliest"; },
  { name = "out"; plugin = "discard"; input = "in"; }
);
EOF

DDL="InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, CashierID STRING, CustomerType STRING, CustomerCardNo STRING, TotalAmount DOUBLE, NumberOfItems BIGINT, PaymentMethod STRING, TaxableAmount DOUBLE, CGST DOUBLE, SGST DOUBLE, CESS DOUBLE, DeliveryType STRING, DeliveryAddress STRUCT<AddressLine: STRING, City: STRING, State: STRING, PinCode: STRING, ContactNumber: STRING>, InvoiceLineItems ARRAY<STRUCT<ItemCode: STRING, ItemDescription: STRING, ItemPrice: DOUBLE, ItemQty: BIGINT, TotalValue: DOUBLE>>"
# The same stages between two sources and two sinks.
invoice_stages() {
	cat <<EOF
  { name = "parse"; plugin = "select"; input = "in";
    exprs = [ "from_json(CAST(value AS STRING), '$DDL') AS inv" ]; },
  { name = "keep"; plugin = "filter"; input = "parse";
    condition = "inv.DeliveryType = 'HOME-DELIVERY'"; },
  { name = "enc"; plugin = "select"; input = "keep"; exprs = [ "to_json(inv) AS value" ]; },
EOF
}
{
	echo 'name = "bench_kafka_invoices";'
	echo 'stages = ('
	echo '  { name = "in"; plugin = "kafka"; bootstrap_servers = "${KAFKA}";'
	echo '    subscribe = [ "${BK_IN}" ]; starting_offsets = "earliest"; },'
	invoice_stages
	echo '  { name = "out"; plugin = "kafka"; input = "enc"; bootstrap_servers = "${KAFKA}";'
	echo '    topic = "${BK_OUT}"; }'
	echo ');'
} >"$TMP/inv_kafka.conf"
{
	echo 'name = "bench_file_invoices";'
	echo 'stages = ('
	echo '  { name = "in"; plugin = "file"; path = "${BK_DIR}"; format = "text"; },'
	invoice_stages
	echo '  { name = "out"; plugin = "discard"; input = "enc"; }'
	echo ');'
} >"$TMP/inv_file.conf"
for c in pass source inv_kafka inv_file; do
	BK_IN=x BK_OUT=x BK_DIR=$TMP "$SLUICE_BIN" validate "$TMP/$c.conf" >"$TMP/validate.log" 2>&1 ||
		{ cat "$TMP/validate.log" >&2; die "$c.conf does not validate"; }
done

# sluice_run NAME CONF: one available-now run with a fresh checkpoint.
sluice_run() {
	run_cpu "$1" "$SLUICE_BIN" run "$2" --trigger available-now --checkpoint "$TMP/chk-$1" --progress
}

# The sink's numOutputRows summed over a run's progress lines.
progress_rows() {
	grep -o '"sink":{[^}]*"numOutputRows":[0-9]*' "$TMP/$1.log" |
		awk -F: '{ s += $NF } END { print s + 0 }'
}

echo "sluice-kafka-mock at $KAFKA; $(nproc) CPUs; medians of $ROUNDS rounds; CPU time from wait4"

# ---------------------------------------------------------------- 1. pass-through

IN_PARTS=$(parts_for "$MSGS" $((SIZE + 45)))
OUT_PARTS=$(parts_for "$MSGS" $((SIZE + 150)))
topic pass-in "$IN_PARTS"
m0=$(mock_cpu)
t0=$(date +%s.%N)
read -r loaded in_bytes < <("$TOOL" load "$KAFKA" pass-in "$MSGS" "$SIZE" 100) || die "loading pass-in failed"
t1=$(date +%s.%N)
load_mock=$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { print b - a }')
load_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
[ "$loaded" = "$MSGS" ] || die "loaded $loaded messages, expected $MSGS"
"$TOOL" watermarks "$KAFKA" pass-in >/dev/null || die "pass-in does not hold every message"
drop=$((MSGS / 100))
want=$((MSGS - drop))
echo
echo "1. pass-through: $MSGS messages (key 11 B, value $SIZE B) in $IN_PARTS partitions, loaded in $(printf '%.1f' "$load_wall") s;"
echo "   filter CAST(key AS STRING) LIKE 'k%' drops the $drop keys 'x...'; select key, value; the kafka sink's defaults"

declare -a S_CPU S_WALL S_MOCK S_RSS K_CPU K_WALL K_MOCK C_MOCK C_WALL R_CPU R_WALL R_MOCK KC_CPU KC_WALL KC_MOCK
for r in $(seq 1 "$ROUNDS"); do
	topic "pass-out-$r" "$OUT_PARTS"
	topic "kcat-out-$r" "$OUT_PARTS"
	BK_IN=pass-in BK_OUT=pass-out-$r sluice_run "pass-$r" "$TMP/pass.conf" ||
		{ tail -5 "$TMP/pass-$r.log"; fail "round $r: sluice run failed"; }
	BK_OUT=kcat-out-$r run_cpu "kcat-$r" bash -o pipefail -c \
		'kcat -C -b "$KAFKA" -t pass-in -o beginning -e -q -f "%k\t%s\n" |
		 kcat -P -b "$KAFKA" -t "$BK_OUT" -K "\t" -X enable.idempotence=true -X partitioner=murmur2_random' ||
		{ tail -5 "$TMP/kcat-$r.log"; fail "round $r: the kcat pipe failed"; }
	# The reading side alone, both ways.
	BK_IN=pass-in sluice_run "read-$r" "$TMP/source.conf" ||
		{ tail -5 "$TMP/read-$r.log"; fail "round $r: sluice kafka>discard failed"; }
	[ "$(progress_rows "read-$r")" = "$MSGS" ] ||
		fail "round $r: kafka>discard read $(progress_rows "read-$r") messages, expected $MSGS"
	run_cpu "kcatc-$r" bash -o pipefail -c \
		'kcat -C -b "$KAFKA" -t pass-in -o beginning -e -q -f "%k\t%s\n" | wc -l' ||
		fail "round $r: kcat -C failed"
	[ "$(tr -d ' ' <"$TMP/kcatc-$r.log")" = "$MSGS" ] ||
		fail "round $r: kcat -C read $(cat "$TMP/kcatc-$r.log") messages, expected $MSGS"
	m0=$(mock_cpu)
	t0=$(date +%s.%N)
	got=$("$TOOL" count "$KAFKA" "pass-out-$r" k) || got="error"
	t1=$(date +%s.%N)
	C_MOCK+=("$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { print b - a }')")
	C_WALL+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
	[ "${got%% *}" = "$want" ] || fail "round $r: pass-out-$r holds ${got%% *} messages, expected $want"
	got=$("$TOOL" count "$KAFKA" "kcat-out-$r") || got="error"
	[ "${got%% *}" = "$MSGS" ] || fail "round $r: kcat-out-$r holds ${got%% *} messages, expected $MSGS"
	S_CPU+=("$(field "pass-$r.cpu" 1)") S_WALL+=("$(field "pass-$r.cpu" 2)")
	S_RSS+=("$(field "pass-$r.cpu" 3)") S_MOCK+=("$(cat "$TMP/pass-$r.mock")")
	K_CPU+=("$(field "kcat-$r.cpu" 1)") K_WALL+=("$(field "kcat-$r.cpu" 2)")
	K_MOCK+=("$(cat "$TMP/kcat-$r.mock")")
	R_CPU+=("$(field "read-$r.cpu" 1)") R_WALL+=("$(field "read-$r.cpu" 2)")
	R_MOCK+=("$(cat "$TMP/read-$r.mock")")
	KC_CPU+=("$(field "kcatc-$r.cpu" 1)") KC_WALL+=("$(field "kcatc-$r.cpu" 2)")
	KC_MOCK+=("$(cat "$TMP/kcatc-$r.mock")")
done
s_cpu=$(median "${S_CPU[@]}") s_wall=$(median "${S_WALL[@]}") s_mock=$(median "${S_MOCK[@]}")
k_cpu=$(median "${K_CPU[@]}") k_wall=$(median "${K_WALL[@]}") k_mock=$(median "${K_MOCK[@]}")
r_cpu=$(median "${R_CPU[@]}") r_wall=$(median "${R_WALL[@]}") r_mock=$(median "${R_MOCK[@]}")
kc_cpu=$(median "${KC_CPU[@]}") kc_wall=$(median "${KC_WALL[@]}") kc_mock=$(median "${KC_MOCK[@]}")
c_mock=$(median "${C_MOCK[@]}") c_wall=$(median "${C_WALL[@]}") s_rss=$(median "${S_RSS[@]}")
printf '   %-42s %9s %8s %8s %11s %10s %11s %9s\n' "" "messages" "cpu s" "wall s" "msg/s/core" \
	"MB/s/core" "msg/s wall" "mock cpu"
row() { # NAME CPU WALL MOCK
	awk -v n="$1" -v m="$MSGS" -v c="$2" -v w="$3" -v k="$4" -v b="$in_bytes" 'BEGIN {
		printf "   %-42s %9d %8.3f %8.3f %11.0f %10.1f %11.0f %9.2f\n", n, m, c, w, m / c,
		       b / c / 1e6, m / w, k }'
}
row "sluice kafka>filter(key)>select>kafka" "$s_cpu" "$s_wall" "$s_mock"
row "kcat -C | kcat -P (both processes summed)" "$k_cpu" "$k_wall" "$k_mock"
row "sluice kafka>discard (the source alone)" "$r_cpu" "$r_wall" "$r_mock"
row "kcat -C | wc -l (the consumer alone)" "$kc_cpu" "$kc_wall" "$kc_mock"
awk -v m="$MSGS" -v s="$s_cpu" -v k="$k_cpu" -v r="$r_cpu" -v kc="$kc_cpu" 'BEGIN {
	x = m / s; ref = m / k
	printf "   pass-through: %.0f msg/s per core (target >= 500,000: %s); %.2fx the kcat pipe'"'"'s %.0f (target >= 1x: %s)\n",
	       x, (x >= 500000 ? "meets" : "MISSES"), x / ref, ref, (x >= ref ? "meets" : "MISSES")
	printf "   per message: sluice %.2f us = reading %.2f + filter, select, kafka sink %.2f; kcat %.2f = kcat -C %.2f + kcat -P %.2f\n",
	       1e6 * s / m, 1e6 * r / m, 1e6 * (s - r) / m, 1e6 * k / m, 1e6 * kc / m, 1e6 * (k - kc) / m }'
echo "   checked: $want messages in each pass-out (keys 'k...' only), $MSGS in each kcat-out; sluice peak RSS $((s_rss / 1024)) MB"
awk -v m="$MSGS" -v lw="$load_wall" -v lm="$load_mock" -v cw="$c_wall" -v cm="$c_mock" \
	-v kw="$k_wall" -v km="$k_mock" -v sw="$s_wall" -v sm="$s_mock" -v want="$want" 'BEGIN {
	printf "   the mock (CPU s, 10 ms ticks): %.2f taking the load (%.0f msg/s by the wall clock), %.2f serving one reader of pass-out (%.0f msg/s);\n",
	       lm, m / lw, cm, want / cw
	printf "   busy %.0f%% of the sluice run'"'"'s wall time, %.0f%% of the kcat pipe'"'"'s, whose %.0f msg/s by the wall clock is what it carries end to end\n",
	       100 * sm / sw, 100 * km / kw, m / kw }'

# ---------------------------------------------------------------- 2. invoices

mkdir -p "$TMP/invoices"
seed=${SLUICE_SEED_DIR:-}/02-FileStreamDemo/SampleData/Invoice-set1.json
if [ -n "${SLUICE_SEED_DIR:-}" ] && [ -r "$seed" ]; then
	origin="the seed's Invoice-set1.json repeated"
	"$TOOL" invoices "$INVOICES" "$seed" >"$TMP/invoices/invoices.json" || die "invoices failed"
else
	origin="generated (no \$SLUICE_SEED_DIR)"
	"$TOOL" invoices "$INVOICES" >"$TMP/invoices/invoices.json" || die "invoices failed"
fi
inv_bytes=$(wc -c <"$TMP/invoices/invoices.json")
inv_want=$(grep -c '"DeliveryType" *: *"HOME-DELIVERY"' "$TMP/invoices/invoices.json")
INV_PARTS=$(parts_for 1 $((inv_bytes + INVOICES * 40)))
topic inv-in "$INV_PARTS"
"$TOOL" load-lines "$KAFKA" inv-in "$INVOICES" "$TMP/invoices/invoices.json" >/dev/null ||
	die "loading inv-in failed"
"$TOOL" watermarks "$KAFKA" inv-in >/dev/null || die "inv-in does not hold every invoice"
echo
echo "2. invoices: $INVOICES JSON lines, $(awk -v b="$inv_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB, $origin; $inv_want HOME-DELIVERY kept"
echo "   in $INV_PARTS partitions; stages: select from_json(CAST(value AS STRING)) > filter > select to_json"
declare -a IK_CPU IK_WALL IK_MOCK IF_CPU IF_WALL
for r in $(seq 1 "$ROUNDS"); do
	topic "inv-out-$r" "$INV_PARTS"
	BK_IN=inv-in BK_OUT=inv-out-$r sluice_run "invk-$r" "$TMP/inv_kafka.conf" ||
		{ tail -5 "$TMP/invk-$r.log"; fail "round $r: the Kafka invoice run failed"; }
	BK_DIR=$TMP/invoices sluice_run "invf-$r" "$TMP/inv_file.conf" ||
		{ tail -5 "$TMP/invf-$r.log"; fail "round $r: the file invoice run failed"; }
	got=$("$TOOL" count "$KAFKA" "inv-out-$r") || got="error"
	[ "${got%% *}" = "$inv_want" ] || fail "round $r: inv-out-$r holds ${got%% *} messages, expected $inv_want"
	got=$(progress_rows "invf-$r")
	[ "$got" = "$inv_want" ] || fail "round $r: the file-fed run kept $got rows, expected $inv_want"
	IK_CPU+=("$(field "invk-$r.cpu" 1)") IK_WALL+=("$(field "invk-$r.cpu" 2)")
	IK_MOCK+=("$(cat "$TMP/invk-$r.mock")")
	IF_CPU+=("$(field "invf-$r.cpu" 1)") IF_WALL+=("$(field "invf-$r.cpu" 2)")
done
ik_cpu=$(median "${IK_CPU[@]}") ik_wall=$(median "${IK_WALL[@]}") ik_mock=$(median "${IK_MOCK[@]}")
if_cpu=$(median "${IF_CPU[@]}") if_wall=$(median "${IF_WALL[@]}")
printf '   %-42s %9s %8s %8s %11s %10s %11s %9s\n' "" "records" "cpu s" "wall s" "rec/s/core" \
	"MB/s/core" "rec/s wall" "mock cpu"
irow() {
	awk -v n="$1" -v m="$INVOICES" -v c="$2" -v w="$3" -v k="$4" -v b="$inv_bytes" 'BEGIN {
		printf "   %-42s %9d %8.3f %8.3f %11.0f %10.1f %11.0f %9s\n", n, m, c, w, m / c,
		       b / c / 1e6, m / w, k }'
}
irow "sluice kafka>from_json>filter>kafka" "$ik_cpu" "$ik_wall" "$ik_mock"
irow "sluice file>from_json>filter>discard" "$if_cpu" "$if_wall" "-"
awk -v m="$INVOICES" -v k="$ik_cpu" -v f="$if_cpu" 'BEGIN {
	printf "   Kafka in and out: %.0f%% of the file-fed records/s per core; %.2f us more per record (%.2f vs %.2f)\n",
	       100 * f / k, 1e6 * (k - f) / m, 1e6 * k / m, 1e6 * f / m }'

# ---------------------------------------------------------------- 3. latency

echo
echo "3. latency at $RATE events/s for $LAT_SECONDS s (the first $LAT_WARMUP s not counted), $LAT_PARTS partitions,"
echo "   value $SIZE B with its send time; generator linger.ms ${BENCH_KAFKA_LINGER_MS:-5}; probe consumer fetch.wait.max.ms 1"
topic lat-direct "$LAT_PARTS"
topic lat-in "$LAT_PARTS"
topic lat-out "$LAT_PARTS"
m0=$(mock_cpu)
direct=$("$TOOL" latency "$KAFKA" lat-direct lat-direct "$RATE" "$LAT_SECONDS" "$LAT_WARMUP" "$SIZE" 1 \
	2>"$TMP/direct.err") || fail "the direct latency run lost messages: $(cat "$TMP/direct.err")"
d_mock=$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { print b - a }')
# sluice with the default trigger (no trigger: batches back to back) and a
# checkpoint, started before the load; SIGTERM ends it after its batch.
m0=$(mock_cpu)
BK_IN=lat-in BK_OUT=lat-out "$TOOL" cpu "$TMP/lat.cpu" "$SLUICE_BIN" run "$TMP/pass.conf" \
	--checkpoint "$TMP/chk-lat" --progress >"$TMP/lat.log" 2>&1 &
LAT_PID=$!
sleep 1.5
kill -0 "$LAT_PID" 2>/dev/null || { cat "$TMP/lat.log" >&2; die "sluice did not start"; }
piped=$("$TOOL" latency "$KAFKA" lat-in lat-out "$RATE" "$LAT_SECONDS" "$LAT_WARMUP" "$SIZE" 1 \
	2>"$TMP/piped.err") || fail "sluice lost messages at $RATE/s: $(cat "$TMP/piped.err")"
kill -TERM "$LAT_PID"
wait "$LAT_PID" || fail "sluice run (latency) exited $?: $(tail -3 "$TMP/lat.log")"
LAT_PID=
p_mock=$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { print b - a }')
printf '   %-36s %8s %8s %8s %8s %8s %10s %9s\n' "" "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" "max ms" \
	"msg/s sent" "mock cpu"
lrow() {
	echo "$2" | awk -v n="$1" -v k="$3" '{
		printf "   %-36s %8.2f %8.2f %8.2f %8.2f %8.2f %10.0f %9.2f\n", n, $4, $5, $6, $7, $8, $3, k }'
}
lrow "generator > consumer (the floor)" "$direct" "$d_mock"
lrow "generator > sluice > consumer" "$piped" "$p_mock"
echo "$piped" | awk '{ printf "     of which send > the sink'"'"'s producev: p50 %.1f, p99 %.1f ms; producev > received: p50 %.1f, p99 %.1f ms (split at the output message timestamp, 1 ms steps)\n", $9, $10, $11, $12 }'
echo "$piped $direct" | awk '{ printf "   end-to-end p99 %.2f ms (target <= 10 ms: %s); the floor without sluice %.2f ms\n",
	$6, ($6 <= 10 ? "meets" : "MISSES"), $18 }'
grep '^{' "$TMP/lat.log" |
	sed -e 's/.*"batchId":[0-9]*,"numInputRows":\([0-9]*\),.*"triggerExecution":\([0-9]*\).*/\1 \2/' |
	grep -v '^0 ' >"$TMP/lat.batches"
if [ -s "$TMP/lat.batches" ]; then
	echo "   sluice: $(wc -l <"$TMP/lat.batches") batches with data, median $(median $(cut -d' ' -f1 "$TMP/lat.batches")) rows" \
		"and $(median $(cut -d' ' -f2 "$TMP/lat.batches")) ms (max $(cut -d' ' -f2 "$TMP/lat.batches" | sort -n | tail -1) ms);" \
		"$(awk -v c="$(field lat.cpu 1)" -v w="$(field lat.cpu 2)" 'BEGIN { printf "%.2f", c / w }') CPU s per wall second"
fi
echo
if [ "$FAILED" != 0 ]; then
	echo "bench_kafka: some output did not hold the expected messages (FAIL above)"
	exit 1
fi
exit 0
