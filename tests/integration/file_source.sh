#!/bin/bash
# The file source end to end: JSON-lines files -> select -> file sink with a
# checkpoint, `sluice run --trigger available-now` twice with new files added
# between the runs (and a third run with nothing new).  Every input row must
# appear exactly once in the committed output (the files the sink's manifest
# lists); a file still being written (".name.tmp") is not read until it is
# renamed.  Then an interval trigger waits for a new file and picks it up.
. "$(dirname "$0")/lib.sh"

IN=$TMP/in
OUT=$TMP/out
CHK=$TMP/chk
mkdir -p "$IN"
next_id=0

# put_file NAME ROWS : a JSON-lines file of ROWS new ids, written as a
# producer should (hidden temporary, then rename).  Also appends the ids to
# $TMP/expected.
put_file() {
	local name=$1 rows=$2 i
	{
		for ((i = 0; i < rows; i++)); do
			printf '{"id": %d, "name": "n%d", "amount": %d.5}\n' \
				$((next_id + i)) $((next_id + i)) $((next_id + i))
		done
	} >"$IN/.$name.tmp"
	seq "$next_id" $((next_id + rows - 1)) >>"$TMP/expected"
	next_id=$((next_id + rows))
	mv "$IN/.$name.tmp" "$IN/$name"
}

cat >"$TMP/p.conf" <<'EOF'
name = "file_source_test";
trigger = "available-now";
stages = (
  { name = "invoices"; plugin = "file"; path = "${FS_IN}"; format = "json";
    schema = "id BIGINT, name STRING, amount DOUBLE"; max_files_per_trigger = 2; },
  { name = "pick"; plugin = "select"; input = "invoices";
    exprs = [ "id", "name", "amount * 2 AS doubled" ]; },
  { name = "out"; plugin = "file"; input = "pick"; path = "${FS_OUT}"; }
);
EOF

# run [ARGS...] : one run on the checkpoint; must exit 0.
run() {
	FS_IN=$IN FS_OUT=$OUT sluice run "$TMP/p.conf" --checkpoint "$CHK" "$@" \
		>"$TMP/stdout" 2>"$TMP/stderr" || { cat "$TMP/stderr" >&2; fail "sluice run exited $?"; }
}

# committed : the ids of the committed output, one per line, sorted
# numerically (duplicates kept).
committed() {
	local entry f
	for entry in "$OUT"/_sluice_log/*; do
		[ -f "$entry" ] || continue
		tr -d '[]"\n' <"$entry" | tr ',' '\n'
		echo
	done | while read -r f; do
		[ -n "$f" ] && sed -n 's/.*"id":\([0-9-]*\).*/\1/p' "$OUT/$f"
	done | sort -n
}

# check_output : every expected id exactly once, and the select applied.
check_output() {
	committed >"$TMP/got"
	sort -n "$TMP/expected" >"$TMP/want"
	if ! diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then
		head -20 "$TMP/diff" >&2
		fail "committed output differs from the input ids ($1)"
	fi
}

# Run 1: five files plus one still being written and one ignored name.
for n in 1 2 3 4 5; do
	put_file "inv-$n.json" 200
done
printf '{"id": 999999, "name": "partial"' >"$IN/.inv-6.json.tmp"
printf '{"id": 999998}\n' >"$IN/_SUCCESS"
run --trigger available-now
check_output "first run"
# max_files_per_trigger = 2: five files take three batches.
[ "$(ls "$OUT/_sluice_log" | wc -l)" = 3 ] || fail "expected 3 batches, got $(ls "$OUT/_sluice_log")"
grep -q '"doubled":5.0' "$OUT"/part-0000000000-0000.json || fail "select not applied"

# Run 2: new files arrive; the partial one is completed and renamed.
put_file "inv-7.json" 150
put_file "inv-8.json" 150
printf ', "amount": 1.0}\n' >>"$IN/.inv-6.json.tmp"
echo 999999 >>"$TMP/expected"
mv "$IN/.inv-6.json.tmp" "$IN/inv-6.json"
run --trigger available-now
check_output "second run"
[ "$(ls "$OUT/_sluice_log" | wc -l)" = 5 ] || fail "expected 5 batches, got $(ls "$OUT/_sluice_log")"

# Run 3: nothing new; exits 0 at once and writes nothing.
run --trigger available-now
check_output "third run"
[ "$(ls "$OUT/_sluice_log" | wc -l)" = 5 ] || fail "a run without new files wrote a batch"

# An interval trigger waits for new files: it picks up one that arrives
# while it runs, and stops on SIGTERM.
FS_IN=$IN FS_OUT=$OUT "$SLUICE_BIN" run "$TMP/p.conf" --checkpoint "$CHK" --trigger 100ms \
	>"$TMP/stdout" 2>"$TMP/stderr" &
pid=$!
PIDS+=("$pid")
sleep 0.5
kill -0 "$pid" 2>/dev/null || { cat "$TMP/stderr" >&2; fail "interval run ended without new files"; }
put_file "inv-9.json" 10
wait_for_file "$OUT/_sluice_log/5"
kill -TERM "$pid"
wait "$pid" || fail "interval run exited $? on SIGTERM"
check_output "interval run"
echo "file_source: $next_id rows in 9 files, each exactly once"
