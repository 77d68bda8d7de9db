#!/bin/bash
# The command line: --version, --help, plugins, explain.
. "$(dirname "$0")/lib.sh"

sluice --version >"$TMP/v" || fail "--version failed"
expect_grep "sluice " "$TMP/v"
expect_grep "plugin ABI 1." "$TMP/v"

sluice --help >"$TMP/h" || fail "--help failed"
for cmd in run validate explain plugins; do expect_grep "$cmd" "$TMP/h"; done

rc=0; sluice frobnicate >"$TMP/o" 2>"$TMP/e" || rc=$?
[ "$rc" = 2 ] || fail "unknown command exited $rc, expected 2"

sluice plugins >"$TMP/p" || fail "plugins failed"
for p in socket rate select filter explode aggregate console file discard; do
	expect_grep "$p" "$TMP/p"
done
sluice plugins console >"$TMP/pc" || fail "plugins console failed"
expect_grep "num_rows" "$TMP/pc"
expect_grep "truncate" "$TMP/pc"

sluice explain "$SRC/pipelines/word_count.conf" >"$TMP/x" 2>"$TMP/e" ||
	{ cat "$TMP/e" >&2; fail "explain failed"; }
expect_grep "word" "$TMP/x"
expect_grep "count" "$TMP/x"
expect_grep "BIGINT" "$TMP/x"
expect_grep "STRING" "$TMP/x"
