#!/bin/bash
# The Kafka source's options against sluice-kafka-mock, each checked by
# what the pipeline read (the console sink prints partition, offset and the
# value as text):
#   subscribe_pattern (topics found again at every trigger, a new one is
#   read from its earliest offset), assign, starting_offsets (earliest,
#   latest - fixed before the first batch, kept in the checkpoint - and
#   per-partition JSON), starting_timestamp, max_offsets_per_trigger (shared
#   by the partitions in proportion to their backlog), include_headers,
#   from_csv on the value, the lag in progress and in sluice status, and
#   fail_on_data_loss when the partition no longer holds the logged offset
#   (a new, empty cluster): stop naming topic, partition and offset, or
#   warn, count and go on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"

kafka_start --topic in:2 --topic p-a --topic p-b --topic other
for i in 1 2 3 4 5 6; do echo "k$((i % 2)):v$i"; done | kafka_produce in -K: -p 0
for i in 7 8 9; do echo "k:v$i"; done | kafka_produce in -K: -p 1
echo "a1" | kafka_produce p-a
echo "b1" | kafka_produce p-b
echo "o1" | kafka_produce other

# run NAME SOURCE-OPTIONS [SLUICE-ARGS...] : the values read, one per line
# "partition offset value", in NAME.out; progress in NAME.err.
run() {
	local name=$1 opts=$2
	shift 2
	cat >"$TMP/$name.conf" <<EOF
name = "$name";
stages = (
  { name = "src"; plugin = "kafka"; bootstrap_servers = "\${KAFKA}"; $opts },
  { name = "text"; plugin = "select"; input = "src";
    exprs = [ "topic", "partition", "offset", "CAST(value AS STRING) AS v" ]; },
  { name = "out"; plugin = "file"; input = "text"; path = "$TMP/$name.files"; }
);
EOF
	sluice run --trigger available-now --progress --checkpoint "$TMP/$name.chk" "$TMP/$name.conf" "$@" \
		>/dev/null 2>"$TMP/$name.err" || { cat "$TMP/$name.err" >&2; fail "$name: run exited $?"; }
	cat "$TMP/$name.files"/part-* 2>/dev/null |
		sed 's/.*"topic":"\([^"]*\)","partition":\([0-9]*\),"offset":\([0-9]*\),"v":"\([^"]*\)".*/\1 \2 \3 \4/' |
		sort >"$TMP/$name.out"
}

# expect NAME LINES... : NAME.out must be exactly those lines (sorted).
expect() {
	local name=$1
	shift
	printf '%s\n' "$@" | sort >"$TMP/$name.want"
	diff -u "$TMP/$name.want" "$TMP/$name.out" >&2 || fail "$name: read other values"
}

run earliest 'subscribe = [ "in" ]; starting_offsets = "earliest";'
[ "$(wc -l <"$TMP/earliest.out")" = 9 ] || fail "earliest: $(wc -l <"$TMP/earliest.out") values, expected 9"

run pattern 'subscribe_pattern = "p-.*"; starting_offsets = "earliest";'
expect pattern "p-a 0 0 a1" "p-b 0 0 b1"
kafka_cmd topic p-c 1
echo "c1" | kafka_produce p-c
echo "a2" | kafka_produce p-a
run pattern 'subscribe_pattern = "p-.*"; starting_offsets = "earliest";'
expect pattern "p-a 0 0 a1" "p-b 0 0 b1" "p-c 0 0 c1" "p-a 0 1 a2"

run assign 'assign = "{\"in\": [1]}"; starting_offsets = "earliest";'
expect assign "in 1 0 v7" "in 1 1 v8" "in 1 2 v9"

run json 'subscribe = [ "in" ]; starting_offsets = "{\"in\": {\"0\": 4, \"1\": -2}}";'
expect json "in 0 4 v5" "in 0 5 v6" "in 1 0 v7" "in 1 1 v8" "in 1 2 v9"

# latest: where the query starts is fixed by its first plan, even when no
# batch runs, so what arrives before the next start is read.
run latest 'subscribe = [ "in" ]; starting_offsets = "latest";'
[ ! -s "$TMP/latest.out" ] || fail "latest read old data"
[ -f "$TMP/latest.chk/sources/src/initial" ] || fail "latest: the initial offsets were not kept"
echo "k:v10" | kafka_produce in -K: -p 1
run latest 'subscribe = [ "in" ]; starting_offsets = "latest";'
expect latest "in 1 3 v10"

# starting_timestamp asks the brokers for the first offset at or after the
# time (ListOffsets by timestamp).  librdkafka 2.0's mock answers -1 ("no
# such message") to every time lookup, which means: start at the end - so
# here the query starts at the latest offsets and reads what comes after.
t=$(($(date +%s%N) / 1000000))
run ts "subscribe = [ \"in\" ]; starting_timestamp = $t;"
[ ! -s "$TMP/ts.out" ] || fail "ts: read data before its start"
echo "k:v11" | kafka_produce in -K: -p 0
run ts "subscribe = [ \"in\" ]; starting_timestamp = $t;"
expect ts "in 0 6 v11"

# max_offsets_per_trigger: 11 offsets, 4 per batch: 3 batches, and the lag.
run limited 'subscribe = [ "in" ]; starting_offsets = "earliest"; max_offsets_per_trigger = 4;'
[ "$(wc -l <"$TMP/limited.out")" = 11 ] || fail "limited: $(wc -l <"$TMP/limited.out") values, expected 11"
[ "$(grep -c '"batchId"' "$TMP/limited.err")" = 3 ] || fail "limited: expected 3 batches"
grep -q '"numInputRows":4,' "$TMP/limited.err" || fail "limited: no batch of 4"
grep -q '"offsetsBehindLatest":7' "$TMP/limited.err" || fail "limited: the first batch's lag is not 7"
sluice status "$TMP/limited.chk" >"$TMP/limited.status" || fail "status failed"
expect_grep "lag:        source 'src': 0 offsets behind the latest" "$TMP/limited.status"

# include_headers and from_csv.
echo "h:1,x" | kafka_produce other -K: -H "trace=abc" -H "n=1"
cat >"$TMP/hdr.conf" <<EOF
name = "hdr";
stages = (
  { name = "src"; plugin = "kafka"; bootstrap_servers = "\${KAFKA}"; subscribe = [ "other" ];
    starting_offsets = "earliest"; include_headers = true; },
  { name = "text"; plugin = "select"; input = "src";
    exprs = [ "CAST(key AS STRING) AS k", "from_csv(CAST(value AS STRING), 'a BIGINT, b STRING') AS c",
              "size(headers) AS n_headers", "headers[0].key AS h0", "CAST(headers[0].value AS STRING) AS v0" ]; },
  { name = "out"; plugin = "console"; input = "text"; }
);
EOF
sluice run --trigger available-now "$TMP/hdr.conf" >"$TMP/hdr.out" 2>"$TMP/hdr.err" || { cat "$TMP/hdr.err" >&2; fail "hdr: run failed"; }
expect_grep "|   h|{1, x}|        2|trace| abc|" "$TMP/hdr.out"

# fail_on_data_loss: the cluster is new and empty; the logged offsets of
# 'in' are beyond its partitions' ends.
kafka_stop
kafka_start --topic in:2
run lossok 'subscribe = [ "in" ]; starting_offsets = "earliest"; fail_on_data_loss = false;' 2>/dev/null || true
cp -r "$TMP/earliest.chk" "$TMP/loss.chk"
cp "$TMP/earliest.conf" "$TMP/loss.conf"
rc=0
sluice run --trigger available-now --checkpoint "$TMP/loss.chk" "$TMP/loss.conf" >/dev/null 2>"$TMP/loss.err" || rc=$?
[ "$rc" = 1 ] || { cat "$TMP/loss.err" >&2; fail "data loss: exited $rc, expected 1"; }
expect_grep "topic in partition 0 offset 6: the offset is beyond the partition's end (the topic was recreated?): data was lost (set fail_on_data_loss = false to go on from offset 0)" "$TMP/loss.err"
sed 's/starting_offsets = "earliest";/starting_offsets = "earliest"; fail_on_data_loss = false;/' "$TMP/earliest.conf" >"$TMP/loss2.conf"
echo "k:new1" | kafka_produce in -K: -p 0
rc=0
sluice run --trigger available-now --progress --checkpoint "$TMP/loss.chk" "$TMP/loss2.conf" >/dev/null 2>"$TMP/loss2.err" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/loss2.err" >&2; fail "data loss allowed: exited $rc"; }
expect_grep "data was lost; going on from offset 0" "$TMP/loss2.err"
expect_grep '"dataLossEvents":2' "$TMP/loss2.err"
grep -q '"numInputRows":1,' "$TMP/loss2.err" || { cat "$TMP/loss2.err" >&2; fail "data loss allowed: the new message was not read"; }
kafka_stop
exit 0
