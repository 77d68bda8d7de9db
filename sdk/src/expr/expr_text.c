/* expr_text.c - the canonical text of an expression, Spark's default column
 * name: upper(value), (a + 1), (NOT (a = b)) for a != b, count(1) for
 * count(*), string literals without quotes, implicit casts invisible.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "expr_internal.h"

static const char *const arith[] = {" + ", " - ", " * ", " / ", " % "};
static const char *const cmp[] = {" = ", " = ", " < ", " <= ", " > ", " >= "};

static int text(const slx_node *n, sl_strbuf *sb);

static int args_text(const slx_node *n, size_t from, sl_strbuf *sb)
{
	int rc = 0;
	for (size_t k = from; k < n->n_args && rc == 0; k++) {
		if (k > from)
			rc = sl_strbuf_puts(sb, ", ");
		if (rc == 0)
			rc = text(n->args[k], sb);
	}
	return rc;
}

static int lit_text(const slx_node *n, sl_strbuf *sb)
{
	char buf[64];
	switch (n->lit_kind) {
	case SLX_LNULL:
		return sl_strbuf_puts(sb, "NULL");
	case SLX_LBOOL:
		return sl_strbuf_puts(sb, n->lit_b ? "true" : "false");
	case SLX_LINT:
		return sl_strbuf_printf(sb, "%" PRId64, n->lit_i);
	case SLX_LDOUBLE:
		sl_format_double(n->lit_d, buf);
		return sl_strbuf_puts(sb, buf);
	default:
		return sl_strbuf_append(sb, n->lit_s, n->lit_slen);
	}
}

static int text(const slx_node *n, sl_strbuf *sb)
{
	int rc = 0;
	switch (n->kind) {
	case SLX_LIT:
		return lit_text(n, sb);
	case SLX_COL:
		return sl_strbuf_puts(sb, n->bound_name ? n->bound_name : n->name);
	case SLX_STAR:
		return sl_strbuf_puts(sb, "*");
	case SLX_FIELD:
		if ((rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, ".")) == 0)
			rc = sl_strbuf_puts(sb, n->bound_name ? n->bound_name : n->name);
		return rc;
	case SLX_INDEX:
		if ((rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, "[")) == 0 &&
		    (rc = text(n->args[1], sb)) == 0)
			rc = sl_strbuf_puts(sb, "]");
		return rc;
	case SLX_NEG:
	case SLX_NOT:
		if ((rc = sl_strbuf_puts(sb, n->kind == SLX_NEG ? "(- " : "(NOT ")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0)
			rc = sl_strbuf_puts(sb, ")");
		return rc;
	case SLX_ARITH:
	case SLX_CMP:
	case SLX_AND:
	case SLX_OR: {
		const char *op = n->kind == SLX_ARITH ? arith[n->op]
		                 : n->kind == SLX_CMP ? cmp[n->op]
		                 : n->kind == SLX_AND ? " AND "
		                                      : " OR ";
		bool ne = n->kind == SLX_CMP && n->op == SLX_NE;
		if ((rc = sl_strbuf_puts(sb, ne ? "(NOT (" : "(")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, op)) == 0 &&
		    (rc = text(n->args[1], sb)) == 0)
			rc = sl_strbuf_puts(sb, ne ? "))" : ")");
		return rc;
	}
	case SLX_ISNULL:
		if ((rc = sl_strbuf_puts(sb, "(")) == 0 && (rc = text(n->args[0], sb)) == 0)
			rc = sl_strbuf_puts(sb, n->negated ? " IS NOT NULL)" : " IS NULL)");
		return rc;
	case SLX_IN:
		if ((rc = sl_strbuf_puts(sb, n->negated ? "(NOT (" : "(")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, " IN (")) == 0 &&
		    (rc = args_text(n, 1, sb)) == 0)
			rc = sl_strbuf_puts(sb, n->negated ? ")))" : "))");
		return rc;
	case SLX_LIKE:
		if ((rc = sl_strbuf_puts(sb, n->negated ? "(NOT " : "")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, " LIKE ")) == 0 &&
		    (rc = text(n->args[1], sb)) == 0)
			rc = sl_strbuf_puts(sb, n->negated ? ")" : "");
		return rc;
	case SLX_BETWEEN:
		/* Spark rewrites it: ((x >= lo) AND (x <= hi)) */
		if ((rc = sl_strbuf_puts(sb, n->negated ? "(NOT ((" : "((")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, " >= ")) == 0 &&
		    (rc = text(n->args[1], sb)) == 0 && (rc = sl_strbuf_puts(sb, ") AND (")) == 0 &&
		    (rc = text(n->args[0], sb)) == 0 && (rc = sl_strbuf_puts(sb, " <= ")) == 0 &&
		    (rc = text(n->args[2], sb)) == 0)
			rc = sl_strbuf_puts(sb, n->negated ? ")))" : "))");
		return rc;
	case SLX_CASE: {
		size_t first = n->has_operand ? 1 : 0;
		size_t end = n->n_args - (n->has_else ? 1 : 0);
		rc = sl_strbuf_puts(sb, "CASE");
		for (size_t k = first; k + 1 < end + 1 && k < end && rc == 0; k += 2) {
			rc = sl_strbuf_puts(sb, " WHEN ");
			if (rc == 0 && n->has_operand) {
				if ((rc = sl_strbuf_puts(sb, "(")) == 0 &&
				    (rc = text(n->args[0], sb)) == 0 &&
				    (rc = sl_strbuf_puts(sb, " = ")) == 0 &&
				    (rc = text(n->args[k], sb)) == 0)
					rc = sl_strbuf_puts(sb, ")");
			} else if (rc == 0) {
				rc = text(n->args[k], sb);
			}
			if (rc == 0 && (rc = sl_strbuf_puts(sb, " THEN ")) == 0)
				rc = text(n->args[k + 1], sb);
		}
		if (rc == 0 && n->has_else && (rc = sl_strbuf_puts(sb, " ELSE ")) == 0)
			rc = text(n->args[n->n_args - 1], sb);
		if (rc == 0)
			rc = sl_strbuf_puts(sb, " END");
		return rc;
	}
	case SLX_CAST:
		if (n->implicit)
			return text(n->args[0], sb);
		if ((rc = sl_strbuf_puts(sb, "CAST(")) == 0 && (rc = text(n->args[0], sb)) == 0 &&
		    (rc = sl_strbuf_puts(sb, " AS ")) == 0 &&
		    (rc = sl_type_format(n->cast_type, sb)) == 0)
			rc = sl_strbuf_puts(sb, ")");
		return rc;
	case SLX_CALL:
		if ((rc = sl_strbuf_puts(sb, n->name)) == 0 &&
		    (rc = sl_strbuf_puts(sb, "(")) == 0) {
			if (n->star)
				rc = sl_strbuf_puts(sb, "1");
			else
				rc = args_text(n, 0, sb);
		}
		if (rc == 0)
			rc = sl_strbuf_puts(sb, ")");
		return rc;
	default:
		return sl_strbuf_puts(sb, "?");
	}
}

int slx_node_text(const slx_node *n, sl_strbuf *sb)
{
	int rc = text(n, sb);
	if (rc == 0 && sb->buf == NULL)
		rc = sl_strbuf_puts(sb, "");
	return rc;
}
