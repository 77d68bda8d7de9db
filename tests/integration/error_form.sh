#!/bin/bash
# One error form everywhere (sluice(1), DIAGNOSTICS): every error sluice
# prints is one line on stderr,
#   sluice: error: FILE:LINE: stage 'x': [option 'y': ]message
# with each place part only when known ("checkpoint DIR: ..." where the
# checkpoint is the place) - the same from validate and from run, for a
# pipeline-file error, a failure while running, a checkpoint refusal, a bad
# command line, and a message whose text held a line break.
. "$(dirname "$0")/lib.sh"

# only LINE FILE : FILE holds exactly that one line.
only() {
	printf '%s\n' "$1" >"$TMP/want"
	diff -u "$TMP/want" "$2" >&2 || fail "stderr is not the one expected line"
}

# A pipeline-file error: validate and run print the same line.
cat >"$TMP/typo.conf" <<'CONF'
name = "typo";
stages = (
  { name = "gen"; plugin = "rate"; total = 10; },
  { name = "kept"; plugin = "filter"; input = "gen";
    condition = "vlaue % 2 = 0"; },
  { name = "out"; plugin = "discard"; input = "kept"; }
);
CONF
line="sluice: error: $TMP/typo.conf:5: stage 'kept': option 'condition': unknown column 'vlaue' (did you mean 'value'?) (at character 1)"
rc=0
sluice validate "$TMP/typo.conf" >/dev/null 2>"$TMP/validate.err" || rc=$?
[ "$rc" = 2 ] || fail "validate exited $rc, expected 2"
only "$line" "$TMP/validate.err"
rc=0
sluice run "$TMP/typo.conf" >/dev/null 2>"$TMP/run.err" || rc=$?
[ "$rc" = 2 ] || fail "run exited $rc, expected 2"
only "$line" "$TMP/run.err"

# A line break in an option's text does not break the line.
sed 's/vlaue % 2 = 0/value >\\n nope/' "$TMP/typo.conf" >"$TMP/nl.conf"
sluice validate "$TMP/nl.conf" >/dev/null 2>"$TMP/nl.err" && fail "validate accepted an unknown column"
[ "$(wc -l <"$TMP/nl.err")" = 1 ] || { cat "$TMP/nl.err" >&2; fail "a line break in the option made several lines"; }
expect_grep "sluice: error: $TMP/nl.conf:5: stage 'kept': option 'condition': unknown column 'nope'" "$TMP/nl.err"

# A failure while running: the stage's place, then the record's.
mkdir "$TMP/in"
printf '{"a": 1}\nnot json\n' >"$TMP/in/x.json"
cat >"$TMP/ff.conf" <<CONF
name = "ff";
stages = (
  { name = "events"; plugin = "file"; path = "$TMP/in"; format = "json";
    schema = "a BIGINT"; parse_mode = "failfast"; },
  { name = "out"; plugin = "discard"; input = "events"; }
);
CONF
rc=0
sluice run --trigger available-now "$TMP/ff.conf" >/dev/null 2>"$TMP/ff.err" || rc=$?
[ "$rc" = 1 ] || fail "a failing run exited $rc, expected 1"
only "sluice: error: $TMP/ff.conf:3: stage 'events': $TMP/in/x.json:2: malformed record (parse_mode = \"failfast\"): column 1: expected a JSON object, got 'n'" "$TMP/ff.err"

# A checkpoint refusal: the checkpoint is the place.
mkdir -p "$TMP/chk"
printf '{"version": 7}\n' >"$TMP/chk/metadata"
rc=0
sluice run --checkpoint "$TMP/chk" "$TMP/ff.conf" >/dev/null 2>"$TMP/chk.err" || rc=$?
[ "$rc" = 1 ] || fail "a refused checkpoint exited $rc, expected 1"
[ "$(wc -l <"$TMP/chk.err")" = 1 ] || { cat "$TMP/chk.err" >&2; fail "expected one line"; }
expect_grep "sluice: error: checkpoint $TMP/chk: metadata has version" "$TMP/chk.err"

# A bad command line.
rc=0
sluice rnu >/dev/null 2>"$TMP/usage.err" || rc=$?
[ "$rc" = 2 ] || fail "an unknown command exited $rc, expected 2"
only "sluice: error: unknown command 'rnu' (did you mean 'run'?) (see sluice --help)" "$TMP/usage.err"
rc=0
sluice validate "$TMP/missing.conf" >/dev/null 2>"$TMP/missing.err" || rc=$?
[ "$rc" = 2 ] || fail "a missing file exited $rc, expected 2"
only "sluice: error: $TMP/missing.conf: cannot open: No such file or directory" "$TMP/missing.err"
exit 0
