/* fmt_time.c - timestampFormat patterns (a subset of Java's
 * DateTimeFormatter letters, as Spark uses them): y, M, d, H, h, a, m, s,
 * S (fraction), X/x/Z (zone offset; always UTC when writing), 'quoted
 * text' and any other punctuation as itself.  Letters outside the subset
 * are refused when the pattern is compiled.  The work is tspattern.c's. */
#include <stdlib.h>
#include <string.h>

#include "fmt_enc.h"
#include "../util/tspattern.h"

struct slf_tsfmt {
	slt_pattern pat;
};

int slf_tsfmt_compile(const char *pat, slf_tsfmt **out, sl_error *err)
{
	slf_tsfmt *f = calloc(1, sizeof(*f));
	size_t bad = 0;
	int rc;

	*out = NULL;
	if (f == NULL)
		return SL_ENOMEM;
	rc = slt_compile(&f->pat, pat, strlen(pat), SLT_FMT, &bad);
	if (rc == 0) {
		*out = f;
		return SL_OK;
	}
	slf_tsfmt_free(f);
	if (rc == SL_ENOMEM)
		return SL_ENOMEM;
	return sl_error_at(err, SL_EINVAL, "timestampFormat", (int)bad,
	                   "timestampFormat '%s': unsupported pattern at offset %d", pat, (int)bad);
}

void slf_tsfmt_free(slf_tsfmt *f)
{
	if (f != NULL) {
		slt_clear(&f->pat);
		free(f);
	}
}

bool slf_tsfmt_parse(const slf_tsfmt *f, const char *s, size_t len, int64_t *out)
{
	return slt_parse(&f->pat, s, len, out);
}

size_t slf_tsfmt_format(const slf_tsfmt *f, int64_t us, char *buf, size_t size)
{
	return slt_format(&f->pat, us, buf, size);
}

/* A timestamp as an encoder writes it: its timestampFormat, or Spark's
 * JSON default. */
size_t slf_enc_ts(const sl_encoder *e, int64_t us, char *buf)
{
	if (e->tsfmt != NULL)
		return slf_tsfmt_format(e->tsfmt, us, buf, 64);
	return sl_format_timestamp_iso(us, buf);
}
