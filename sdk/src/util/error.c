/* error.c - the sl_error report and status code names. */
#include <stdio.h>
#include <string.h>

#include <sluice/sl_common.h>

int sl_error_setv(sl_error *err, int code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	err->option = NULL;
	err->pos = -1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int sl_error_set(sl_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_error_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int sl_error_at(sl_error *err, int code, const char *option, int pos, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	sl_error_setv(err, code, fmt, ap);
	va_end(ap);
	err->option = option;
	err->pos = pos;
	return code;
}

void sl_error_prefix(sl_error *err, const char *fmt, ...)
{
	char out[SL_ERROR_MAX];
	size_t n, rest;
	va_list ap;
	int w;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	w = vsnprintf(out, sizeof(out) - 2, fmt, ap);
	va_end(ap);
	n = w < 0 ? 0 : (size_t)w;
	if (n > sizeof(out) - 3)
		n = sizeof(out) - 3;
	out[n++] = ':';
	out[n++] = ' ';
	err->msg[sizeof(err->msg) - 1] = '\0';
	rest = strlen(err->msg);
	if (rest > sizeof(out) - 1 - n)
		rest = sizeof(out) - 1 - n;
	memcpy(out + n, err->msg, rest);
	out[n + rest] = '\0';
	memcpy(err->msg, out, n + rest + 1);
}

void sl_error_clear(sl_error *err)
{
	if (err == NULL)
		return;
	err->code = SL_OK;
	err->pos = -1;
	err->option = NULL;
	err->msg[0] = '\0';
}

const char *sl_strerror(int code)
{
	switch (code) {
	case SL_OK:
		return "ok";
	case SL_EOF:
		return "end of input";
	case SL_AGAIN:
		return "nothing available now";
	case SL_ERR:
		return "error";
	case SL_ENOMEM:
		return "out of memory";
	case SL_EINVAL:
		return "invalid argument";
	case SL_EIO:
		return "I/O error";
	case SL_ETYPE:
		return "type mismatch";
	case SL_ENOTFOUND:
		return "not found";
	case SL_EABI:
		return "incompatible module ABI";
	case SL_ESTATE:
		return "called in the wrong state";
	default:
		return "unknown status";
	}
}
