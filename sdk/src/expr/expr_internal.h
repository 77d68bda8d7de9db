/* expr_internal.h - what the expression engine's files share (not installed).
 *
 * Files, each depending only on those listed before it:
 *   expr_tree.c     a tree's arena, its nodes, errors at a character
 *   expr_lex.c      text -> tokens          expr_parse.c  tokens -> tree
 *   expr_vec.c      evaluation memory: pool, results, output builders
 *   expr_kernels.c  arithmetic, comparison, logic over whole columns
 *   expr_cast.c     CAST, and the text forms of values
 *   expr_type.c     Spark's type rules, implicit casts
 *   expr_cond.c, expr_string.c, expr_like.c, expr_regex.c, expr_time.c,
 *   expr_math.c, expr_list.c, expr_nested.c, expr_codec.c
 *                   the operator and function families (expr_codec.c is
 *                   from_json/to_json/..., over the format component)
 *   expr_funcs.c    the function table
 *   expr_eval.c     the tree walk
 *   expr_text.c     default names           expr_bind.c  names and types,
 *                                           constant folding
 *   expr.c          the public API (sl_expr.h)
 *
 * Internal symbols are prefixed slx_ and are not exported from libsluice
 * (which exports ^sl_ only).
 */
#ifndef SLUICE_EXPR_INTERNAL_H
#define SLUICE_EXPR_INTERNAL_H

#include <string.h>

#include <sluice/sl_array.h>
#include <sluice/sl_batch.h>
#include <sluice/sl_builder.h>
#include <sluice/sl_expr.h>

#include "../util/util.h"

/* Deepest expression tree accepted (parser recursion and tree height). */
#define SLX_MAX_DEPTH 200

/* ------------------------------------------------------------------ arena */

/* Compile-time memory of one expression: nodes, names, literals.  Freed at
 * once with the expression. */
typedef struct slx_arena {
	struct slx_chunk *head;
} slx_arena;

void *slx_alloc(slx_arena *a, size_t n); /* zeroed, or NULL */
char *slx_strndup(slx_arena *a, const char *s, size_t n);
void slx_arena_free(slx_arena *a);

/* ------------------------------------------------------------------ lexer */

typedef enum slx_tok_kind {
	SLX_T_EOF = 0,
	SLX_T_INT,
	SLX_T_DOUBLE,
	SLX_T_STRING,
	SLX_T_IDENT,  /* bare name (also keywords) */
	SLX_T_QIDENT, /* `quoted name` */
	SLX_T_LPAREN,
	SLX_T_RPAREN,
	SLX_T_COMMA,
	SLX_T_DOT,
	SLX_T_LBRACK,
	SLX_T_RBRACK,
	SLX_T_PLUS,
	SLX_T_MINUS,
	SLX_T_STAR,
	SLX_T_SLASH,
	SLX_T_PERCENT,
	SLX_T_CONCAT, /* || */
	SLX_T_EQ,     /* = or == */
	SLX_T_NE,     /* != or <> */
	SLX_T_LT,
	SLX_T_LE,
	SLX_T_GT,
	SLX_T_GE,
	SLX_T_COLON /* only inside CAST's type */
} slx_tok_kind;

typedef struct slx_tok {
	slx_tok_kind kind;
	int pos;      /* byte offset in the text */
	int len;      /* bytes of source text */
	char *str;    /* IDENT, QIDENT, STRING: decoded text (arena, NUL-terminated) */
	size_t slen;  /* decoded length (a string may hold NUL bytes) */
	int64_t i;    /* INT */
	double d;     /* DOUBLE */
	bool int_min; /* INT: the literal 9223372036854775808 (only valid negated) */
} slx_tok;

/* Splits text into tokens (ending with SLX_T_EOF).  *toks is malloc'd. */
int slx_lex(const char *text, slx_arena *a, slx_tok **toks, size_t *n, sl_error *err);
/* True when tok is the bare keyword kw (case-insensitive). */
bool slx_tok_is(const slx_tok *tok, const char *kw);
/* Short description of a token for messages ("'foo'", "end of expression"). */
void slx_tok_describe(const char *text, const slx_tok *tok, char *buf, size_t size);

/* ------------------------------------------------------------------- tree */

typedef enum slx_kind {
	SLX_LIT = 0, /* a constant (parsed literal or folded), value in cval */
	SLX_COL,     /* a top-level column */
	SLX_FIELD,   /* args[0].name */
	SLX_INDEX,   /* args[0][args[1]], 0-based */
	SLX_NEG,     /* - args[0] */
	SLX_NOT,
	SLX_ARITH, /* op: SLX_ADD..SLX_MOD */
	SLX_CMP,   /* op: SLX_EQ..SLX_GE */
	SLX_AND,
	SLX_OR,
	SLX_ISNULL,  /* negated: IS NOT NULL */
	SLX_IN,      /* args[0] IN (args[1..]) */
	SLX_LIKE,    /* args[0] LIKE args[1] */
	SLX_BETWEEN, /* args[0] BETWEEN args[1] AND args[2] */
	SLX_CASE,    /* [operand] (when, then)... [else] */
	SLX_CAST,    /* CAST(args[0] AS cast_type) */
	SLX_CALL,    /* fn(args) */
	SLX_STAR     /* * */
} slx_kind;

enum { SLX_ADD = 0, SLX_SUB, SLX_MUL, SLX_DIV, SLX_MOD };
enum { SLX_EQ = 0, SLX_NE, SLX_LT, SLX_LE, SLX_GT, SLX_GE };

/* Parsed literal values. */
enum { SLX_LNULL = 0, SLX_LBOOL, SLX_LINT, SLX_LDOUBLE, SLX_LSTRING };

typedef struct slx_node slx_node;
typedef struct slx_ctx slx_ctx;
typedef struct slx_val slx_val;
typedef struct slx_func slx_func;

typedef int (*slx_eval_fn)(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);

struct slx_node {
	slx_kind kind;
	int op;           /* ARITH, CMP */
	int pos;          /* byte offset where the node's text starts */
	int op_pos;       /* byte offset of its operator or function name */
	int depth;        /* height of the subtree */
	bool negated;     /* NOT IN, NOT LIKE, NOT BETWEEN, IS NOT NULL */
	bool implicit;    /* a cast the binder inserted */
	bool has_operand; /* CASE x WHEN ... */
	bool has_else;
	bool pipe;        /* concat written as a || b */
	bool interval;    /* an INTERVAL (BIGINT microseconds), or a sum of them */
	bool star;        /* count(*) */
	const char *name; /* COL/FIELD: as written; CALL: lower case */
	size_t n_args;
	slx_node **args;
	/* literal as parsed */
	int lit_kind;
	bool lit_b;
	int64_t lit_i;
	double lit_d;
	const char *lit_s;
	size_t lit_slen;
	sl_type *cast_type; /* CAST target (reference held) */
	/* bound */
	sl_type *type; /* reference held */
	bool nullable;
	int col;                /* COL: column index; FIELD: field index */
	const char *bound_name; /* COL/FIELD: the schema's spelling */
	const slx_func *fn;
	slx_eval_fn eval;
	sl_array *cval; /* LIT: the value as a 1-row array (reference held) */
	void *state;    /* prepared per-node state (regex, LIKE program) */
	void (*state_free)(void *state);
	slx_node *all_next; /* every node of an expression, for cleanup */
};

/* Parse context (the parse tree lives in the arena). */
typedef struct slx_tree {
	slx_arena arena;
	slx_node *all; /* every node allocated, linked through all_next */
	const char *text;
	bool has_alias;
	const char *alias;
	int alias_pos;
} slx_tree;

slx_node *slx_node_new(slx_tree *t, slx_kind kind, int pos);
/* Parses text into t; returns the root (under the alias) or NULL. */
slx_node *slx_parse(slx_tree *t, const char *text, sl_error *err);
/* Releases references held by every node (types, constants, state). */
void slx_tree_release(slx_tree *t);

/* ---------------------------------------------------------------- binding */

typedef struct slx_binder {
	slx_tree *tree;
	const sl_schema *schema;
	unsigned flags;
	slx_node *root;       /* the node allowed to be an aggregate/generator */
	struct sl_expr *expr; /* for folding scratch */
	int *cols;            /* referenced columns */
	size_t n_cols, cap_cols;
} slx_binder;

int slx_bind(slx_binder *b, slx_node **pn, sl_error *err);
/* Post-binding: compiles constant patterns, folds constant subtrees. */
int slx_fold(slx_binder *b, slx_node **pn, sl_error *err);
/* Wraps *pn in an implicit cast to t (no-op when already t). */
int slx_coerce(slx_binder *b, slx_node **pn, sl_type *t, sl_error *err);
void slx_node_set_type(slx_node *n, sl_type *t);
/* Lower-case, NUL-terminated DDL name of a type, into buf. */
const char *slx_type_name(const sl_type *t, char *buf, size_t size);
/* Sets err with code, position (byte offset) and message. */
int slx_err(sl_error *err, int code, int pos, const char *fmt, ...) SL_PRINTF(4, 5);

/* Wider type of a and b for CASE, coalesce, greatest...: NULL if none. */
sl_type *slx_wider_type(sl_type *a, sl_type *b);
/* Type both sides of a comparison are brought to, or NULL. */
sl_type *slx_compare_type(sl_type *a, sl_type *b);
bool slx_type_orderable(const sl_type *t);
bool slx_is_atomic(const sl_type *t); /* not struct or list */

/* Can CAST(from AS to) be done? */
bool slx_can_cast(const sl_type *from, const sl_type *to);
/* Can it give NULL for a non-NULL value (a string that does not parse)? */
bool slx_cast_may_fail(const sl_type *from, const sl_type *to);
/* int64 or double. */
bool slx_is_numeric(const sl_type *t);

/* -------------------------------------------------------------- functions */

enum {
	SLX_F_AGG = 1u << 0,      /* aggregate: root only */
	SLX_F_GEN = 1u << 1,      /* generator: root only */
	SLX_F_NULLABLE = 1u << 2, /* may give NULL for non-NULL arguments */
	SLX_F_NONNULL = 1u << 3,  /* never NULL */
	SLX_F_STAR = 1u << 4,     /* accepts f(*) */
	SLX_F_STAR_COLS = 1u << 5 /* f(*) means f(every input column) */
};

struct slx_func {
	const char *name;
	int min_args;
	int max_args;    /* < 0: any number */
	const char *sig; /* coercion per argument, the last repeating: see expr_funcs.c */
	char ret;        /* result type rule */
	unsigned flags;
	int (*bind)(slx_binder *b, slx_node *n, sl_error *err); /* custom check, after sig */
	int (*prepare)(slx_node *n, sl_error *err);             /* after the args are folded */
	slx_eval_fn eval;
};

const slx_func *slx_func_find(const char *name);
/* Every name (scalar, aggregate, generator) for did-you-mean. */
const char *slx_func_suggest(const char *name);
int slx_func_bind(slx_binder *b, slx_node *n, sl_error *err);

/* ------------------------------------------------------------- evaluation */

/* A value during evaluation: a column of cx->n rows, or a scalar (the
 * 1-row array of a constant, with its primitive value decoded). */
struct slx_val {
	sl_array *arr; /* reference held */
	bool scalar;
	bool null; /* scalar: is NULL */
	bool b;
	int64_t i;
	double d;
	sl_strview s;
};

/* A small pool of buffers reclaimed from intermediate results. */
#define SLX_POOL_MAX 16
typedef struct slx_pool {
	sl_buffer *bufs[SLX_POOL_MAX];
	size_t n;
	char *scratch; /* a reusable byte area (regexec copies, LIKE programs) */
	size_t scratch_cap;
} slx_pool;

struct slx_ctx {
	const sl_batch *in;
	int64_t n; /* rows */
	bool fold; /* constant folding: literals are 1-row columns */
	slx_pool *pool;
	sl_error *err;
};

int slx_eval(slx_ctx *cx, slx_node *n, slx_val *out);
void slx_val_drop(slx_ctx *cx, slx_val *v);
void slx_pool_free(slx_pool *p);
/* Scratch bytes valid until the next call (grows; never shrinks). */
char *slx_scratch(slx_ctx *cx, size_t n);

/* Fills the scalar fields of v from its 1-row array. */
void slx_val_from_const(slx_val *v, sl_array *one, bool as_column);
/* A buffer of at least bytes (+8 slack), len = bytes, contents undefined. */
sl_buffer *slx_buf(slx_ctx *cx, size_t bytes);
/* Gives a buffer from slx_buf back to the pool. */
void slx_buf_release(slx_ctx *cx, sl_buffer *b);
/* A bitmap of n bits, len = its bytes, contents undefined. */
sl_buffer *slx_bitmap(slx_ctx *cx, int64_t n);
/* A bitmap of n bits all set. */
sl_buffer *slx_bitmap_ones(slx_ctx *cx, int64_t n);
/* Makes out a column from parts (buffers and children taken over, also on
 * failure).  nulls < 0: count from validity. */
int slx_out(slx_ctx *cx, slx_val *out, sl_type *t, int64_t nulls, sl_buffer *valid,
            sl_buffer *values, sl_buffer *data, size_t n_children, sl_array **children);
int slx_out_array(slx_ctx *cx, slx_val *out, sl_array *a); /* takes a over */
/* An all-NULL column of type t with every buffer present. */
sl_array *slx_make_nulls(sl_type *t, int64_t n);
/* A column of n rows repeating a scalar. */
int slx_broadcast(slx_ctx *cx, const slx_val *v, int64_t n, sl_array **out);
/* Validity of rows valid in every column among vals (scalars ignored):
 * *valid NULL when no row is null, else a new or shared reference. */
int slx_valid_and(slx_ctx *cx, const slx_val *vals, size_t k, sl_buffer **valid, int64_t *nulls);
/* Is any scalar among vals NULL? */
bool slx_any_null_scalar(const slx_val *vals, size_t k);
/* out := an all-NULL column of the node's type. */
int slx_out_nulls(slx_ctx *cx, slx_node *n, slx_val *out);
/* The same array with validity ANDed with mask (NULL: no change);
 * mask_nulls is not needed.  Takes a over. */
int slx_with_mask(slx_ctx *cx, sl_array *a, const uint8_t *mask, slx_val *out);
int slx_oom(slx_ctx *cx);

/* The bytes of a string/binary array (never NULL, even when empty: an
 * empty data buffer may have no memory at all). */
static inline const char *slx_bytes(const sl_array *a)
{
	return a->data != NULL && a->data->data != NULL ? (const char *)a->data->data : "";
}
/* sl_array_str without pointer arithmetic on a NULL data pointer. */
static inline sl_strview slx_arr_str(const sl_array *a, int64_t i)
{
	const int32_t *o = (const int32_t *)a->values->data;
	sl_strview v = {slx_bytes(a) + o[i], (size_t)(o[i + 1] - o[i])};
	return v;
}

/* Per-row accessors (for kernels that are not on the hot path). */
static inline bool slx_null(const slx_val *v, int64_t i)
{
	if (v->scalar)
		return v->null;
	return v->arr->validity != NULL && !sl_bit_get(v->arr->validity->data, i);
}
static inline int64_t slx_i64(const slx_val *v, int64_t i)
{
	return v->scalar ? v->i : ((const int64_t *)v->arr->values->data)[i];
}
static inline double slx_f64(const slx_val *v, int64_t i)
{
	return v->scalar ? v->d : ((const double *)v->arr->values->data)[i];
}
static inline bool slx_bool(const slx_val *v, int64_t i)
{
	return v->scalar ? v->b : sl_bit_get(v->arr->values->data, i);
}
static inline sl_strview slx_str(const slx_val *v, int64_t i)
{
	if (v->scalar)
		return v->s;
	return slx_arr_str(v->arr, i);
}
/* The row of v's array holding row i's value. */
static inline int64_t slx_row(const slx_val *v, int64_t i)
{
	return v->scalar ? 0 : i;
}

/* Fixed-width output (int64, double, timestamp: width 8; bool: width 0). */
typedef struct slx_fixout {
	sl_buffer *values;
	sl_buffer *valid;
	uint8_t *vbits;
	int64_t nulls;
	int64_t n;
} slx_fixout;

int slx_fixout_init(slx_ctx *cx, slx_fixout *o, size_t width);
static inline void slx_fixout_null(slx_fixout *o, int64_t i)
{
	sl_bit_clear(o->vbits, i);
	o->nulls++;
}
int slx_fixout_finish(slx_ctx *cx, slx_fixout *o, sl_type *t, slx_val *out);
void slx_fixout_free(slx_fixout *o);

/* Variable-width output (string, binary): rows appended in order. */
typedef struct slx_strout {
	sl_buffer *offs;
	sl_buffer *data;
	sl_buffer *valid;
	int64_t n;   /* rows appended */
	int64_t cap; /* rows the offsets buffer holds */
	int64_t nulls;
	size_t len; /* bytes of data */
} slx_strout;

int slx_strout_init(slx_ctx *cx, slx_strout *o, int64_t rows, size_t bytes);
/* Room for extra more bytes; returns where to write them, or NULL. */
char *slx_strout_reserve(slx_strout *o, size_t extra);
/* Ends a row of len bytes written at the reserved place. */
int slx_strout_commit(slx_strout *o, size_t len);
int slx_strout_append(slx_strout *o, const char *p, size_t len);
int slx_strout_null(slx_strout *o);
sl_array *slx_strout_finish(slx_strout *o, sl_type *t);
void slx_strout_free(slx_strout *o);

/* ------------------------------------------------------- bitmap helpers */

/* 64-bit word w of a bitmap of n bits, reading no byte past the bitmap
 * (bits past n undefined). */
static inline uint64_t slx_bm_word(const uint8_t *bits, int64_t w, int64_t n)
{
	uint64_t x = 0;
	int64_t b0 = w * 8, nbytes = (n + 7) >> 3;
	if (b0 + 8 <= nbytes) {
		memcpy(&x, bits + b0, 8);
	} else {
		for (int64_t k = 0; b0 + k < nbytes; k++)
			x |= (uint64_t)bits[b0 + k] << (8 * k);
	}
	return x;
}
static inline void slx_bm_store(uint8_t *bits, int64_t w, uint64_t x)
{
	memcpy(bits + w * 8, &x, 8); /* bitmaps from slx_bitmap have word slack */
}
/* Clears the bits at and after n in the last byte. */
static inline void slx_bm_clear_tail(uint8_t *bits, int64_t n)
{
	if (n & 7)
		bits[n >> 3] &= (uint8_t)((1u << (n & 7)) - 1);
}
int64_t slx_bm_count_zeros(const uint8_t *bits, int64_t n);

/* ------------------------------------------------------------ kernels */

int slx_k_arith(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_neg(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_cmp(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_and(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_or(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_not(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_isnull(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_in(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_between(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
/* Compares a with b (same type) into a bool column: out. */
int slx_compare(slx_ctx *cx, int op, const slx_val *a, const slx_val *b, slx_val *out);
/* Three-valued AND / OR / NOT of bool values. */
int slx_logic(slx_ctx *cx, bool is_and, const slx_val *a, const slx_val *b, slx_val *out);
int slx_negate(slx_ctx *cx, const slx_val *a, slx_val *out);
/* Signed comparison of rows of two values of type t (neither NULL). */
int slx_cmp_rows(const sl_type *t, const slx_val *a, int64_t i, const slx_val *b, int64_t j);

/* Structs and lists (expr_list.c). */
int slx_k_field(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_index(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);

/* LIKE (expr_like.c). */
int slx_like_prepare(slx_node *n, sl_error *err);
int slx_k_like(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);

/* Conditionals (expr_cond.c). */
int slx_k_case(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_if(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_coalesce(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_nullif(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_nvl2(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_greatest(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
int slx_k_least(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
/* out[i] := srcs[pick[i]][i], or NULL where pick[i] < 0. */
int slx_choose(slx_ctx *cx, sl_type *t, const slx_val *srcs, size_t k, const int32_t *pick,
               slx_val *out);

/* Casts (expr_cast.c). */
int slx_k_cast(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out);
/* Casts the column or scalar v to t into out (a column of cx->n rows). */
int slx_cast_val(slx_ctx *cx, const slx_val *v, sl_type *t, slx_val *out);
/* Parses Spark's cast forms; false when invalid. */
bool slx_parse_int64(const char *p, size_t len, int64_t *out);
bool slx_parse_double(const char *p, size_t len, double *out);
bool slx_parse_bool(const char *p, size_t len, bool *out);

/* ------------------------------------------------------- the expression */

struct sl_expr {
	sl_schema *schema; /* reference held (top-level expressions) */
	slx_tree *tree;    /* owned by the top-level expression */
	slx_node *root;    /* evaluated node (scalar) or the root call */
	sl_expr_kind kind;
	char *name;
	bool has_alias;
	const char *root_func;
	size_t n_args;
	sl_expr **args;
	sl_type *type; /* reference held */
	bool nullable;
	int *cols; /* referenced columns (for checking batches) */
	size_t n_cols;
	slx_pool pool;
	bool is_child;
};

/* Canonical text of a subtree (Spark's naming). */
int slx_node_text(const slx_node *n, sl_strbuf *sb);

#endif
