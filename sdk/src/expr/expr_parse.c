/* expr_parse.c - recursive-descent parser: tokens to an untyped tree.
 *
 * The grammar is the one in sl_expr.h.  Every node records where its text
 * starts (pos) and where its operator or name is (op_pos) so that the binder
 * can point at the offending character.  Trees are limited to SLX_MAX_DEPTH
 * levels so that binding and evaluation recursion stays bounded.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "expr_internal.h"

typedef struct parser {
	slx_tree *t;
	const char *text;
	slx_tok *toks;
	size_t n, i;
	sl_error *err;
	int depth;
} parser;

/* A growable list of nodes while parsing argument lists. */
typedef struct nodevec {
	slx_node **v;
	size_t n, cap;
} nodevec;

static int vec_push(nodevec *v, slx_node *x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		slx_node **nv = realloc(v->v, cap * sizeof(*nv));
		if (nv == NULL)
			return SL_ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

static const char *const reserved[] = {
    "AND", "OR", "NOT",  "IS",   "IN",   "LIKE", "BETWEEN", "WHEN",  "THEN",   "ELSE",
    "END", "AS", "CASE", "CAST", "NULL", "TRUE", "FALSE",   "RLIKE", "REGEXP", "DISTINCT"};

static bool is_reserved(const slx_tok *t)
{
	if (t->kind != SLX_T_IDENT)
		return false;
	for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		if (strcasecmp(t->str, reserved[k]) == 0)
			return true;
	return false;
}

static slx_tok *peek(parser *p)
{
	return &p->toks[p->i];
}

static slx_tok *peek2(parser *p)
{
	return p->i + 1 < p->n ? &p->toks[p->i + 1] : &p->toks[p->n - 1];
}

static slx_tok *advance(parser *p)
{
	slx_tok *t = &p->toks[p->i];
	if (t->kind != SLX_T_EOF)
		p->i++;
	return t;
}

static slx_node *fail_unexpected(parser *p, const slx_tok *t)
{
	char d[80];
	if (t->kind == SLX_T_EOF) {
		slx_err(p->err, SL_EINVAL, t->pos, "syntax error: unexpected end of expression");
		return NULL;
	}
	slx_tok_describe(p->text, t, d, sizeof(d));
	slx_err(p->err, SL_EINVAL, t->pos, "syntax error: unexpected %s", d);
	return NULL;
}

static bool expect(parser *p, slx_tok_kind kind, const char *what)
{
	slx_tok *t = peek(p);
	if (t->kind == kind) {
		advance(p);
		return true;
	}
	char d[80];
	slx_tok_describe(p->text, t, d, sizeof(d));
	slx_err(p->err, SL_EINVAL, t->pos, "syntax error: expected %s but found %s", what, d);
	return false;
}

static bool expect_kw(parser *p, const char *kw)
{
	slx_tok *t = peek(p);
	if (slx_tok_is(t, kw)) {
		advance(p);
		return true;
	}
	char d[80];
	slx_tok_describe(p->text, t, d, sizeof(d));
	slx_err(p->err, SL_EINVAL, t->pos, "syntax error: expected %s but found %s", kw, d);
	return false;
}

static slx_node *oom(parser *p)
{
	sl_error_set(p->err, SL_ENOMEM, "out of memory");
	return NULL;
}

/* A node with the given children; checks the tree height. */
static slx_node *mk(parser *p, slx_kind kind, int pos, int op_pos, size_t n, slx_node **args)
{
	slx_node *x = slx_node_new(p->t, kind, pos);
	if (x == NULL)
		return oom(p);
	x->op_pos = op_pos;
	if (n > 0) {
		x->args = slx_alloc(&p->t->arena, n * sizeof(*x->args));
		if (x->args == NULL)
			return oom(p);
		memcpy(x->args, args, n * sizeof(*args));
	}
	x->n_args = n;
	for (size_t k = 0; k < n; k++)
		if (args[k]->depth + 1 > x->depth)
			x->depth = args[k]->depth + 1;
	if (x->depth > SLX_MAX_DEPTH) {
		slx_err(p->err, SL_EINVAL, op_pos,
		        "expression nested too deeply (more than %d levels)", SLX_MAX_DEPTH);
		return NULL;
	}
	return x;
}

static slx_node *mk2(parser *p, slx_kind kind, int op, int op_pos, slx_node *a, slx_node *b)
{
	slx_node *args[2] = {a, b};
	slx_node *x = mk(p, kind, a->pos, op_pos, b ? 2 : 1, args);
	if (x)
		x->op = op;
	return x;
}

static slx_node *parse_or(parser *p);

static bool enter(parser *p)
{
	if (++p->depth > SLX_MAX_DEPTH) {
		slx_err(p->err, SL_EINVAL, peek(p)->pos,
		        "expression nested too deeply (more than %d levels)", SLX_MAX_DEPTH);
		return false;
	}
	return true;
}

static slx_node *parse_sub(parser *p)
{
	if (!enter(p))
		return NULL;
	slx_node *x = parse_or(p);
	p->depth--;
	return x;
}

static slx_node *lit(parser *p, int lit_kind, int pos)
{
	slx_node *x = slx_node_new(p->t, SLX_LIT, pos);
	if (x == NULL)
		return oom(p);
	x->lit_kind = lit_kind;
	return x;
}

/* CASE [operand] WHEN c THEN v ... [ELSE e] END */
static slx_node *parse_case(parser *p, const slx_tok *kw)
{
	nodevec v = {0};
	slx_node *x = NULL, *e;
	bool has_operand = false, has_else = false;
	if (!slx_tok_is(peek(p), "WHEN")) {
		if ((e = parse_sub(p)) == NULL || vec_push(&v, e) < 0)
			goto done;
		has_operand = true;
	}
	if (!slx_tok_is(peek(p), "WHEN")) {
		expect_kw(p, "WHEN");
		goto done;
	}
	while (slx_tok_is(peek(p), "WHEN")) {
		advance(p);
		if ((e = parse_sub(p)) == NULL)
			goto done;
		if (vec_push(&v, e) < 0) {
			oom(p);
			goto done;
		}
		if (!expect_kw(p, "THEN") || (e = parse_sub(p)) == NULL)
			goto done;
		if (vec_push(&v, e) < 0) {
			oom(p);
			goto done;
		}
	}
	if (slx_tok_is(peek(p), "ELSE")) {
		advance(p);
		if ((e = parse_sub(p)) == NULL)
			goto done;
		if (vec_push(&v, e) < 0) {
			oom(p);
			goto done;
		}
		has_else = true;
	}
	if (!expect_kw(p, "END"))
		goto done;
	x = mk(p, SLX_CASE, kw->pos, kw->pos, v.n, v.v);
	if (x) {
		x->has_operand = has_operand;
		x->has_else = has_else;
	}
done:
	free(v.v);
	return x;
}

/* CAST ( expr AS type ) */
static slx_node *parse_cast(parser *p, const slx_tok *kw)
{
	if (!expect(p, SLX_T_LPAREN, "'('"))
		return NULL;
	slx_node *e = parse_sub(p);
	if (e == NULL || !expect_kw(p, "AS"))
		return NULL;
	slx_tok *first = peek(p);
	int depth = 0;
	while (peek(p)->kind != SLX_T_EOF) {
		slx_tok_kind k = peek(p)->kind;
		if (k == SLX_T_LPAREN) {
			depth++;
		} else if (k == SLX_T_RPAREN) {
			if (depth == 0)
				break;
			depth--;
		}
		advance(p);
	}
	slx_tok *close = peek(p);
	if (close == first) {
		char d[80];
		slx_tok_describe(p->text, close, d, sizeof(d));
		slx_err(p->err, SL_EINVAL, close->pos, "syntax error: expected a type but found %s",
		        d);
		return NULL;
	}
	if (!expect(p, SLX_T_RPAREN, "')'"))
		return NULL;
	size_t len = (size_t)(close->pos - first->pos);
	char *tt = slx_strndup(&p->t->arena, p->text + first->pos, len);
	if (tt == NULL)
		return oom(p);
	while (len > 0 && isspace((unsigned char)tt[len - 1]))
		tt[--len] = '\0';
	sl_type *type = NULL;
	sl_error terr = {0};
	terr.pos = -1;
	int rc = sl_type_parse(tt, &type, &terr);
	if (rc < 0 || type == NULL) {
		int at = first->pos + (terr.pos > 0 ? terr.pos : 0);
		slx_err(p->err, rc < 0 ? rc : SL_EINVAL, at, "%s",
		        terr.msg[0] ? terr.msg : "invalid type");
		return NULL;
	}
	slx_node *x = mk(p, SLX_CAST, kw->pos, kw->pos, 1, &e);
	if (x == NULL) {
		sl_type_unref(type);
		return NULL;
	}
	x->cast_type = type;
	return x;
}

static slx_node *parse_call(parser *p, const slx_tok *name)
{
	nodevec v = {0};
	slx_node *x = NULL, *e;
	bool star = false;
	advance(p); /* ( */
	if (peek(p)->kind == SLX_T_STAR && peek2(p)->kind == SLX_T_RPAREN) {
		advance(p);
		star = true;
	} else if (slx_tok_is(peek(p), "DISTINCT")) {
		slx_err(p->err, SL_EINVAL, peek(p)->pos, "DISTINCT is not supported in %s()",
		        name->str);
		return NULL;
	} else if (peek(p)->kind != SLX_T_RPAREN) {
		for (;;) {
			if ((e = parse_sub(p)) == NULL)
				goto done;
			if (vec_push(&v, e) < 0) {
				oom(p);
				goto done;
			}
			if (peek(p)->kind != SLX_T_COMMA)
				break;
			advance(p);
		}
	}
	if (!expect(p, SLX_T_RPAREN, "')'"))
		goto done;
	x = mk(p, SLX_CALL, name->pos, name->pos, v.n, v.v);
	if (x == NULL)
		goto done;
	char *lower = slx_strndup(&p->t->arena, name->str, name->slen);
	if (lower == NULL) {
		x = oom(p);
		goto done;
	}
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	x->name = lower;
	x->star = star;
done:
	free(v.v);
	return x;
}

/* --- INTERVAL literals: INTERVAL 10 MINUTES, INTERVAL '1' HOUR,
 * INTERVAL 1 DAY 2 HOURS, INTERVAL '1 hour 30 minutes'.  The value is a
 * BIGINT of microseconds flagged `interval`, which lets the binder add it
 * to a TIMESTAMP. */

static const struct {
	const char *name;
	int64_t us;
} interval_units[] = {
    {"microsecond", 1},          {"millisecond", 1000},           {"second", 1000000},
    {"minute", 60000000},        {"hour", 3600000000LL},          {"day", 86400000000LL},
    {"week", 7 * 86400000000LL},
};

/* The microseconds of one unit word (singular or plural); 0 when none. */
static int64_t interval_unit(const slx_tok *t)
{
	size_t len;

	if (t->kind != SLX_T_IDENT)
		return 0;
	for (size_t k = 0; k < sizeof(interval_units) / sizeof(interval_units[0]); k++) {
		len = strlen(interval_units[k].name);
		if (strncasecmp(t->str, interval_units[k].name, len) == 0 &&
		    (t->str[len] == '\0' || ((t->str[len] == 's' || t->str[len] == 'S') &&
		                             t->str[len + 1] == '\0')))
			return interval_units[k].us;
	}
	return 0;
}

static bool interval_start(const slx_tok *t)
{
	return t->kind == SLX_T_INT || t->kind == SLX_T_DOUBLE || t->kind == SLX_T_STRING ||
	       t->kind == SLX_T_MINUS;
}

/* One "<number> <unit>" (or a quoted duration without unit) into *us. */
static bool interval_part(parser *p, int64_t *us)
{
	slx_tok *t = peek(p), *u;
	bool neg = false;
	double v;
	char d[80];
	sl_error derr;

	if (t->kind == SLX_T_MINUS) {
		neg = true;
		advance(p);
		t = peek(p);
	}
	if (t->kind == SLX_T_STRING && interval_unit(peek2(p)) == 0) {
		/* '1 hour 30 minutes': the whole duration quoted. */
		advance(p);
		sl_error_clear(&derr);
		if (sl_parse_duration(t->str, us, &derr) < 0) {
			slx_err(p->err, SL_EINVAL, t->pos, "INTERVAL: %s", derr.msg);
			return false;
		}
		*us = neg ? -*us : *us;
		return true;
	}
	if (t->kind == SLX_T_STRING) {
		char *end;

		v = strtod(t->str, &end);
		if (end == t->str || *end != '\0') {
			slx_err(p->err, SL_EINVAL, t->pos, "INTERVAL: '%s' is not a number", t->str);
			return false;
		}
	} else if (t->kind == SLX_T_INT || t->kind == SLX_T_DOUBLE) {
		v = t->kind == SLX_T_INT ? (double)t->i : t->d;
	} else {
		slx_tok_describe(p->text, t, d, sizeof(d));
		slx_err(p->err, SL_EINVAL, t->pos, "INTERVAL: expected a number but found %s", d);
		return false;
	}
	advance(p);
	u = peek(p);
	if (interval_unit(u) == 0) {
		slx_tok_describe(p->text, u, d, sizeof(d));
		if (u->kind == SLX_T_IDENT && (strncasecmp(u->str, "month", 5) == 0 ||
		                               strncasecmp(u->str, "year", 4) == 0))
			slx_err(p->err, SL_EINVAL, u->pos,
			        "INTERVAL: months and years have no fixed length; use days");
		else
			slx_err(p->err, SL_EINVAL, u->pos,
			        "INTERVAL: expected a unit (MICROSECOND, MILLISECOND, SECOND, "
			        "MINUTE, HOUR, DAY, WEEK) but found %s",
			        d);
		return false;
	}
	advance(p);
	v *= (double)interval_unit(u);
	if (v > 9.2e18 || v < -9.2e18) {
		slx_err(p->err, SL_EINVAL, t->pos, "INTERVAL: too large");
		return false;
	}
	*us = (int64_t)(neg ? -v : v);
	return true;
}

static slx_node *parse_interval(parser *p, const slx_tok *kw)
{
	int64_t total = 0, part;
	slx_node *x;

	do {
		if (!interval_part(p, &part))
			return NULL;
		total += part;
	} while (interval_start(peek(p)) && peek(p)->kind != SLX_T_MINUS);
	x = lit(p, SLX_LINT, kw->pos);
	if (x != NULL) {
		x->lit_i = total;
		x->interval = true;
	}
	return x;
}

static slx_node *parse_primary(parser *p)
{
	slx_tok *t = peek(p);
	slx_node *x;
	switch (t->kind) {
	case SLX_T_INT:
		advance(p);
		if (t->int_min) {
			x = lit(p, SLX_LDOUBLE, t->pos);
			if (x)
				x->lit_d = 9223372036854775808.0;
			return x;
		}
		x = lit(p, SLX_LINT, t->pos);
		if (x)
			x->lit_i = t->i;
		return x;
	case SLX_T_DOUBLE:
		advance(p);
		x = lit(p, SLX_LDOUBLE, t->pos);
		if (x)
			x->lit_d = t->d;
		return x;
	case SLX_T_STRING:
		advance(p);
		x = lit(p, SLX_LSTRING, t->pos);
		if (x) {
			x->lit_s = t->str;
			x->lit_slen = t->slen;
		}
		return x;
	case SLX_T_QIDENT:
		advance(p);
		x = slx_node_new(p->t, SLX_COL, t->pos);
		if (x == NULL)
			return oom(p);
		x->name = t->str;
		return x;
	case SLX_T_LPAREN:
		advance(p);
		x = parse_sub(p);
		if (x == NULL || !expect(p, SLX_T_RPAREN, "')'"))
			return NULL;
		return x;
	case SLX_T_STAR:
		advance(p);
		x = slx_node_new(p->t, SLX_STAR, t->pos);
		return x ? x : oom(p);
	case SLX_T_IDENT:
		if (slx_tok_is(t, "TRUE") || slx_tok_is(t, "FALSE")) {
			advance(p);
			x = lit(p, SLX_LBOOL, t->pos);
			if (x)
				x->lit_b = slx_tok_is(t, "TRUE");
			return x;
		}
		if (slx_tok_is(t, "NULL")) {
			advance(p);
			return lit(p, SLX_LNULL, t->pos);
		}
		if (slx_tok_is(t, "CASE")) {
			advance(p);
			return parse_case(p, t);
		}
		if (slx_tok_is(t, "INTERVAL") && interval_start(peek2(p))) {
			advance(p);
			return parse_interval(p, t);
		}
		if (slx_tok_is(t, "CAST") && peek2(p)->kind == SLX_T_LPAREN) {
			advance(p);
			return parse_cast(p, t);
		}
		if (peek2(p)->kind == SLX_T_LPAREN &&
		    (!is_reserved(t) || slx_tok_is(t, "RLIKE") || slx_tok_is(t, "REGEXP"))) {
			advance(p);
			return parse_call(p, t);
		}
		if (is_reserved(t))
			return fail_unexpected(p, t);
		advance(p);
		x = slx_node_new(p->t, SLX_COL, t->pos);
		if (x == NULL)
			return oom(p);
		x->name = t->str;
		return x;
	default:
		return fail_unexpected(p, t);
	}
}

static slx_node *parse_postfix(parser *p)
{
	slx_node *x = parse_primary(p);
	while (x != NULL) {
		slx_tok *t = peek(p);
		if (t->kind == SLX_T_DOT) {
			advance(p);
			slx_tok *name = peek(p);
			if (name->kind != SLX_T_IDENT && name->kind != SLX_T_QIDENT) {
				char d[80];
				slx_tok_describe(p->text, name, d, sizeof(d));
				slx_err(
				    p->err, SL_EINVAL, name->pos,
				    "syntax error: expected a field name after '.' but found %s",
				    d);
				return NULL;
			}
			advance(p);
			x = mk(p, SLX_FIELD, x->pos, name->pos, 1, &x);
			if (x)
				x->name = name->str;
		} else if (t->kind == SLX_T_LBRACK) {
			advance(p);
			slx_node *idx = parse_sub(p);
			if (idx == NULL || !expect(p, SLX_T_RBRACK, "']'"))
				return NULL;
			x = mk2(p, SLX_INDEX, 0, t->pos, x, idx);
		} else {
			break;
		}
	}
	return x;
}

static slx_node *parse_unary(parser *p)
{
	slx_tok *t = peek(p);
	if (t->kind != SLX_T_MINUS && t->kind != SLX_T_PLUS)
		return parse_postfix(p);
	advance(p);
	slx_tok *n = peek(p);
	if (t->kind == SLX_T_MINUS && (n->kind == SLX_T_INT || n->kind == SLX_T_DOUBLE) &&
	    !(peek2(p)->kind == SLX_T_DOT || peek2(p)->kind == SLX_T_LBRACK)) {
		/* A negative literal, as Spark folds it. */
		advance(p);
		slx_node *x;
		if (n->kind == SLX_T_INT) {
			x = lit(p, SLX_LINT, t->pos);
			if (x)
				x->lit_i = n->int_min ? INT64_MIN : -n->i;
		} else {
			x = lit(p, SLX_LDOUBLE, t->pos);
			if (x)
				x->lit_d = -n->d;
		}
		return x;
	}
	if (!enter(p))
		return NULL;
	slx_node *a = parse_unary(p);
	p->depth--;
	if (a == NULL || t->kind == SLX_T_PLUS)
		return a;
	slx_node *x = mk(p, SLX_NEG, t->pos, t->pos, 1, &a);
	return x;
}

static slx_node *parse_mul(parser *p)
{
	slx_node *x = parse_unary(p);
	while (x != NULL) {
		slx_tok *t = peek(p);
		int op;
		if (t->kind == SLX_T_STAR)
			op = SLX_MUL;
		else if (t->kind == SLX_T_SLASH)
			op = SLX_DIV;
		else if (t->kind == SLX_T_PERCENT)
			op = SLX_MOD;
		else
			break;
		advance(p);
		slx_node *r = parse_unary(p);
		if (r == NULL)
			return NULL;
		x = mk2(p, SLX_ARITH, op, t->pos, x, r);
	}
	return x;
}

static slx_node *parse_add(parser *p)
{
	slx_node *x = parse_mul(p);
	while (x != NULL) {
		slx_tok *t = peek(p);
		if (t->kind != SLX_T_PLUS && t->kind != SLX_T_MINUS && t->kind != SLX_T_CONCAT)
			break;
		advance(p);
		slx_node *r = parse_mul(p);
		if (r == NULL)
			return NULL;
		if (t->kind == SLX_T_CONCAT) {
			x = mk2(p, SLX_CALL, 0, t->pos, x, r);
			if (x) {
				x->name = "concat";
				x->pipe = true;
			}
		} else {
			x = mk2(p, SLX_ARITH, t->kind == SLX_T_PLUS ? SLX_ADD : SLX_SUB, t->pos, x,
			        r);
		}
	}
	return x;
}

static slx_node *parse_cmp(parser *p)
{
	slx_node *x = parse_add(p);
	if (x == NULL)
		return NULL;
	slx_tok *t = peek(p);
	int op = -1;
	switch (t->kind) {
	case SLX_T_EQ:
		op = SLX_EQ;
		break;
	case SLX_T_NE:
		op = SLX_NE;
		break;
	case SLX_T_LT:
		op = SLX_LT;
		break;
	case SLX_T_LE:
		op = SLX_LE;
		break;
	case SLX_T_GT:
		op = SLX_GT;
		break;
	case SLX_T_GE:
		op = SLX_GE;
		break;
	default:
		break;
	}
	if (op >= 0) {
		advance(p);
		slx_node *r = parse_add(p);
		if (r == NULL)
			return NULL;
		return mk2(p, SLX_CMP, op, t->pos, x, r);
	}
	if (slx_tok_is(t, "IS")) {
		advance(p);
		bool neg = false;
		if (slx_tok_is(peek(p), "NOT")) {
			advance(p);
			neg = true;
		}
		if (!expect_kw(p, "NULL"))
			return NULL;
		x = mk2(p, SLX_ISNULL, 0, t->pos, x, NULL);
		if (x)
			x->negated = neg;
		return x;
	}
	bool neg = false;
	slx_tok *kw = t;
	if (slx_tok_is(t, "NOT") &&
	    (slx_tok_is(peek2(p), "IN") || slx_tok_is(peek2(p), "LIKE") ||
	     slx_tok_is(peek2(p), "BETWEEN") || slx_tok_is(peek2(p), "RLIKE") ||
	     slx_tok_is(peek2(p), "REGEXP"))) {
		advance(p);
		neg = true;
		kw = peek(p);
	}
	if (slx_tok_is(kw, "IN")) {
		advance(p);
		nodevec v = {0};
		slx_node *res = NULL;
		if (vec_push(&v, x) < 0 || !expect(p, SLX_T_LPAREN, "'('"))
			goto in_done;
		for (;;) {
			slx_node *e = parse_sub(p);
			if (e == NULL)
				goto in_done;
			if (vec_push(&v, e) < 0) {
				oom(p);
				goto in_done;
			}
			if (peek(p)->kind != SLX_T_COMMA)
				break;
			advance(p);
		}
		if (!expect(p, SLX_T_RPAREN, "')'"))
			goto in_done;
		res = mk(p, SLX_IN, x->pos, kw->pos, v.n, v.v);
		if (res)
			res->negated = neg;
	in_done:
		free(v.v);
		return res;
	}
	if (slx_tok_is(kw, "LIKE") || slx_tok_is(kw, "RLIKE") || slx_tok_is(kw, "REGEXP")) {
		bool like = slx_tok_is(kw, "LIKE");
		advance(p);
		slx_node *r = parse_add(p);
		if (r == NULL)
			return NULL;
		if (like) {
			x = mk2(p, SLX_LIKE, 0, kw->pos, x, r);
			if (x)
				x->negated = neg;
			return x;
		}
		x = mk2(p, SLX_CALL, 0, kw->pos, x, r);
		if (x == NULL)
			return NULL;
		x->name = "rlike";
		if (!neg)
			return x;
		return mk(p, SLX_NOT, x->pos, kw->pos, 1, &x);
	}
	if (slx_tok_is(kw, "BETWEEN")) {
		advance(p);
		slx_node *lo = parse_add(p);
		if (lo == NULL || !expect_kw(p, "AND"))
			return NULL;
		slx_node *hi = parse_add(p);
		if (hi == NULL)
			return NULL;
		slx_node *args[3] = {x, lo, hi};
		x = mk(p, SLX_BETWEEN, x->pos, kw->pos, 3, args);
		if (x)
			x->negated = neg;
		return x;
	}
	return x;
}

static slx_node *parse_not(parser *p)
{
	slx_tok *t = peek(p);
	if (!slx_tok_is(t, "NOT"))
		return parse_cmp(p);
	advance(p);
	if (!enter(p))
		return NULL;
	slx_node *a = parse_not(p);
	p->depth--;
	if (a == NULL)
		return NULL;
	return mk(p, SLX_NOT, t->pos, t->pos, 1, &a);
}

static slx_node *parse_and(parser *p)
{
	slx_node *x = parse_not(p);
	while (x != NULL && slx_tok_is(peek(p), "AND")) {
		slx_tok *t = advance(p);
		slx_node *r = parse_not(p);
		if (r == NULL)
			return NULL;
		x = mk2(p, SLX_AND, 0, t->pos, x, r);
	}
	return x;
}

static slx_node *parse_or(parser *p)
{
	slx_node *x = parse_and(p);
	while (x != NULL && slx_tok_is(peek(p), "OR")) {
		slx_tok *t = advance(p);
		slx_node *r = parse_and(p);
		if (r == NULL)
			return NULL;
		x = mk2(p, SLX_OR, 0, t->pos, x, r);
	}
	return x;
}

slx_node *slx_parse(slx_tree *t, const char *text, sl_error *err)
{
	parser p = {.t = t, .text = text, .err = err};
	slx_node *root = NULL;
	t->text = text;
	if (slx_lex(text, &t->arena, &p.toks, &p.n, err) < 0)
		return NULL;
	if (p.toks[0].kind == SLX_T_EOF) {
		slx_err(err, SL_EINVAL, 0, "empty expression");
		goto done;
	}
	root = parse_or(&p);
	if (root == NULL)
		goto done;
	if (slx_tok_is(peek(&p), "AS")) {
		advance(&p);
		slx_tok *name = peek(&p);
		if (name->kind != SLX_T_IDENT && name->kind != SLX_T_QIDENT &&
		    name->kind != SLX_T_STRING) {
			char d[80];
			slx_tok_describe(text, name, d, sizeof(d));
			slx_err(err, SL_EINVAL, name->pos,
			        "syntax error: expected a name after AS but found %s", d);
			root = NULL;
			goto done;
		}
		if (name->slen == 0 || memchr(name->str, '\0', name->slen) != NULL) {
			slx_err(err, SL_EINVAL, name->pos, "invalid alias");
			root = NULL;
			goto done;
		}
		advance(&p);
		t->has_alias = true;
		t->alias = name->str;
		t->alias_pos = name->pos;
	}
	if (peek(&p)->kind != SLX_T_EOF) {
		root = fail_unexpected(&p, peek(&p));
		goto done;
	}
done:
	free(p.toks);
	return root;
}
