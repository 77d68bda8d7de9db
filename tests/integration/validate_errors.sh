#!/bin/bash
# `sluice validate` catches a misspelt column in an expression, and a misspelt
# option, before any data flows, naming file:line.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/typo.conf" <<'CONF'
name = "typo";
stages = (
  { name = "gen"; plugin = "rate"; total = 10; },
  { name = "kept";
    plugin = "filter";
    input = "gen";
    condition = "vlaue % 2 = 0"; },
  { name = "out"; plugin = "console"; input = "kept"; }
);
CONF
rc=0
sluice validate "$TMP/typo.conf" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "validate exited $rc, expected 2"
expect_grep "$TMP/typo.conf:7:" "$TMP/err"
expect_grep "unknown column 'vlaue'" "$TMP/err"
expect_grep "did you mean 'value'?" "$TMP/err"
# run refuses the same file before reading anything
rc=0
sluice run "$TMP/typo.conf" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "run exited $rc, expected 2"
[ ! -s "$TMP/out" ] || fail "run printed output for an invalid pipeline"

cat >"$TMP/opt.conf" <<'CONF'
name = "opt";
stages = (
  { name = "gen"; plugin = "rate"; total = 10; },
  { name = "kept"; plugin = "filter"; input = "gen";
    condtion = "value > 1"; },
  { name = "out"; plugin = "console"; input = "kept"; }
);
CONF
rc=0
sluice validate "$TMP/opt.conf" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "validate exited $rc, expected 2"
expect_grep "$TMP/opt.conf:5:" "$TMP/err"
expect_grep "unknown option 'condtion'" "$TMP/err"
expect_grep "did you mean 'condition'?" "$TMP/err"

cat >"$TMP/type.conf" <<'CONF'
name = "type";
stages = (
  { name = "gen"; plugin = "rate"; total = 10; },
  { name = "kept"; plugin = "filter"; input = "gen";
    condition = "value + 1"; },
  { name = "out"; plugin = "console"; input = "kept"; }
);
CONF
rc=0
sluice validate "$TMP/type.conf" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "validate exited $rc, expected 2 for a non-boolean condition"
expect_grep "$TMP/type.conf:5:" "$TMP/err"

# the good pipelines validate
for p in demo word_count; do
	sluice validate "$SRC/pipelines/$p.conf" >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/err" >&2; fail "$p.conf does not validate"; }
done
