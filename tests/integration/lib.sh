# lib.sh - shared helpers for integration tests (sourced).
#
# The test environment (AM_TESTS_ENVIRONMENT) exports SLUICE_BIN,
# SLUICE_PLUGIN_PATH, SLUICE_SRCDIR, SLUICE_BUILDDIR and SLUICE_SEED_DIR.
set -u

: "${SLUICE_BIN:?run through make check}"
SRC=$SLUICE_SRCDIR
BUILD=$SLUICE_BUILDDIR
GOLDEN=$SRC/tests/golden
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sluice-it.XXXXXX")
PIDS=()
MOUNTS=()

cleanup() {
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for m in "${MOUNTS[@]:-}"; do
		[ -n "$m" ] && umount "$m" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# sluice ARGS... : the binary under test, with a 120 s guard.
sluice() {
	timeout -k 5 120 "$SLUICE_BIN" "$@"
}

# expect_golden NAME FILE : FILE must equal tests/golden/NAME (a diff is shown).
expect_golden() {
	if ! diff -u "$GOLDEN/$1" "$2" >&2; then
		fail "$2 differs from golden $1"
	fi
}

# expect_grep PATTERN FILE : FILE must contain the fixed string PATTERN.
expect_grep() {
	grep -qF -- "$1" "$2" || { echo "--- $2:" >&2; cat "$2" >&2; fail "'$1' not found in $2"; }
}

# wait_for_file FILE : until it exists and is non-empty (10 s).
wait_for_file() {
	for _ in $(seq 1 1000); do
		[ -s "$1" ] && return 0
		sleep 0.01
	done
	fail "timed out waiting for $1"
}

# Seed examples: tests that need the course data skip (77) when it is absent
# (e.g. under make distcheck), unless SLUICE_REQUIRE_SEED=1 (CI) makes that a
# failure.
need_seed() {
	if [ ! -d "$SLUICE_SEED_DIR" ]; then
		[ "${SLUICE_REQUIRE_SEED:-0}" = 1 ] && fail "seed examples not found at $SLUICE_SEED_DIR"
		echo "SKIP: seed examples not found at $SLUICE_SEED_DIR"
		exit 77
	fi
}
