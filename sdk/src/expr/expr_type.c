/* expr_type.c - Spark's type rules (default, non-ANSI mode): type names,
 * which types order and compare, the wider of two numeric types, which
 * casts exist, and implicit casts inserted into a bound tree.  int64 op
 * int64 is int64 (/ is double), int64 op double is double; comparisons
 * need comparable types (numbers with numbers, strings with strings,
 * timestamps with timestamps or strings). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

void slx_node_set_type(slx_node *n, sl_type *t)
{
	sl_type *old = n->type;
	n->type = sl_type_ref(t);
	sl_type_unref(old);
}

const char *slx_type_name(const sl_type *t, char *buf, size_t size)
{
	sl_strbuf sb = {0};
	if (t == NULL) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (sl_type_format(t, &sb) < 0 || sb.buf == NULL)
		snprintf(buf, size, "%s", sl_type_id_name(t->id));
	else
		snprintf(buf, size, "%s", sb.buf);
	sl_strbuf_free(&sb);
	return buf;
}

bool slx_is_atomic(const sl_type *t)
{
	return t->id != SL_TYPE_STRUCT && t->id != SL_TYPE_LIST;
}

bool slx_type_orderable(const sl_type *t)
{
	return slx_is_atomic(t);
}

bool slx_is_numeric(const sl_type *t)
{
	return t->id == SL_TYPE_INT64 || t->id == SL_TYPE_DOUBLE;
}

sl_type *slx_wider_type(sl_type *a, sl_type *b)
{
	if (a->id == SL_TYPE_NULL)
		return sl_type_ref(b);
	if (b->id == SL_TYPE_NULL)
		return sl_type_ref(a);
	if (sl_type_equal(a, b))
		return sl_type_ref(a);
	if (slx_is_numeric(a) && slx_is_numeric(b))
		return sl_type_double();
	if (a->id == SL_TYPE_STRING && slx_is_atomic(b) && b->id != SL_TYPE_BINARY)
		return sl_type_string();
	if (b->id == SL_TYPE_STRING && slx_is_atomic(a) && a->id != SL_TYPE_BINARY)
		return sl_type_string();
	if (a->id == SL_TYPE_LIST && b->id == SL_TYPE_LIST) {
		sl_type *e = slx_wider_type(a->fields[0].type, b->fields[0].type);
		if (e == NULL)
			return NULL;
		sl_type *l = sl_type_list(e, a->fields[0].nullable || b->fields[0].nullable);
		sl_type_unref(e);
		return l;
	}
	return NULL;
}

sl_type *slx_compare_type(sl_type *a, sl_type *b)
{
	if (!slx_is_atomic(a) || !slx_is_atomic(b))
		return NULL;
	if (a->id == SL_TYPE_NULL)
		return sl_type_ref(b);
	if (b->id == SL_TYPE_NULL)
		return sl_type_ref(a);
	if (a->id == b->id)
		return sl_type_ref(a);
	if (slx_is_numeric(a) && slx_is_numeric(b))
		return sl_type_double();
	if ((a->id == SL_TYPE_TIMESTAMP && b->id == SL_TYPE_STRING) ||
	    (b->id == SL_TYPE_TIMESTAMP && a->id == SL_TYPE_STRING))
		return sl_type_timestamp();
	return NULL;
}

bool slx_can_cast(const sl_type *from, const sl_type *to)
{
	if (sl_type_equal(from, to) || from->id == SL_TYPE_NULL)
		return true;
	switch (to->id) {
	case SL_TYPE_STRING:
		return true;
	case SL_TYPE_BINARY:
		return from->id == SL_TYPE_STRING;
	case SL_TYPE_BOOL:
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
		return from->id == SL_TYPE_STRING || from->id == SL_TYPE_BOOL ||
		       from->id == SL_TYPE_INT64 || from->id == SL_TYPE_DOUBLE ||
		       (from->id == SL_TYPE_TIMESTAMP && to->id != SL_TYPE_BOOL);
	case SL_TYPE_TIMESTAMP:
		return from->id == SL_TYPE_STRING || from->id == SL_TYPE_INT64 ||
		       from->id == SL_TYPE_DOUBLE;
	case SL_TYPE_LIST:
		return from->id == SL_TYPE_LIST &&
		       slx_can_cast(from->fields[0].type, to->fields[0].type);
	case SL_TYPE_STRUCT:
		if (from->id != SL_TYPE_STRUCT || from->n_fields != to->n_fields)
			return false;
		for (size_t k = 0; k < to->n_fields; k++)
			if (!slx_can_cast(from->fields[k].type, to->fields[k].type))
				return false;
		return true;
	default:
		return false;
	}
}

/* Can a cast from -> to give NULL for a non-NULL input? */
bool slx_cast_may_fail(const sl_type *from, const sl_type *to)
{
	if (sl_type_equal(from, to) || to->id == SL_TYPE_STRING || to->id == SL_TYPE_BINARY)
		return false;
	return from->id == SL_TYPE_STRING || from->id == SL_TYPE_LIST || from->id == SL_TYPE_STRUCT;
}

int slx_coerce(slx_binder *b, slx_node **pn, sl_type *t, sl_error *err)
{
	slx_node *c = *pn;
	if (sl_type_equal(c->type, t))
		return 0;
	slx_node *x = slx_node_new(b->tree, SLX_CAST, c->pos);
	if (x == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	x->args = slx_alloc(&b->tree->arena, sizeof(*x->args));
	if (x->args == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	x->args[0] = c;
	x->n_args = 1;
	x->op_pos = c->pos;
	x->depth = c->depth + 1;
	x->implicit = true;
	x->cast_type = sl_type_ref(t);
	slx_node_set_type(x, t);
	x->nullable = c->nullable || slx_cast_may_fail(c->type, t);
	x->eval = slx_k_cast;
	*pn = x;
	return 0;
}
