/* expr_funcs.h - the one table of functions the expression engine knows.
 *
 * X(name, min_args, max_args, sig, ret, flags, bind, prepare, eval)
 *
 * sig: how each argument is coerced (the last letter repeats for extra
 * arguments):
 *   S string (any atomic type is cast)   I BIGINT (numbers and strings cast)
 *   D DOUBLE (numbers and strings cast)  N a number (BIGINT or DOUBLE kept)
 *   B BOOLEAN   T TIMESTAMP (strings cast)   L an ARRAY   A anything
 *   W the wider type of every W argument  C the common comparison type
 * ret: S I D B T (as above), 0 the first argument's type, W the wider type,
 *   e the element type of the first argument (an ARRAY), L ARRAY<STRING>,
 *   a ARRAY<W>.
 * flags: SLX_F_*.  bind: an extra check after coercion; prepare: compiles
 * constant arguments (patterns, formats) once.
 *
 * Scalar functions are listed in SLX_SCALAR_FUNCS (their names are what
 * sl_expr_functions() returns), aggregates and generators in SLX_ROOT_FUNCS.
 */
#ifndef SLUICE_EXPR_FUNCS_H
#define SLUICE_EXPR_FUNCS_H

#include "expr_internal.h"

#define SLX_NUL SLX_F_NULLABLE
#define SLX_NN SLX_F_NONNULL

/* clang-format off */
#define SLX_SCALAR_FUNCS(X) \
	X("abs",              1,  1, "N",   '0', 0,       NULL,                 NULL,              slx_f_abs) \
	X("acos",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("array",            0, -1, "W",   'a', SLX_NN,  NULL,                 NULL,              slx_f_array) \
	X("array_contains",   2,  2, "LA",  'B', 0,       slx_bind_array_contains, NULL,           slx_f_array_contains) \
	X("array_join",       2,  3, "LSS", 'S', 0,       slx_bind_array_join,  NULL,              slx_f_array_join) \
	X("asin",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("atan",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("btrim",            1,  2, "SS",  'S', 0,       NULL,                 NULL,              slx_f_trim) \
	X("cardinality",      1,  1, "L",   'I', SLX_NN,  NULL,                 NULL,              slx_f_size) \
	X("cbrt",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("ceil",             1,  1, "N",   'I', 0,       NULL,                 NULL,              slx_f_ceil) \
	X("ceiling",          1,  1, "N",   'I', 0,       NULL,                 NULL,              slx_f_ceil) \
	X("char_length",      1,  1, "S",   'I', 0,       NULL,                 NULL,              slx_f_length) \
	X("character_length", 1,  1, "S",   'I', 0,       NULL,                 NULL,              slx_f_length) \
	X("coalesce",         1, -1, "W",   'W', 0,       slx_bind_coalesce,    NULL,              slx_k_coalesce) \
	X("concat",           0, -1, "S",   'S', 0,       NULL,                 NULL,              slx_f_concat) \
	X("concat_ws",        1, -1, "SA",  'S', 0,       slx_bind_concat_ws,   NULL,              slx_f_concat_ws) \
	X("contains",         2,  2, "SS",  'B', 0,       NULL,                 NULL,              slx_f_contains) \
	X("cos",              1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("date_format",      2,  2, "TS",  'S', SLX_NUL, NULL,                 slx_prep_format1,  slx_f_date_format) \
	X("date_trunc",       2,  2, "ST",  'T', SLX_NUL, NULL,                 NULL,              slx_f_date_trunc) \
	X("day",              1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("dayofmonth",       1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("dayofweek",        1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("dayofyear",        1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("degrees",          1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("e",                0,  0, "",    'D', SLX_NN,  slx_bind_math1,       NULL,              slx_f_math1) \
	X("element_at",       2,  2, "LI",  'e', SLX_NUL, slx_bind_element_at,  NULL,              slx_f_element_at) \
	X("endswith",         2,  2, "SS",  'B', 0,       NULL,                 NULL,              slx_f_endswith) \
	X("exp",              1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("floor",            1,  1, "N",   'I', 0,       NULL,                 NULL,              slx_f_floor) \
	X("from_avro",        2,  2, "AS", '0', SLX_NUL, slx_bind_from_avro,   NULL,              slx_f_from_avro) \
	X("from_csv",         2,  3, "SSS", '0', SLX_NUL, slx_bind_from_csv,    NULL,              slx_f_from_csv) \
	X("from_json",        2,  2, "SS", '0', SLX_NUL, slx_bind_from_json,   NULL,              slx_f_from_json) \
	X("from_unixtime",    1,  2, "IS",  'S', 0,       NULL,                 slx_prep_format1,  slx_f_from_unixtime) \
	X("greatest",         2, -1, "W",   'W', 0,       slx_bind_extreme,     NULL,              slx_k_greatest) \
	X("hour",             1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("if",               3,  3, "BWW", 'W', 0,       NULL,                 NULL,              slx_k_if) \
	X("ifnull",           2,  2, "W",   'W', 0,       slx_bind_coalesce,    NULL,              slx_k_coalesce) \
	X("initcap",          1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_initcap) \
	X("instr",            2,  2, "SS",  'I', 0,       NULL,                 NULL,              slx_f_instr) \
	X("isnan",            1,  1, "D",   'B', SLX_NN,  NULL,                 NULL,              slx_f_isnan) \
	X("isnotnull",        1,  1, "A",   'B', SLX_NN,  NULL,                 NULL,              slx_f_isnotnull) \
	X("isnull",           1,  1, "A",   'B', SLX_NN,  NULL,                 NULL,              slx_f_isnull) \
	X("lcase",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_lower) \
	X("least",            2, -1, "W",   'W', 0,       slx_bind_extreme,     NULL,              slx_k_least) \
	X("left",             2,  2, "SI",  'S', 0,       NULL,                 NULL,              slx_f_left) \
	X("length",           1,  1, "S",   'I', 0,       NULL,                 NULL,              slx_f_length) \
	X("ln",               1,  1, "D",   'D', SLX_NUL, slx_bind_math1,       NULL,              slx_f_math1) \
	X("locate",           2,  3, "SSI", 'I', 0,       NULL,                 NULL,              slx_f_locate) \
	X("log",              1,  2, "D",   'D', SLX_NUL, NULL,                 NULL,              slx_f_log) \
	X("log10",            1,  1, "D",   'D', SLX_NUL, slx_bind_math1,       NULL,              slx_f_math1) \
	X("log2",             1,  1, "D",   'D', SLX_NUL, slx_bind_math1,       NULL,              slx_f_math1) \
	X("lower",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_lower) \
	X("lpad",             2,  3, "SIS", 'S', 0,       NULL,                 NULL,              slx_f_lpad) \
	X("ltrim",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_trim) \
	X("minute",           1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("month",            1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("named_struct",     2, -1, "A",  '0', SLX_NN,  slx_bind_named_struct, NULL,              slx_f_named_struct) \
	X("nanvl",            2,  2, "D",   'D', 0,       NULL,                 NULL,              slx_f_nanvl) \
	X("nullif",           2,  2, "C",   '0', SLX_NUL, NULL,                 NULL,              slx_k_nullif) \
	X("nvl",              2,  2, "W",   'W', 0,       slx_bind_coalesce,    NULL,              slx_k_coalesce) \
	X("nvl2",             3,  3, "AWW", 'W', 0,       NULL,                 NULL,              slx_k_nvl2) \
	X("pi",               0,  0, "",    'D', SLX_NN,  slx_bind_math1,       NULL,              slx_f_math1) \
	X("pmod",             2,  2, "W",   'W', SLX_NUL, slx_bind_numeric,     NULL,              slx_f_pmod) \
	X("pow",              2,  2, "D",   'D', 0,       NULL,                 NULL,              slx_f_pow) \
	X("power",            2,  2, "D",   'D', 0,       NULL,                 NULL,              slx_f_pow) \
	X("quarter",          1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("radians",          1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("regexp_extract",   2,  3, "SSI", 'S', SLX_NUL, NULL,                 slx_prep_regex,    slx_f_regexp_extract) \
	X("regexp_like",      2,  2, "SS",  'B', 0,       NULL,                 slx_prep_regex,    slx_f_rlike) \
	X("regexp_replace",   3,  3, "SSS", 'S', 0,       NULL,                 slx_prep_regex,    slx_f_regexp_replace) \
	X("repeat",           2,  2, "SI",  'S', 0,       NULL,                 NULL,              slx_f_repeat) \
	X("replace",          2,  3, "SSS", 'S', 0,       NULL,                 NULL,              slx_f_replace) \
	X("reverse",          1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_reverse) \
	X("right",            2,  2, "SI",  'S', 0,       NULL,                 NULL,              slx_f_right) \
	X("rlike",            2,  2, "SS",  'B', 0,       NULL,                 slx_prep_regex,    slx_f_rlike) \
	X("round",            1,  2, "NI",  '0', 0,       NULL,                 NULL,              slx_f_round) \
	X("rpad",             2,  3, "SIS", 'S', 0,       NULL,                 NULL,              slx_f_rpad) \
	X("rtrim",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_trim) \
	X("second",           1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart) \
	X("sign",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("signum",           1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("sin",              1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("size",             1,  1, "L",   'I', SLX_NN,  NULL,                 NULL,              slx_f_size) \
	X("split",            2,  3, "SSI", 'L', 0,       NULL,                 slx_prep_regex,    slx_f_split) \
	X("sqrt",             1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("startswith",       2,  2, "SS",  'B', 0,       NULL,                 NULL,              slx_f_startswith) \
	X("struct",           0, -1, "A",  '0', SLX_NN | SLX_F_STAR | SLX_F_STAR_COLS, slx_bind_struct,      NULL,              slx_f_struct) \
	X("substr",           2,  3, "SII", 'S', 0,       NULL,                 NULL,              slx_f_substring) \
	X("substring",        2,  3, "SII", 'S', 0,       NULL,                 NULL,              slx_f_substring) \
	X("tan",              1,  1, "D",   'D', 0,       slx_bind_math1,       NULL,              slx_f_math1) \
	X("timestamp_micros", 1,  1, "I",   'T', 0,       NULL,                 NULL,              slx_f_timestamp_from) \
	X("timestamp_millis", 1,  1, "I",   'T', 0,       NULL,                 NULL,              slx_f_timestamp_from) \
	X("timestamp_seconds", 1, 1, "N",   'T', 0,       NULL,                 NULL,              slx_f_timestamp_from) \
	X("to_avro",          1,  2, "AS", '0', 0,       slx_bind_to_avro,     NULL,              slx_f_to_avro) \
	X("to_csv",           1,  1, "A",  '0', 0,       slx_bind_to_csv,      NULL,              slx_f_to_csv) \
	X("to_json",          1,  1, "A",  '0', 0,       slx_bind_to_json,     NULL,              slx_f_to_json) \
	X("to_timestamp",     1,  2, "AS",  'T', SLX_NUL, slx_bind_to_timestamp, slx_prep_format2, slx_f_to_timestamp) \
	X("trim",             1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_trim) \
	X("ucase",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_upper) \
	X("unix_micros",      1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_unix_from) \
	X("unix_millis",      1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_unix_from) \
	X("unix_seconds",     1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_unix_from) \
	X("unix_timestamp",   1,  2, "AS",  'I', SLX_NUL, slx_bind_to_timestamp, slx_prep_format2, slx_f_unix_timestamp) \
	X("upper",            1,  1, "S",   'S', 0,       NULL,                 NULL,              slx_f_upper) \
	X("year",             1,  1, "T",   'I', 0,       NULL,                 NULL,              slx_f_datepart)

#define SLX_ROOT_FUNCS(X) \
	X("avg",              1,  1, "D",   'D', SLX_F_AGG | SLX_NUL,        NULL,              NULL, NULL) \
	X("count",            0,  1, "A",   'I', SLX_F_AGG | SLX_NN | SLX_F_STAR, slx_bind_count, NULL, NULL) \
	X("count_distinct",   1,  1, "A",   'I', SLX_F_AGG | SLX_NN,         NULL,              NULL, NULL) \
	X("explode",          1,  1, "L",   'e', SLX_F_GEN,                  slx_bind_explode,  NULL, NULL) \
	X("explode_outer",    1,  1, "L",   'e', SLX_F_GEN | SLX_NUL,        slx_bind_explode,  NULL, NULL) \
	X("first",            1,  1, "A",   '0', SLX_F_AGG | SLX_NUL,        NULL,              NULL, NULL) \
	X("last",             1,  1, "A",   '0', SLX_F_AGG | SLX_NUL,        NULL,              NULL, NULL) \
	X("max",              1,  1, "A",   '0', SLX_F_AGG | SLX_NUL,        slx_bind_extreme,  NULL, NULL) \
	X("min",              1,  1, "A",   '0', SLX_F_AGG | SLX_NUL,        slx_bind_extreme,  NULL, NULL) \
	X("posexplode",       1,  1, "L",   'e', SLX_F_GEN,                  slx_bind_explode,  NULL, NULL) \
	X("posexplode_outer", 1,  1, "L",   'e', SLX_F_GEN | SLX_NUL,        slx_bind_explode,  NULL, NULL) \
	X("sum",              1,  1, "N",   '0', SLX_F_AGG | SLX_NUL,        NULL,              NULL, NULL)
/* clang-format on */

/* Evaluators (one prototype per table entry; aliases repeat harmlessly). */
#define SLX_EVAL_PROTO(nm, mn, mx, sig, ret, fl, bind, prep, ev)                                   \
	int ev(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
SLX_SCALAR_FUNCS(SLX_EVAL_PROTO)

/* Binding hooks. */
int slx_bind_math1(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_array_contains(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_array_join(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_coalesce(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_concat_ws(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_element_at(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_extreme(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_numeric(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_to_timestamp(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_count(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_explode(slx_binder *b, slx_node *n, sl_error *err);
/* Nested data (expr_nested.c, expr_codec.c). */
int slx_bind_struct(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_named_struct(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_from_json(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_to_json(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_from_csv(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_to_csv(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_from_avro(slx_binder *b, slx_node *n, sl_error *err);
int slx_bind_to_avro(slx_binder *b, slx_node *n, sl_error *err);

/* Preparation hooks (constant patterns and formats). */
int slx_prep_regex(slx_node *n, sl_error *err);
int slx_prep_format1(slx_node *n, sl_error *err); /* format in args[1] */
int slx_prep_format2(slx_node *n, sl_error *err); /* format in args[1], parsing */

#endif
