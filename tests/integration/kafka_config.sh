#!/bin/bash
# Safety of the Kafka stages' configuration.  librdkafka properties pass
# through `kafka = [ "name=value", ... ]`, checked by librdkafka itself at
# validate: an unknown property or a bad value is an error at the option's
# file:line; properties that run programs or load code (kinit command,
# plugin libraries, OpenSSL engines and providers) are refused with the
# reason unless allow_unsafe_properties = true; properties sluice owns
# (auto commit, offset reset, idempotence, acks, transactional.id) are
# refused with the reason.  A secret given through ${VAR} never appears in
# validate, explain, logs (librdkafka's debug output included), progress,
# the checkpoint or sluice status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"

# conf FILE KAFKA-ITEMS [EXTRA]
conf() {
	cat >"$1" <<EOF
name = "kafka_config";
stages = (
  { name = "in"; plugin = "kafka"; bootstrap_servers = "\${KAFKA:-127.0.0.1:1}";
    subscribe = [ "in" ]; starting_offsets = "earliest";
    kafka = [ $2 ];
    ${3:-} },
  { name = "kv"; plugin = "select"; input = "in"; exprs = [ "key", "value" ]; },
  { name = "out"; plugin = "kafka"; input = "kv"; bootstrap_servers = "\${KAFKA:-127.0.0.1:1}";
    topic = "out"; }
);
EOF
}

# refused ITEMS PATTERN [EXTRA] : validate exits 2 with one error line at
# the kafka option's line (5) matching PATTERN.
refused() {
	conf "$TMP/r.conf" "$1" "${3:-}"
	rc=0
	sluice validate "$TMP/r.conf" >/dev/null 2>"$TMP/r.err" || rc=$?
	[ "$rc" = 2 ] || { cat "$TMP/r.err" >&2; fail "validate accepted kafka = [ $1 ] (exit $rc)"; }
	[ "$(wc -l <"$TMP/r.err")" = 1 ] || { cat "$TMP/r.err" >&2; fail "expected one error line for $1"; }
	grep -qE "^sluice: error: $TMP/r.conf:5: stage 'in': option 'kafka': $2" "$TMP/r.err" ||
		{ cat "$TMP/r.err" >&2; fail "for kafka = [ $1 ]: expected /$2/"; }
}

refused '"no.such.property=1"' "property 'no.such.property': No such configuration property"
refused '"security.protocol=bogus"' "property 'security.protocol': Invalid value"
refused '"fetch.wait.max.ms"' "'fetch.wait.max.ms' is not \"name=value\""
refused '"sasl.kerberos.kinit.cmd=touch /tmp/pwned"' "property 'sasl.kerberos.kinit.cmd' runs a program or loads code into sluice; refused unless allow_unsafe_properties = true"
refused '"plugin.library.paths=/tmp/evil.so"' "property 'plugin.library.paths' runs a program or loads code"
refused '"ssl.engine.location=/tmp/e.so"' "property 'ssl.engine.location' runs a program or loads code"
refused '"enable.auto.commit=true"' "property 'enable.auto.commit' cannot be set: offsets live in sluice's checkpoint"
refused '"auto.offset.reset=earliest"' "property 'auto.offset.reset' cannot be set: use starting_offsets"
refused '"bootstrap.servers=x:1"' "property 'bootstrap.servers': give it as the option bootstrap_servers"
# The sink's own (on the sink's line, 9).
conf "$TMP/s.conf" ''
sed -i 's|topic = "out"; }|topic = "out"; kafka = [ "acks=1" ]; }|' "$TMP/s.conf"
rc=0
sluice validate "$TMP/s.conf" >/dev/null 2>"$TMP/s.err" || rc=$?
[ "$rc" = 2 ] || fail "acks=1 on the sink was accepted"
expect_grep "$TMP/s.conf:9: stage 'out': option 'kafka': property 'acks' cannot be set: a message counts as written once every in-sync replica has it" "$TMP/s.err"
# Allowed when asked for.
conf "$TMP/ok.conf" '"sasl.kerberos.kinit.cmd=true"' 'allow_unsafe_properties = true;'
sluice validate "$TMP/ok.conf" >/dev/null 2>"$TMP/ok.err" || { cat "$TMP/ok.err" >&2; fail "allow_unsafe_properties = true did not allow it"; }

# A secret from the environment is never shown.
kafka_start --topic in:2 --topic out:2
printf 'a:1\nb:2\n' | kafka_produce in -K:
export KPW="s3cr3t-$$-value"
conf "$TMP/secret.conf" '"ssl.key.password=${KPW}", "sasl.password=${KPW}", "debug=conf,generic,broker"'
sed -i "s|^name = \"kafka_config\";|name = \"kafka_config\";\ncheckpoint = \"$TMP/chk\";|" "$TMP/secret.conf"
sluice validate "$TMP/secret.conf" >"$TMP/out.validate" 2>&1 || { cat "$TMP/out.validate" >&2; fail "validate failed"; }
sluice explain "$TMP/secret.conf" >"$TMP/out.explain" 2>&1 || { cat "$TMP/out.explain" >&2; fail "explain failed"; }
SLUICE_LOG=debug sluice run --trigger available-now --progress "$TMP/secret.conf" >"$TMP/out.run" 2>&1 ||
	{ tail "$TMP/out.run" >&2; fail "run failed"; }
sluice status "$TMP/chk" >"$TMP/out.status" 2>&1 || fail "status failed"
[ "$(kafka_count out)" = 2 ] || fail "the pipeline did not copy the 2 messages"
grep -c . "$TMP/out.run" >/dev/null
if grep -rl -- "$KPW" "$TMP"/out.* "$TMP/chk" 2>/dev/null; then
	fail "the secret appeared in the files above"
fi
# (librdkafka's configuration dump was on, and it was read)
expect_grep "kafka CONF" "$TMP/out.run"
kafka_stop
exit 0
