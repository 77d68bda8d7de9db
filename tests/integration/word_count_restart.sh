#!/bin/bash
# The word count keeps its counts across a restart: a first run on a
# checkpoint counts two lines and exits when its server closes; a second run
# on the same checkpoint, fed by a new server, prints counts that include the
# first run's, in the same first-seen order, with batch ids that go on.
. "$(dirname "$0")/lib.sh"

CHK=$TMP/chk

# run_wc OUT STEP... : one word count run against a fresh line server.
run_wc() {
	local out=$1
	shift
	rm -f "$TMP/port"
	"$BUILD/tests/tools/linesrv" "$TMP/port" "$@" close >"$TMP/srv.log" 2>&1 &
	local srv=$!
	PIDS+=("$srv")
	wait_for_file "$TMP/port"
	WC_HOST=127.0.0.1 WC_PORT=$(cat "$TMP/port") \
		sluice run "$SRC/pipelines/word_count.conf" --checkpoint "$CHK" >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; fail "sluice run exited $?"; }
	wait "$srv" || { cat "$TMP/srv.log" >&2; fail "line server failed"; }
}

# last_table FILE : the last table printed.
last_table() {
	awk '/^Batch: /{t=""; next} /^[+|]/{t=t $0 "\n"} END{printf "%s", t}' "$1"
}

run_wc "$TMP/out1" "send:Hello Spark Streaming" \
	"wait:$TMP/out1:1:Batch: 0" "sleep:200" "send:Hello Spark" "wait:$TMP/out1:1:Batch: 1"
expect_golden word_count.out "$TMP/out1"
[ -d "$CHK" ] || fail "no checkpoint directory after the first run"

run_wc "$TMP/out2" "send:Hello again Streaming" "wait:$TMP/out2:1:Batch: "
expect_grep "Batch: 2" "$TMP/out2"
if grep -q "Batch: [01]$" "$TMP/out2"; then
	cat "$TMP/out2" >&2
	fail "the second run started its batch ids again"
fi
last_table "$TMP/out2" >"$TMP/got"
cat >"$TMP/want" <<'EOF'
+---------+-----+
|     word|count|
+---------+-----+
|    Hello|    3|
|    Spark|    2|
|Streaming|    2|
|    again|    1|
+---------+-----+
EOF
diff -u "$TMP/want" "$TMP/got" >&2 || fail "the second run did not continue the first run's counts"

# The same second run without the checkpoint starts from nothing.
CHK=$TMP/chk-new
run_wc "$TMP/out3" "send:Hello again Streaming" "wait:$TMP/out3:1:Batch: "
expect_grep "Batch: 0" "$TMP/out3"
last_table "$TMP/out3" | grep -q "|    Hello|    1|" || { cat "$TMP/out3" >&2; fail "a new checkpoint did not start from scratch"; }
exit 0
