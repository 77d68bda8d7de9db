#!/bin/bash
# Files that start with a UTF-8 byte-order mark (as Windows tools write
# them) lose nothing: the mark is skipped, as Spark skips it, for every text
# format of the file source - JSON lines, CSV (its header, and the column
# names inferred from it) and text - and the byte offsets of dead letters
# still count it.
. "$(dirname "$0")/lib.sh"

BOM=$'\xef\xbb\xbf'
mkdir "$TMP/j" "$TMP/c" "$TMP/t"
printf '%s{"id": 1, "name": "a"}\nbroken\n{"id": 3, "name": "c"}\n' "$BOM" >"$TMP/j/f.json"
printf '%sid,name\n1,a\n2,b\n' "$BOM" >"$TMP/c/f.csv"
printf '%shello\nworld\n' "$BOM" >"$TMP/t/f.txt"

cat >"$TMP/j.conf" <<EOF
name = "bom_json";
stages = (
  { name = "in"; plugin = "file"; path = "$TMP/j"; format = "json";
    schema = "id BIGINT, name STRING"; dead_letter = true; },
  { name = "out"; plugin = "console"; input = "in"; },
  { name = "dl"; plugin = "console"; input = "in.dead_letter"; }
);
EOF
sluice run --trigger available-now --progress "$TMP/j.conf" >"$TMP/j.out" 2>"$TMP/j.err" ||
	{ cat "$TMP/j.err" >&2; fail "json pipeline exited $?"; }
expect_grep '|   1|   a|' "$TMP/j.out"
expect_grep '|   3|   c|' "$TMP/j.out"
# One bad record (line 2), at byte 26: 3 for the mark, 23 for line 1.
expect_grep '"badRecords":1' "$TMP/j.err"
expect_grep "|   2|    26|column 1: expecte...|broken|" "$TMP/j.out"

cat >"$TMP/c.conf" <<EOF
name = "bom_csv";
stages = (
  { name = "in"; plugin = "file"; path = "$TMP/c"; format = "csv"; header = true;
    infer_schema = true; },
  { name = "out"; plugin = "console"; input = "in"; }
);
EOF
sluice explain "$TMP/c.conf" >"$TMP/c.explain" 2>&1 || { cat "$TMP/c.explain" >&2; fail "explain failed"; }
expect_grep "    id BIGINT" "$TMP/c.explain"
sluice run --trigger available-now --progress "$TMP/c.conf" >"$TMP/c.out" 2>"$TMP/c.err" ||
	{ cat "$TMP/c.err" >&2; fail "csv pipeline exited $?"; }
expect_grep '| id|name|' "$TMP/c.out"
expect_grep '|  1|   a|' "$TMP/c.out"
expect_grep '|  2|   b|' "$TMP/c.out"
grep -q '"badRecords"' "$TMP/c.err" && fail "csv: bad records counted"
expect_grep '"numInputRows":2' "$TMP/c.err"
# and with the schema given
sed 's/infer_schema = true;/schema = "id BIGINT, name STRING";/' "$TMP/c.conf" >"$TMP/c2.conf"
sluice run --trigger available-now --progress "$TMP/c2.conf" >"$TMP/c2.out" 2>"$TMP/c2.err" ||
	{ cat "$TMP/c2.err" >&2; fail "csv pipeline (schema) exited $?"; }
expect_grep '|  1|   a|' "$TMP/c2.out"
grep -q '"badRecords"' "$TMP/c2.err" && fail "csv (schema): bad records counted"

cat >"$TMP/t.conf" <<EOF
name = "bom_text";
stages = (
  { name = "in"; plugin = "file"; path = "$TMP/t"; format = "text"; },
  { name = "out"; plugin = "console"; input = "in"; }
);
EOF
sluice run --trigger available-now "$TMP/t.conf" >"$TMP/t.out" 2>"$TMP/t.err" ||
	{ cat "$TMP/t.err" >&2; fail "text pipeline exited $?"; }
grep -q "^|hello|\$" "$TMP/t.out" || { cat "$TMP/t.out" >&2; fail "the text line kept its byte-order mark"; }
exit 0
