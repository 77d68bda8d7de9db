/* expr_lex.c - the expression lexer: text to tokens.
 *
 * Tokens carry their byte position for error messages.  Keywords are bare
 * identifiers (the parser matches them case-insensitively), so a column named
 * like a keyword needs back quotes.  String literals follow Spark: 'single'
 * or "double" quotes, a doubled quote escapes itself, and backslash escapes
 * (\n \t \r \b \0 \Z \\ \' \" \uXXXX; \% and \_ stay escaped for LIKE).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "expr_internal.h"

typedef struct lexer {
	const char *text;
	size_t pos;
	slx_arena *arena;
	slx_tok *toks;
	size_t n, cap;
	sl_error *err;
} lexer;

static bool ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static slx_tok *push(lexer *lx, slx_tok_kind kind, size_t pos, size_t len)
{
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 32;
		slx_tok *t = realloc(lx->toks, cap * sizeof(*t));
		if (t == NULL)
			return NULL;
		lx->toks = t;
		lx->cap = cap;
	}
	slx_tok *t = &lx->toks[lx->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->pos = (int)pos;
	t->len = (int)len;
	return t;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A quoted string starting at lx->pos (the quote). */
static int lex_string(lexer *lx)
{
	const char *s = lx->text;
	size_t start = lx->pos;
	char q = s[start];
	size_t i = start + 1;
	/* The decoded text is never longer than the source. */
	size_t end = i;
	while (s[end] != '\0')
		end++;
	char *out = slx_alloc(lx->arena, end - start + 1);
	size_t o = 0;
	if (out == NULL)
		return sl_error_set(lx->err, SL_ENOMEM, "out of memory");
	for (;;) {
		char c = s[i];
		if (c == '\0')
			return slx_err(lx->err, SL_EINVAL, (int)start,
			               "syntax error: unterminated string");
		if (c == q) {
			if (s[i + 1] == q) {
				out[o++] = q;
				i += 2;
				continue;
			}
			i++;
			break;
		}
		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		char e = s[i + 1];
		if (e == '\0')
			return slx_err(lx->err, SL_EINVAL, (int)start,
			               "syntax error: unterminated string");
		i += 2;
		switch (e) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case '0':
			out[o++] = '\0';
			break;
		case 'Z':
			out[o++] = '\x1a';
			break;
		case '%':
		case '_':
			out[o++] = '\\';
			out[o++] = e;
			break;
		case 'u': {
			int h[4];
			bool ok = true;
			for (int k = 0; k < 4; k++) {
				h[k] = hexval(s[i + k]);
				if (h[k] < 0) {
					ok = false;
					break;
				}
			}
			if (!ok) {
				out[o++] = 'u';
				break;
			}
			uint32_t cp = (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
			i += 4;
			if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD;        /* lone surrogates are not UTF-8 */
			o += put_utf8(out + o, cp); /* at most 3 bytes for 6 of source */
			break;
		}
		default:
			out[o++] = e;
			break;
		}
	}
	out[o] = '\0';
	slx_tok *t = push(lx, SLX_T_STRING, start, i - start);
	if (t == NULL)
		return sl_error_set(lx->err, SL_ENOMEM, "out of memory");
	t->str = out;
	t->slen = o;
	lx->pos = i;
	return 0;
}

static int lex_qident(lexer *lx)
{
	const char *s = lx->text;
	size_t start = lx->pos, i = start + 1;
	size_t end = i;
	while (s[end] != '\0')
		end++;
	char *out = slx_alloc(lx->arena, end - start + 1);
	size_t o = 0;
	if (out == NULL)
		return sl_error_set(lx->err, SL_ENOMEM, "out of memory");
	for (;;) {
		if (s[i] == '\0')
			return slx_err(lx->err, SL_EINVAL, (int)start,
			               "syntax error: unterminated quoted name");
		if (s[i] == '`') {
			if (s[i + 1] == '`') {
				out[o++] = '`';
				i += 2;
				continue;
			}
			i++;
			break;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	if (o == 0)
		return slx_err(lx->err, SL_EINVAL, (int)start, "syntax error: empty quoted name");
	slx_tok *t = push(lx, SLX_T_QIDENT, start, i - start);
	if (t == NULL)
		return sl_error_set(lx->err, SL_ENOMEM, "out of memory");
	t->str = out;
	t->slen = o;
	lx->pos = i;
	return 0;
}

static int lex_number(lexer *lx)
{
	const char *s = lx->text;
	size_t start = lx->pos, i = start;
	bool is_double = false;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
		is_double = true;
		i++;
		while (isdigit((unsigned char)s[i]))
			i++;
	} else if (s[i] == '.' && i > start && !ident_start((unsigned char)s[i + 1])) {
		is_double = true; /* "1." */
		i++;
	}
	if ((s[i] == 'e' || s[i] == 'E') &&
	    (isdigit((unsigned char)s[i + 1]) ||
	     ((s[i + 1] == '+' || s[i + 1] == '-') && isdigit((unsigned char)s[i + 2])))) {
		is_double = true;
		i += 2;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	size_t numlen = i - start;
	/* Spark's suffixes: 10L, 1.5D. */
	bool force_double = false;
	if ((s[i] == 'L' || s[i] == 'l') && !is_double && !ident_char((unsigned char)s[i + 1])) {
		i++;
	} else if ((s[i] == 'D' || s[i] == 'd') && !ident_char((unsigned char)s[i + 1])) {
		force_double = true;
		i++;
	}
	char buf[64];
	if (numlen >= sizeof(buf))
		return slx_err(lx->err, SL_EINVAL, (int)start, "syntax error: number too long");
	memcpy(buf, s + start, numlen);
	buf[numlen] = '\0';
	slx_tok *t = push(lx, SLX_T_INT, start, i - start);
	if (t == NULL)
		return sl_error_set(lx->err, SL_ENOMEM, "out of memory");
	if (!is_double && !force_double) {
		errno = 0;
		unsigned long long u = strtoull(buf, NULL, 10);
		if (errno == 0 && u <= (unsigned long long)INT64_MAX) {
			t->i = (int64_t)u;
			lx->pos = i;
			return 0;
		}
		if (errno == 0 && u == (unsigned long long)INT64_MAX + 1ull) {
			t->i = INT64_MIN;
			t->int_min = true;
			lx->pos = i;
			return 0;
		}
		/* Too big for BIGINT: a double, as Spark would (decimal). */
	}
	t->kind = SLX_T_DOUBLE;
	t->d = strtod(buf, NULL);
	if (t->d == HUGE_VAL)
		return slx_err(lx->err, SL_EINVAL, (int)start, "number out of range: %s", buf);
	lx->pos = i;
	return 0;
}

/* Offset of the first byte that is not valid UTF-8, or -1. */
static long utf8_bad(const unsigned char *s)
{
	size_t i = 0;
	while (s[i] != '\0') {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
			min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return (long)i;
		}
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
			return (long)i;
		i += len;
	}
	return -1;
}

int slx_lex(const char *text, slx_arena *a, slx_tok **toks, size_t *n, sl_error *err)
{
	lexer lx = {.text = text, .arena = a, .err = err};
	int rc = 0;
	const char *s = text;
	long bad = utf8_bad((const unsigned char *)text);
	if (bad >= 0)
		return slx_err(err, SL_EINVAL, (int)bad, "syntax error: invalid UTF-8");
	for (;;) {
		unsigned char c = (unsigned char)s[lx.pos];
		if (c == '\0')
			break;
		if (isspace(c)) {
			lx.pos++;
			continue;
		}
		size_t p = lx.pos;
		if (c == '\'' || c == '"') {
			rc = lex_string(&lx);
		} else if (c == '`') {
			rc = lex_qident(&lx);
		} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[p + 1]))) {
			rc = lex_number(&lx);
		} else if (ident_start(c)) {
			size_t i = p;
			while (ident_char((unsigned char)s[i]))
				i++;
			slx_tok *t = push(&lx, SLX_T_IDENT, p, i - p);
			if (t == NULL || (t->str = slx_strndup(a, s + p, i - p)) == NULL) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			} else {
				t->slen = i - p;
				lx.pos = i;
			}
		} else {
			slx_tok_kind k;
			size_t len = 1;
			char d = s[p + 1];
			switch (c) {
			case '(':
				k = SLX_T_LPAREN;
				break;
			case ')':
				k = SLX_T_RPAREN;
				break;
			case ',':
				k = SLX_T_COMMA;
				break;
			case '.':
				k = SLX_T_DOT;
				break;
			case '[':
				k = SLX_T_LBRACK;
				break;
			case ']':
				k = SLX_T_RBRACK;
				break;
			case ':':
				k = SLX_T_COLON;
				break;
			case '+':
				k = SLX_T_PLUS;
				break;
			case '-':
				k = SLX_T_MINUS;
				break;
			case '*':
				k = SLX_T_STAR;
				break;
			case '/':
				k = SLX_T_SLASH;
				break;
			case '%':
				k = SLX_T_PERCENT;
				break;
			case '|':
				if (d != '|')
					goto bad;
				k = SLX_T_CONCAT;
				len = 2;
				break;
			case '=':
				k = SLX_T_EQ;
				len = d == '=' ? 2 : 1;
				break;
			case '!':
				if (d != '=')
					goto bad;
				k = SLX_T_NE;
				len = 2;
				break;
			case '<':
				if (d == '=') {
					k = SLX_T_LE;
					len = 2;
				} else if (d == '>') {
					k = SLX_T_NE;
					len = 2;
				} else {
					k = SLX_T_LT;
				}
				break;
			case '>':
				if (d == '=') {
					k = SLX_T_GE;
					len = 2;
				} else {
					k = SLX_T_GT;
				}
				break;
			default:
				goto bad;
			}
			if (push(&lx, k, p, len) == NULL)
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			lx.pos = p + len;
			goto next;
		bad:
			if (c >= 0x20 && c < 0x7f)
				rc = slx_err(err, SL_EINVAL, (int)p,
				             "syntax error: unexpected character '%c'", c);
			else
				rc = slx_err(err, SL_EINVAL, (int)p,
				             "syntax error: unexpected character 0x%02x", c);
		}
	next:
		if (rc < 0)
			goto fail;
		if (lx.pos > (size_t)INT32_MAX / 2) {
			rc = slx_err(err, SL_EINVAL, 0, "expression too long");
			goto fail;
		}
	}
	if (push(&lx, SLX_T_EOF, lx.pos, 0) == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	*toks = lx.toks;
	*n = lx.n;
	return 0;
fail:
	free(lx.toks);
	return rc;
}

bool slx_tok_is(const slx_tok *tok, const char *kw)
{
	return tok->kind == SLX_T_IDENT && strcasecmp(tok->str, kw) == 0;
}

void slx_tok_describe(const char *text, const slx_tok *tok, char *buf, size_t size)
{
	if (tok->kind == SLX_T_EOF) {
		snprintf(buf, size, "end of expression");
		return;
	}
	int len = tok->len > 40 ? 40 : tok->len;
	snprintf(buf, size, "'%.*s%s'", len, text + tok->pos, tok->len > 40 ? "..." : "");
}
