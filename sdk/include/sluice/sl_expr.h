/* sl_expr.h - the expression engine: a small SQL dialect, compiled once per
 * stage against the input schema and evaluated a column at a time.
 *
 * Grammar (case-insensitive keywords):
 *   expr     := or [AS name]
 *   or       := and (OR and)*          and := not (AND not)*
 *   not      := NOT not | cmp
 *   cmp      := add [(= | == | != | <> | < | <= | > | >=) add]
 *             | add IS [NOT] NULL | add [NOT] IN (expr, ...)
 *             | add [NOT] LIKE add  | add [NOT] BETWEEN add AND add
 *   add      := mul ((+ | - | ||) mul)*      mul := unary ((* | / | %) unary)*
 *   unary    := - unary | postfix
 *   postfix  := primary ( . name | [ expr ] )*
 *   primary  := number | 'string' | TRUE | FALSE | NULL | name | `quoted name`
 *             | name ( [*] | expr, ... ) | ( expr )
 *             | CASE [expr] WHEN expr THEN expr ... [ELSE expr] END
 *             | CAST ( expr AS type )
 *
 * Types follow Spark: int64 op int64 is int64 (/ is double), int64 op double
 * is double; comparisons and logic give bool with SQL three-valued NULL
 * semantics.  Errors (syntax, unknown column or function, type mismatch) are
 * reported by sl_expr_compile with err->pos set to the offending character.
 */
#ifndef SLUICE_SL_EXPR_H
#define SLUICE_SL_EXPR_H

#include <sluice/sl_batch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A compiled expression keeps scratch buffers between calls: evaluate one
 * sl_expr from one thread at a time (compile one per thread otherwise). */
typedef struct sl_expr sl_expr;

/* What may stand at the root of an expression (under its alias). */
enum {
	SL_EXPR_SCALAR = 0,            /* plain scalar expressions only */
	SL_EXPR_ALLOW_AGGREGATE = 1u,  /* count/sum/min/max/avg(...) at the root */
	SL_EXPR_ALLOW_GENERATOR = 2u,  /* explode(...) and friends at the root */
	SL_EXPR_ALLOW_STAR = 4u        /* a bare `*` (select all columns) */
};

typedef enum sl_expr_kind {
	SL_EXPR_KIND_SCALAR = 0,
	SL_EXPR_KIND_AGGREGATE,
	SL_EXPR_KIND_GENERATOR,
	SL_EXPR_KIND_STAR
} sl_expr_kind;

/* Parses and binds text against input (borrowed; the expression keeps a
 * reference).  flags: SL_EXPR_ALLOW_*.  On error returns < 0 with err->msg
 * and err->pos (the 0-based character offset in text). */
int sl_expr_compile(const char *text, const sl_schema *input, unsigned flags, sl_expr **out,
		    sl_error *err);
void sl_expr_free(sl_expr *e);

/* The result type and nullability of the whole expression (for an aggregate
 * or generator root: of its result column). */
const sl_type *sl_expr_type(const sl_expr *e);
bool sl_expr_nullable(const sl_expr *e);
/* The output column name: the alias, else Spark's default (a column path's
 * last name, else the expression's canonical text such as "upper(value)"). */
const char *sl_expr_name(const sl_expr *e);
/* True when the expression has an explicit AS alias. */
bool sl_expr_has_alias(const sl_expr *e);

/* Root inspection, for stages that accept aggregates or generators. */
sl_expr_kind sl_expr_root_kind(const sl_expr *e);
/* Lower-case function name at the root ("count", "explode"), or NULL. */
const char *sl_expr_root_func(const sl_expr *e);
/* Arguments of the root call, each an evaluable expression (count(*) has
 * none).  Borrowed from e. */
size_t sl_expr_root_nargs(const sl_expr *e);
sl_expr *sl_expr_root_arg(const sl_expr *e, size_t i);
/* For a bare column reference (`a`, with or without alias): its column
 * index; else -1 (also for a field path `a.b`).  Lets projections share the
 * input column instead of evaluating. */
int sl_expr_column_index(const sl_expr *e);
/* The column of in that e (a bare column reference, bound to in) can be
 * read from directly, its type the expression's; else -1: evaluate. */
int sl_expr_input_column(const sl_expr *e, const sl_schema *in);

/* Evaluates a scalar expression over every row of in.  *out receives a new
 * array of in->n_rows rows (transfer full).  Allocates per batch, never per
 * row.  Errors here are data errors (e.g. a failed strict cast). */
int sl_expr_eval(sl_expr *e, const sl_batch *in, sl_array **out, sl_error *err);

/* Evaluates a boolean expression and writes the indices of the rows where it
 * is true (NULL counts as false) into sel (capacity in->n_rows).  *n_sel
 * receives the count.  The filter fast path. */
int sl_expr_select(sl_expr *e, const sl_batch *in, int32_t *sel, int64_t *n_sel, sl_error *err);

/* Names of the scalar functions the engine knows (NULL-terminated), for
 * documentation and did-you-mean. */
const char *const *sl_expr_functions(void);

#ifdef __cplusplus
}
#endif
#endif
