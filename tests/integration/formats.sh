#!/bin/bash
# The formats issue end to end, on the course's data ($SLUICE_SEED_DIR):
#   - pipelines/file_stream_invoices.conf (02): one file per trigger, nested
#     JSON exploded and flattened: 1249, 1257 and 1484 rows, counted per
#     committed batch through the sink's manifest; a second run on the same
#     checkpoint reads nothing;
#   - that output as Avro container files and back as CSV (3990 rows);
#   - pipelines/invoice_flatten.conf (03, file-fed): from_json + explode +
#     flatten, compared with its golden output;
#   - pipelines/socket_flatten.conf: two invoices sent to a socket;
#   - pipelines/csv_count_by_country.conf (00): CSV, header, inferred schema;
#   - bad records: a file of broken lines gives counted dead letters (and the
#     good rows) in permissive and dropmalformed modes; failfast fails the
#     batch naming FILE:LINE and commits nothing.
. "$(dirname "$0")/lib.sh"
need_seed
SEED=$SLUICE_SEED_DIR

# rows_per_batch DIR : "batch N: R rows" for every manifest entry, in order.
rows_per_batch() {
	local dir=$1 e f n
	for e in $(ls "$dir/_sluice_log" | grep -E '^[0-9]+$' | sort -n); do
		n=0
		for f in $(tr -d '[]"\n' <"$dir/_sluice_log/$e" | tr ',' ' '); do
			n=$((n + $(wc -l <"$dir/$f")))
		done
		echo "batch $e: $n rows"
	done
}

# committed_rows DIR : the rows of every committed file, in batch order.
committed_rows() {
	local dir=$1 e f
	for e in $(ls "$dir/_sluice_log" | grep -E '^[0-9]+$' | sort -n); do
		for f in $(tr -d '[]"\n' <"$dir/_sluice_log/$e" | tr ',' ' '); do
			cat "$dir/$f"
		done
	done
}

# --- 02: file_stream_invoices ---
run02() {
	INPUT=$SEED/02-FileStreamDemo/SampleData OUTPUT=$TMP/inv CHECKPOINT=$TMP/chk02 \
		sluice run "$SRC/pipelines/file_stream_invoices.conf" --trigger available-now \
		>"$TMP/02.out" 2>"$TMP/02.err" || { cat "$TMP/02.err" >&2; fail "02 exited $?"; }
}
run02
{
	rows_per_batch "$TMP/inv"
	echo "first rows:"
	committed_rows "$TMP/inv" | head -3
} >"$TMP/02.got"
expect_golden formats_invoices.out "$TMP/02.got"
run02 # nothing new: no batch
[ "$(ls "$TMP/inv/_sluice_log" | wc -l)" = 3 ] || fail "a second run wrote more batches"

# --- the same rows as Avro container files, then back as CSV ---
cat >"$TMP/avro.conf" <<'CONF'
name = "to_avro";
trigger = "available-now";
stages = (
  { name = "in"; plugin = "file"; path = "${A_IN}"; format = "json"; infer_schema = true; },
  { name = "out"; plugin = "file"; input = "in"; path = "${A_OUT}"; format = "avro";
    compression = "deflate"; }
);
CONF
cat >"$TMP/csv.conf" <<'CONF'
name = "to_csv";
trigger = "available-now";
stages = (
  { name = "in"; plugin = "file"; path = "${A_OUT}"; format = "avro"; },
  { name = "out"; plugin = "file"; input = "in"; path = "${C_OUT}"; format = "csv"; }
);
CONF
A_IN=$TMP/inv A_OUT=$TMP/avro sluice run "$TMP/avro.conf" >/dev/null 2>"$TMP/avro.err" ||
	{ cat "$TMP/avro.err" >&2; fail "to_avro exited $?"; }
A_OUT=$TMP/avro C_OUT=$TMP/csv sluice run "$TMP/csv.conf" >/dev/null 2>"$TMP/csv.err" ||
	{ cat "$TMP/csv.err" >&2; fail "to_csv exited $?"; }
[ "$(committed_rows "$TMP/csv" | wc -l)" = 3990 ] || fail "Avro -> CSV: not 3990 rows"
committed_rows "$TMP/csv" | head -1 >"$TMP/csv.got"
expect_golden formats_avro_csv.out "$TMP/csv.got"

# --- 03: invoice_flatten (file-fed) ---
INPUT=$SEED/03-KafkaStreamDemo/datagen OUTPUT=$TMP/flat \
	sluice run "$SRC/pipelines/invoice_flatten.conf" >/dev/null 2>"$TMP/03.err" ||
	{ cat "$TMP/03.err" >&2; fail "invoice_flatten exited $?"; }
committed_rows "$TMP/flat" >"$TMP/03.got"
expect_golden formats_invoice_flatten.out "$TMP/03.got"

# --- 00: csv_count_by_country ---
INPUT=$SEED/00-HelloSparkSQL/data sluice run "$SRC/pipelines/csv_count_by_country.conf" \
	>"$TMP/00.got" 2>"$TMP/00.err" || { cat "$TMP/00.err" >&2; fail "csv_count exited $?"; }
expect_golden formats_csv_count.out "$TMP/00.got"

# --- socket_flatten: two invoices, one batch each ---
mapfile -t inv < <(head -n 2 "$SEED/03-KafkaStreamDemo/datagen/samples.json")
"$BUILD/tests/tools/linesrv" "$TMP/port" \
	"send:${inv[0]}" "wait:$TMP/sock.got:1:Batch: 0" "sleep:200" \
	"send:${inv[1]}" "wait:$TMP/sock.got:1:Batch: 1" \
	close >"$TMP/srv.log" 2>&1 &
srv=$!
PIDS+=("$srv")
wait_for_file "$TMP/port"
HOST=127.0.0.1 PORT=$(cat "$TMP/port") sluice run "$SRC/pipelines/socket_flatten.conf" \
	>"$TMP/sock.got" 2>"$TMP/sock.err" || { cat "$TMP/sock.err" >&2; fail "socket_flatten exited $?"; }
wait "$srv" || { cat "$TMP/srv.log" >&2; fail "line server failed"; }
expect_golden formats_socket_flatten.out "$TMP/sock.got"

# --- bad records and dead letters ---
mkdir -p "$TMP/bad"
printf '%s\n' '{"id": 1, "name": "one"}' '{"id": "two", "name": "two"}' 'not json' \
	'{"id": 4, "name": "four"}' '{"id": 5, "name": ' >"$TMP/bad/.b.json.tmp"
mv "$TMP/bad/.b.json.tmp" "$TMP/bad/b.json"
cat >"$TMP/dl.conf" <<'CONF'
name = "dead_letters";
trigger = "available-now";
stages = (
  { name = "in"; plugin = "file"; path = "${B_IN}"; format = "json";
    schema = "id BIGINT, name STRING"; parse_mode = "${B_MODE}"; dead_letter = true; },
  { name = "good"; plugin = "file"; input = "in"; path = "${B_OUT}"; },
  { name = "letters"; plugin = "file"; input = "in.dead_letter"; path = "${B_DL}"; }
);
CONF
for mode in permissive dropmalformed; do
	B_IN=$TMP/bad B_MODE=$mode B_OUT=$TMP/good-$mode B_DL=$TMP/dl-$mode \
		sluice run "$TMP/dl.conf" --progress >"$TMP/dl.out" 2>"$TMP/dl-$mode.err" ||
		{ cat "$TMP/dl-$mode.err" >&2; fail "dead letters ($mode) exited $?"; }
	expect_grep '"badRecords":3' "$TMP/dl-$mode.err"
	expect_grep '"dead_letter":3' "$TMP/dl-$mode.err"
	expect_grep "$TMP/bad/b.json:3: column 1: " "$TMP/dl-$mode.err"
	{
		echo "== $mode: rows"
		committed_rows "$TMP/good-$mode"
		echo "== $mode: dead letters"
		committed_rows "$TMP/dl-$mode" | sed "s|$TMP/|TMP/|g"
	} >>"$TMP/dl.got"
done
expect_grep '"droppedMalformed":3' "$TMP/dl-dropmalformed.err"
expect_golden formats_dead_letters.out "$TMP/dl.got"

B_IN=$TMP/bad B_MODE=failfast B_OUT=$TMP/good-ff B_DL=$TMP/dl-ff \
	sluice run "$TMP/dl.conf" >/dev/null 2>"$TMP/ff.err" && fail "failfast exited 0"
expect_grep "$TMP/bad/b.json:2: malformed record (parse_mode = \"failfast\")" "$TMP/ff.err"
[ -z "$(ls "$TMP/good-ff/_sluice_log")" ] || fail "failfast committed a batch"

# --- the schema from a file (schema_file): the same rows as schema = "..." ---
printf '# the columns of b.json\nid BIGINT,\nname STRING\n' >"$TMP/b.ddl"
sed -e "s|schema = \"id BIGINT, name STRING\";|schema_file = \"$TMP/b.ddl\";|" "$TMP/dl.conf" >"$TMP/sf.conf"
grep -q schema_file "$TMP/sf.conf" || fail "could not make the schema_file pipeline"
B_IN=$TMP/bad B_MODE=permissive B_OUT=$TMP/good-sf B_DL=$TMP/dl-sf \
	sluice run "$TMP/sf.conf" >/dev/null 2>"$TMP/sf.err" ||
	{ cat "$TMP/sf.err" >&2; fail "schema_file pipeline exited $?"; }
diff <(committed_rows "$TMP/good-permissive") <(committed_rows "$TMP/good-sf") >&2 ||
	fail "schema_file gives other rows than schema"
printf 'id BIGINT, name STRIN\n' >"$TMP/bad.ddl"
sed -e "s|$TMP/b.ddl|$TMP/bad.ddl|" "$TMP/sf.conf" >"$TMP/sf2.conf"
rc=0; B_IN=$TMP/bad B_MODE=permissive B_OUT=$TMP/o B_DL=$TMP/d sluice validate "$TMP/sf2.conf" >/dev/null 2>"$TMP/sf2.err" || rc=$?
[ "$rc" = 2 ] || fail "a bad schema_file validated (exit $rc)"
expect_grep "option 'schema_file'" "$TMP/sf2.err"
exit 0
