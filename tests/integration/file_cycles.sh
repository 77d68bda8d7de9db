#!/bin/bash
# No two source files of libsluice, the core or a plugin call each other,
# and libsluice's components call only downward (util < data < host, group,
# format < expr): tests/tools/file-cycles over this build's objects prints
# nothing.  It must also find a circle where there is one, so it is first
# shown two objects that call each other.
. "$(dirname "$0")/lib.sh"

command -v nm >/dev/null || { echo "nm not installed"; exit 77; }

# The checker sees a circle: two files of a fake plugin that call each other.
mkdir -p "$TMP/src/plugins/fake" "$TMP/src/sdk/src" "$TMP/src/core" \
	"$TMP/build/plugins/fake"
printf 'int b(void);\nint a(void) { return b(); }\n' >"$TMP/src/plugins/fake/a.c"
printf 'int a(void);\nint b(void) { return a(); }\n' >"$TMP/src/plugins/fake/b.c"
for f in a b; do
	cc -c -o "$TMP/build/plugins/fake/$f.o" "$TMP/src/plugins/fake/$f.c" || fail "cc"
done
out=$(cd "$TMP/src" && "$SRC/tests/tools/file-cycles" "$TMP/build") && fail "a circle passed"
[ "$out" = "pair   plugins/fake/a.c <-> plugins/fake/b.c" ] || fail "unexpected: $out"

# The tree itself: nothing.
if ! out=$(cd "$SRC" && tests/tools/file-cycles "$BUILD"); then
	printf '%s\n' "$out" >&2
	fail "source files that need each other (above)"
fi
echo "no pairs, circles or upward calls"
