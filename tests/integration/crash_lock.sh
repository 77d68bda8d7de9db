#!/bin/bash
# One checkpoint, one process: a second `sluice run` on a checkpoint another
# process is running refuses within a second, saying why, and changes nothing
# in the checkpoint or the output; the first run carries on undisturbed.
. "$(dirname "$0")/lib.sh"

IN=$TMP/in
OUT=$TMP/out
CHK=$TMP/chk
mkdir "$IN"
"$BUILD/tests/tools/gen_events" "$IN" 2 1000 50 7 "$TMP/expected" || fail "gen_events failed"

cat >"$TMP/p.conf" <<EOF
name = "lock_test";
trigger = "100ms";
stages = (
  { name = "events"; plugin = "file"; path = "$IN"; format = "json";
    schema = "key STRING, value BIGINT"; },
  { name = "totals"; plugin = "aggregate"; input = "events"; group_by = [ "key" ];
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "out"; plugin = "file"; input = "totals"; path = "$OUT"; mode = "update"; }
);
EOF

# snapshot : every file of the checkpoint and the output, with its contents.
snapshot() {
	(cd "$TMP" && find chk out -type f ! -name lock -print0 | sort -z | xargs -0 md5sum)
}

"$SLUICE_BIN" run "$TMP/p.conf" --checkpoint "$CHK" >"$TMP/first.out" 2>"$TMP/first.err" &
first=$!
PIDS+=("$first")
wait_for_file "$CHK/commits/0"
sleep 0.5 # the first run is idle now: no new files
snapshot >"$TMP/before"

t0=$(date +%s%N)
rc=0
timeout -k 2 10 "$SLUICE_BIN" run "$TMP/p.conf" --checkpoint "$CHK" >"$TMP/second.out" 2>"$TMP/second.err" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" != 0 ] || fail "a second run on a busy checkpoint exited 0"
[ "$rc" != 124 ] && [ "$rc" != 137 ] || fail "a second run on a busy checkpoint did not give up"
[ "$ms" -lt 1000 ] || fail "the second run took $ms ms to refuse (limit 1000)"
grep -qi "checkpoint" "$TMP/second.err" || { cat "$TMP/second.err" >&2; fail "the refusal does not name the checkpoint"; }
[ "$(wc -l <"$TMP/second.err")" -le 3 ] || { cat "$TMP/second.err" >&2; fail "the refusal is not short"; }
snapshot >"$TMP/after"
diff -u "$TMP/before" "$TMP/after" >&2 || fail "the refused run changed the checkpoint or the output"
kill -0 "$first" 2>/dev/null || { cat "$TMP/first.err" >&2; fail "the first run died"; }

# The first run still works: a new file arrives (by rename) and is counted.
printf '{"key": "new", "value": 5}\n' >"$TMP/late.json"
mv "$TMP/late.json" "$IN/late.json"
for _ in $(seq 1 500); do
	"$BUILD/tests/tools/committed" "$OUT" key n total 2>/dev/null | grep -q "^new	1	5$" && break
	sleep 0.02
done
"$BUILD/tests/tools/committed" "$OUT" key n total 2>/dev/null | grep -q "^new	1	5$" ||
	{ cat "$TMP/first.err" >&2; fail "the first run stopped processing"; }
kill -TERM "$first"
rc=0
wait "$first" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/first.err" >&2; fail "the first run exited $rc after SIGTERM"; }
echo "refused in $ms ms: $(head -1 "$TMP/second.err")"
