/* expr_like.c - SQL LIKE: % matches any run of characters, _ exactly one
 * (UTF-8) character, a backslash makes the next character literal.
 *
 * A constant pattern is compiled once; the common shapes ('abc', 'abc%',
 * '%abc', '%abc%', '%') become plain comparisons.  Other patterns run a
 * greedy matcher that backtracks to the last %, linear in practice.
 */
#include "config.h"

#include <stdlib.h>

#include "expr_internal.h"

enum { TK_LIT = 0, TK_ONE, TK_ANY };
enum { M_GENERAL = 0, M_EXACT, M_PREFIX, M_SUFFIX, M_CONTAINS, M_ALWAYS };

typedef struct tok {
	uint8_t kind;
	char c;
} tok;

typedef struct like_prog {
	int mode;
	char *lit; /* the literal of the simple shapes */
	size_t lit_len;
	tok *toks;
	size_t n;
} like_prog;

/* Compiles pattern p into toks (capacity len); returns the count. */
static size_t compile(const char *p, size_t len, tok *toks)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '\\' && i + 1 < len) {
			toks[n++] = (tok){TK_LIT, p[++i]};
		} else if (c == '%') {
			if (n == 0 || toks[n - 1].kind != TK_ANY)
				toks[n++] = (tok){TK_ANY, 0};
		} else if (c == '_') {
			toks[n++] = (tok){TK_ONE, 0};
		} else {
			toks[n++] = (tok){TK_LIT, c};
		}
	}
	return n;
}

static bool match(const tok *p, size_t np, const char *s, size_t ns)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
	while (si < ns) {
		if (pi < np && p[pi].kind == TK_LIT && p[pi].c == s[si]) {
			pi++;
			si++;
		} else if (pi < np && p[pi].kind == TK_ONE) {
			pi++;
			si += slu_utf8_clen((unsigned char)s[si]);
		} else if (pi < np && p[pi].kind == TK_ANY) {
			star_p = pi++;
			star_s = si;
		} else if (star_p != SIZE_MAX) {
			pi = star_p + 1;
			star_s += slu_utf8_clen((unsigned char)s[star_s]);
			si = star_s;
		} else {
			return false;
		}
	}
	if (si > ns)
		return false; /* a _ ran past a truncated character */
	while (pi < np && p[pi].kind == TK_ANY)
		pi++;
	return pi == np;
}

static void prog_free(void *state)
{
	like_prog *lp = state;
	if (lp == NULL)
		return;
	free(lp->lit);
	free(lp->toks);
	free(lp);
}

/* Classifies the compiled pattern into one of the simple shapes. */
static void classify(like_prog *lp)
{
	size_t n = lp->n, first = 0, last = n;
	bool lead = n > 0 && lp->toks[0].kind == TK_ANY;
	bool trail = n > 0 && lp->toks[n - 1].kind == TK_ANY;
	if (n == 1 && lead) {
		lp->mode = M_ALWAYS;
		return;
	}
	if (lead)
		first = 1;
	if (trail)
		last = n - 1;
	for (size_t k = first; k < last; k++)
		if (lp->toks[k].kind != TK_LIT)
			return; /* general */
	lp->lit_len = last > first ? last - first : 0;
	lp->lit = malloc(lp->lit_len + 1);
	if (lp->lit == NULL)
		return; /* the general matcher still works */
	for (size_t k = first; k < last; k++)
		lp->lit[k - first] = lp->toks[k].c;
	lp->mode = lead && trail ? M_CONTAINS : lead ? M_SUFFIX : trail ? M_PREFIX : M_EXACT;
}

int slx_like_prepare(slx_node *n, sl_error *err)
{
	slx_node *p = n->args[1];
	if (p->kind != SLX_LIT || n->state != NULL)
		return 0;
	slx_val v;
	slx_val_from_const(&v, p->cval, false);
	sl_array_unref(v.arr);
	if (v.null)
		return 0;
	like_prog *lp = calloc(1, sizeof(*lp));
	if (lp == NULL || (lp->toks = malloc((v.s.len + 1) * sizeof(tok))) == NULL) {
		free(lp);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	lp->n = compile(v.s.ptr, v.s.len, lp->toks);
	classify(lp);
	n->state = lp;
	n->state_free = prog_free;
	return 0;
}

static bool like_prog_match(const like_prog *lp, sl_strview s)
{
	switch (lp->mode) {
	case M_ALWAYS:
		return true;
	case M_EXACT:
		return s.len == lp->lit_len && (s.len == 0 || memcmp(s.ptr, lp->lit, s.len) == 0);
	case M_PREFIX:
		return s.len >= lp->lit_len && memcmp(s.ptr, lp->lit, lp->lit_len) == 0;
	case M_SUFFIX:
		return s.len >= lp->lit_len &&
		       memcmp(s.ptr + s.len - lp->lit_len, lp->lit, lp->lit_len) == 0;
	case M_CONTAINS:
		return lp->lit_len == 0 ||
		       (s.len >= lp->lit_len && memmem(s.ptr, s.len, lp->lit, lp->lit_len) != NULL);
	default:
		return match(lp->toks, lp->n, s.ptr, s.len);
	}
}

int slx_k_like(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const like_prog *lp = n->state;
	slx_fixout fo;
	if (slx_any_null_scalar(args, 2))
		return slx_out_nulls(cx, n, out);
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	uint8_t *bits = fo.values->data;
	bool neg = n->negated;
	for (int64_t i = 0; i < cx->n; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i)) {
			slx_fixout_null(&fo, i);
			continue;
		}
		sl_strview s = slx_str(&args[0], i);
		bool m;
		if (lp != NULL) {
			m = like_prog_match(lp, s);
		} else {
			sl_strview p = slx_str(&args[1], i);
			tok *t = (tok *)slx_scratch(cx, (p.len + 1) * sizeof(tok));
			if (t == NULL) {
				slx_fixout_free(&fo);
				return slx_oom(cx);
			}
			m = match(t, compile(p.ptr, p.len, t), s.ptr, s.len);
		}
		if (m != neg)
			sl_bit_set(bits, i);
	}
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}
