#!/bin/bash
# After `make install DESTDIR=...`, the template plugin builds in its own
# directory with nothing but `pkg-config --cflags --libs sluice`, and the
# installed sluice runs it in a pipeline.
. "$(dirname "$0")/lib.sh"

root=$TMP/root
make -s -C "$BUILD" install DESTDIR="$root" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "make install DESTDIR failed"; }
libdir=$(pkg-config --variable=libdir "$BUILD/sdk/sluice.pc")
prefix=$(pkg-config --variable=prefix "$BUILD/sdk/sluice.pc")
[ -f "$root$libdir/pkgconfig/sluice.pc" ] || fail "sluice.pc not installed"
[ -f "$root$prefix/include/sluice/sluice.h" ] || fail "headers not installed"
[ -x "$root$prefix/bin/sluice" ] || fail "sluice not installed"
ls "$root$libdir/sluice/"*.so >/dev/null 2>&1 || fail "no plugins installed in \$(pkglibdir)"

export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
plugdir=$(pkg-config --variable=pluginsdir sluice)
# (pkgconf prefixes the sysroot to paths; pkg-config does not)
[ "$plugdir" = "$libdir/sluice" ] || [ "$plugdir" = "$root$libdir/sluice" ] || fail "pluginsdir is '$plugdir', expected $libdir/sluice"

mkdir -p "$TMP/plug"
cp "$SRC/sdk/template/hello.c" "$TMP/plug/"
(cd "$TMP/plug" && cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -o hello.so hello.c \
	$(pkg-config --cflags --libs sluice)) 2>"$TMP/cc.log" ||
	{ cat "$TMP/cc.log" >&2; fail "the template plugin does not build against the installed SDK"; }

cat >"$TMP/p.conf" <<CONF
name = "oot";
trigger = "available-now";
plugin_path = [ "$TMP/plug" ];
stages = (
  { name = "gen"; plugin = "rate"; rows_per_second = 0; total = 3; },
  { name = "greet"; plugin = "hello"; input = "gen"; column = "value"; prefix = "hi "; },
  { name = "pick"; plugin = "select"; input = "greet"; exprs = [ "value", "greeting" ]; },
  { name = "out"; plugin = "console"; input = "pick"; }
);
CONF
LD_LIBRARY_PATH=$root$libdir SLUICE_PLUGIN_PATH=$root$libdir/sluice \
	timeout 60 "$root$prefix/bin/sluice" run "$TMP/p.conf" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the installed sluice could not run the out-of-tree plugin"; }
cat >"$TMP/want" <<'OUT'
-------------------------------------------
Batch: 0
-------------------------------------------
+-----+--------+
|value|greeting|
+-----+--------+
|    0|    hi 0|
|    1|    hi 1|
|    2|    hi 2|
+-----+--------+

OUT
diff -u "$TMP/want" "$TMP/out" >&2 || fail "unexpected output from the out-of-tree plugin"
