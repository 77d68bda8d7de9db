#!/bin/bash
# The quick-start demo pipeline, run as the README runs it.
. "$(dirname "$0")/lib.sh"

sluice run "$SRC/pipelines/demo.conf" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "sluice run exited $?"; }
expect_golden demo.out "$TMP/out"
