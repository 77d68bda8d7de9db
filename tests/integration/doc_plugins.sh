#!/bin/bash
# doc/plugins.md is generated from the plugins' own option tables
# (`make docs`); it must match what the plugins declare now.
. "$(dirname "$0")/lib.sh"

sluice plugins --markdown >"$TMP/plugins.md" || fail "sluice plugins --markdown failed"
diff -u "$SRC/doc/plugins.md" "$TMP/plugins.md" >&2 ||
	fail "doc/plugins.md is stale: run 'make docs' and commit it"
for p in socket rate select filter explode aggregate console file discard; do
	expect_grep "$p" "$TMP/plugins.md"
done
