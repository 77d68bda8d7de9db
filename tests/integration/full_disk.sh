#!/bin/bash
# A full disk is an error, not a crash.  On a small filesystem the test
# makes (a tmpfs it mounts; in a user and mount namespace of its own when it
# may not mount directly), filled up to a little free space, the pipeline
#   file source -> aggregate (count, sum by key) -> exactly-once file sink
# runs again and again, each time with a little more space freed:
#   - with the checkpoint (offsets, state store) on the full filesystem;
#   - with the sink's directory on it.
# Every run that fills the disk must stop with exit status 1 and one error
# line naming "No space left on device" - never a signal (Berkeley DB's
# regions are process memory, not mapped files that a full disk cannot
# back: SIGBUS) - and leave the checkpoint recoverable: once space is
# freed, the restarts finish and the committed output equals the
# generator's answer, every key counted once.
. "$(dirname "$0")/lib.sh"

# Mounting needs CAP_SYS_ADMIN: run in a namespace of our own otherwise.
probe=$TMP/probe
mkdir "$probe"
if mount -t tmpfs -o size=1m tmpfs "$probe" 2>/dev/null; then
	umount "$probe"
elif [ -z "${SLUICE_IN_NS:-}" ] && unshare -rm true 2>/dev/null; then
	SLUICE_IN_NS=1 exec unshare -rm "$BASH" "$0" "$@"
else
	echo "SKIP: cannot mount a small filesystem here (not root, no user namespaces)"
	exit 77
fi

GEN=$BUILD/tests/tools/gen_events
COMMITTED=$BUILD/tests/tools/committed
mkdir "$TMP/in"
"$GEN" "$TMP/in" 20 100000 5000 7 "$TMP/expected" || fail "gen_events failed"

# small NAME : a 48 MB tmpfs at $TMP/NAME, filled with 256 KB filler files up
# to 256 KB from full.
small() {
	local dir=$TMP/$1 i=0
	mkdir "$dir"
	mount -t tmpfs -o size=48m tmpfs "$dir" || fail "cannot mount a tmpfs at $dir"
	MOUNTS+=("$dir")
	mkdir "$dir/filler"
	while dd if=/dev/zero of="$dir/filler/$i" bs=256k count=1 status=none 2>/dev/null; do
		i=$((i + 1))
	done
	rm -f "$dir/filler/$i"
	dd if=/dev/zero of="$dir/filler/last" bs=1k count=$(($(df -k --output=avail "$dir" | tail -1) - 256)) status=none 2>/dev/null
}

# free NAME : deletes one filler file.
free_some() {
	local f
	f=$(ls "$TMP/$1/filler" | head -1)
	[ -n "$f" ] || return 1
	rm -f "$TMP/$1/filler/$f"
}

# scenario NAME CHK OUT : runs until a run exits 0, freeing space after
# each one that ran out of it.
scenario() {
	local name=$1 chk=$2 out=$3 runs=0 full=0 rc
	cat >"$TMP/$name.conf" <<EOF
name = "full_$name";
trigger = "available-now";
checkpoint = "$chk";
stages = (
  { name = "events"; plugin = "file"; path = "$TMP/in"; format = "json";
    schema = "key STRING, value BIGINT"; max_files_per_trigger = 1; },
  { name = "totals"; plugin = "aggregate"; input = "events"; group_by = [ "key" ];
    aggregates = [ "count(*) AS n", "sum(value) AS total" ]; },
  { name = "out"; plugin = "file"; input = "totals"; path = "$out"; mode = "update"; }
);
EOF
	while :; do
		runs=$((runs + 1))
		[ "$runs" -le 400 ] || fail "$name: still not done after 400 runs"
		rc=0
		timeout -k 5 120 "$SLUICE_BIN" run "$TMP/$name.conf" >/dev/null 2>"$TMP/$name.err" || rc=$?
		[ "$rc" = 0 ] && break
		[ "$rc" = 1 ] || { cat "$TMP/$name.err" >&2; fail "$name: run $runs exited $rc (a signal?), expected 1"; }
		grep -v '^sluice: warn' "$TMP/$name.err" >"$TMP/$name.lines"
		[ "$(wc -l <"$TMP/$name.lines")" = 1 ] || { cat "$TMP/$name.err" >&2; fail "$name: expected one error line"; }
		grep -q '^sluice: error: .*No space left on device' "$TMP/$name.lines" ||
			{ cat "$TMP/$name.err" >&2; fail "$name: the error does not say the disk is full"; }
		full=$((full + 1))
		free_some "$name" || fail "$name: no space left to free"
	done
	[ "$full" -gt 0 ] || fail "$name: the disk never filled up"
	"$COMMITTED" "$out" key n total >"$TMP/$name.final" 2>"$TMP/$name.summary" ||
		{ cat "$TMP/$name.summary" >&2; fail "$name: committed output unreadable"; }
	diff -u "$TMP/expected" "$TMP/$name.final" >&2 || fail "$name: committed output differs from the answer"
	echo "  $name: $full runs stopped by a full disk ($(sed -n 1p "$TMP/$name.lines" | cut -c1-110)...), then done: $(cat "$TMP/$name.summary")"
}

small chkfs
scenario chkfs "$TMP/chkfs/chk" "$TMP/out-chk"
small sinkfs
scenario sinkfs "$TMP/chk-sink" "$TMP/sinkfs/out"
exit 0
