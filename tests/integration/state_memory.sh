#!/bin/bash
# A stateful stage's memory follows its live state, not its history: a
# click stream whose group key is new on every row (a user id), through a
# window stage with a 10-second watermark, append mode.  Evicted windows
# leave the stage - and so do their keys.  For tumbling, sliding and session
# windows, a run over 8,000,000 rows must hold the same state as one over
# 2,000,000 (numRowsTotal equal) in the same memory: memoryUsedBytes and the
# process's peak RSS within 10 %.  (Under the sanitizers, whose allocator
# keeps freed memory in quarantine, the runs are 1M and 4M rows and only
# memoryUsedBytes is compared.)
. "$(dirname "$0")/lib.sh"

PEAKRSS=$BUILD/tests/tools/peakrss
if [ "${SLUICE_SANITIZERS:-no}" = yes ]; then
	SMALL=1000000 LARGE=4000000
else
	SMALL=2000000 LARGE=8000000
fi

# conf KIND GEOMETRY
conf() {
	cat >"$TMP/$1.conf" <<EOF
name = "clicks_$1";
stages = (
  { name = "gen"; plugin = "rate"; rows_per_second = 0; total = "\${ROWS}"; rows_per_batch = 100000; },
  { name = "clicks"; plugin = "select"; input = "gen";
    exprs = [ "value AS user", "timestamp_millis(value) AS ts" ]; },
  { name = "windows"; plugin = "window"; input = "clicks";
    watermark = { column = "ts"; delay = "10 seconds"; };
    time_column = "ts"; kind = "$1"; $2 group_by = [ "user" ];
    aggregates = [ "count(*) AS n" ]; },
  { name = "out"; plugin = "discard"; input = "windows"; mode = "append"; }
);
EOF
}

# field NAME FILE : the last value of "NAME":N in the progress lines of a
# data batch (the last line is the batch without new data).
field() {
	grep -o "\"$1\":[0-9]*" "$2" | tail -2 | head -1 | cut -d: -f2
}

# within A B : A and B differ by at most 10 % of the larger.
within() {
	local a=$1 b=$2 hi=$1
	[ "$b" -gt "$hi" ] && hi=$b
	[ $(((a > b ? a - b : b - a) * 10)) -le "$hi" ]
}

for spec in 'tumbling|size = "10 seconds";' \
	'sliding|size = "10 seconds"; slide = "5 seconds";' \
	'session|gap = "10 seconds";'; do
	kind=${spec%%|*}
	conf "$kind" "${spec#*|}"
	for rows in $SMALL $LARGE; do
		ROWS=$rows "$PEAKRSS" "$TMP/$kind-$rows.rss" "$SLUICE_BIN" run --progress "$TMP/$kind.conf" \
			>/dev/null 2>"$TMP/$kind-$rows.err" || { tail -3 "$TMP/$kind-$rows.err" >&2; fail "$kind $rows: exited $?"; }
	done
	n_s=$(field numRowsTotal "$TMP/$kind-$SMALL.err")
	n_l=$(field numRowsTotal "$TMP/$kind-$LARGE.err")
	m_s=$(field memoryUsedBytes "$TMP/$kind-$SMALL.err")
	m_l=$(field memoryUsedBytes "$TMP/$kind-$LARGE.err")
	r_s=$(cat "$TMP/$kind-$SMALL.rss")
	r_l=$(cat "$TMP/$kind-$LARGE.rss")
	echo "  $kind: numRowsTotal $n_s / $n_l, memoryUsedBytes $m_s / $m_l, peak RSS $r_s / $r_l KiB ($SMALL / $LARGE rows)"
	[ -n "$n_s" ] && [ "$n_s" = "$n_l" ] || fail "$kind: the state held differs: $n_s vs $n_l windows"
	within "$m_s" "$m_l" || fail "$kind: memoryUsedBytes grew with the history: $m_s -> $m_l"
	if [ "${SLUICE_SANITIZERS:-no}" != yes ]; then
		within "$r_s" "$r_l" || fail "$kind: peak RSS grew with the history: $r_s -> $r_l KiB"
	fi
done
exit 0
