#!/bin/bash
# An option that shapes a stateful stage's state cannot change on a live
# checkpoint: the window's geometry (size 10 -> 15 minutes; a record at
# 00:12 would otherwise be counted into a restored 00:00-00:10 window), its
# kind and time column, the aggregate's keys.  Each change is refused at
# start with one line at the option's file:line naming the stage, the
# option, the old and the new value and the checkpoint, and nothing in the
# checkpoint changes.  The same value written another way ("600 seconds"
# for "10 minutes") and an option that does not shape state (the window's
# `late`) are accepted.
. "$(dirname "$0")/lib.sh"

mkdir "$TMP/in"
printf '%s\n' '{"key": "a", "ts": "2024-01-01 00:01:00", "value": 1}' \
	'{"key": "a", "ts": "2024-01-01 00:08:00", "value": 2}' >"$TMP/in/f1.json"

# conf FILE SIZE [EXTRA] : the pipeline with the window's size and extra keys.
conf() {
	cat >"$1" <<EOF
name = "state_options";
checkpoint = "$TMP/chk";
stages = (
  { name = "events"; plugin = "file"; path = "$TMP/in"; format = "json";
    schema = "key STRING, ts STRING, value BIGINT"; },
  { name = "typed"; plugin = "select"; input = "events";
    exprs = [ "key", "to_timestamp(ts, 'yyyy-MM-dd HH:mm:ss') AS ts", "value" ]; },
  { name = "windows"; plugin = "window"; input = "typed";
    watermark = { column = "ts"; delay = "5 minutes"; };
    time_column = "ts";
    kind = "tumbling";
    size = "$2";
    group_by = [ "key" ];
    ${3:-}
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "totals"; plugin = "aggregate"; input = "typed"; group_by = [ "key" ];
    aggregates = [ "count(*) AS n" ]; },
  { name = "out"; plugin = "file"; input = "windows"; path = "$TMP/out"; mode = "update"; },
  { name = "out2"; plugin = "console"; input = "totals"; mode = "update"; }
);
EOF
}

snapshot() {
	# (the lock file holds the pid of whoever last took it)
	find "$TMP/chk" -path "$TMP/chk/state" -prune -o -path "$TMP/chk/lock" -prune -o -type f \
		-printf '%p %s %T@\n' | sort
}

conf "$TMP/p.conf" "10 minutes"
sluice run --trigger available-now "$TMP/p.conf" >/dev/null 2>"$TMP/first.err" ||
	{ cat "$TMP/first.err" >&2; fail "first run failed"; }

# refused FILE PATTERN : the run must fail with exactly one error line
# matching PATTERN, leaving the checkpoint as it was.
refused() {
	snapshot >"$TMP/before"
	if sluice run --trigger available-now "$1" >/dev/null 2>"$TMP/refused.err"; then
		fail "a changed state option was accepted: $2"
	fi
	grep -v '^sluice: warning' "$TMP/refused.err" >"$TMP/refused.lines"
	[ "$(wc -l <"$TMP/refused.lines")" = 1 ] || { cat "$TMP/refused.err" >&2; fail "expected one error line"; }
	grep -qE -- "$2" "$TMP/refused.lines" || { cat "$TMP/refused.err" >&2; fail "expected /$2/"; }
	snapshot >"$TMP/after"
	diff "$TMP/before" "$TMP/after" >&2 || fail "a refused start changed the checkpoint"
}

conf "$TMP/size.conf" "15 minutes"
refused "$TMP/size.conf" "^sluice: error: $TMP/size.conf:12: stage 'windows': option 'size' changed from '10 minutes' to '15 minutes', but the stage's state in checkpoint $TMP/chk was built under the old one; restore it or use a new checkpoint directory\$"

sed 's/kind = "tumbling";/kind = "session"; gap = "10 minutes";/' "$TMP/p.conf" >"$TMP/kind.conf"
refused "$TMP/kind.conf" "stage 'windows': option 'kind' changed from 'tumbling' to 'session'"

sed 's/time_column = "ts";/time_column = "ts + INTERVAL 1 minute";/' "$TMP/p.conf" >"$TMP/time.conf"
refused "$TMP/time.conf" "stage 'windows': option 'time_column' changed from 'ts' to 'ts \\+ INTERVAL 1 minute'"

sed 's/{ name = "totals"; plugin = "aggregate"; input = "typed"; group_by = \[ "key" \];/{ name = "totals"; plugin = "aggregate"; input = "typed"; group_by = [ "key", "value" ];/' "$TMP/p.conf" >"$TMP/keys.conf"
refused "$TMP/keys.conf" "stage 'totals': option 'group_by' changed from \\[\"key\"\\] to \\[\"key\", \"value\"\\]"

# The same duration spelt otherwise, and the late records' routing: accepted.
conf "$TMP/same.conf" "600 seconds" 'late = "side";'
printf '%s\n' '{"key": "a", "ts": "2024-01-01 00:12:00", "value": 4}' >"$TMP/in/f2.json"
sluice run --trigger available-now "$TMP/same.conf" >/dev/null 2>"$TMP/same.err" ||
	{ cat "$TMP/same.err" >&2; fail "an equal size or a changed 'late' was refused"; }
exit 0
