/* fmt_enc.h - what the encoders share (not installed). */
#ifndef SLUICE_FMT_ENC_H
#define SLUICE_FMT_ENC_H

#include "fmt_internal.h"

typedef struct slf_enc_ops {
	/* One row (columns cols[0..n) of the schema) as one value, no line
	 * end. */
	int (*row)(sl_encoder *e, sl_array *const *cols, int64_t row, sl_strbuf *out,
	           sl_error *err);
	/* A whole batch (NULL: row by row, each followed by "\n"). */
	int (*batch)(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err);
	/* End of the stream (NULL: nothing to add). */
	int (*finish)(sl_encoder *e, sl_strbuf *out, sl_error *err);
	void (*free)(void *impl);
} slf_enc_ops;

struct sl_encoder {
	sl_format_kind kind;
	sl_format_config opts;
	sl_schema *schema;
	const slf_enc_ops *ops;
	void *impl;
	slf_tsfmt *tsfmt; /* timestampFormat, or NULL: ISO with millis and Z */
	bool started;     /* a header went out (CSV, Avro container) */
};

int slf_json_enc_new(sl_encoder *e, sl_error *err);
int slf_csv_enc_new(sl_encoder *e, sl_error *err);
int slf_avro_enc_new(sl_encoder *e, bool container, sl_error *err);

/* Writes a timestamp as the encoder's text (no quotes); returns length. */
size_t slf_enc_ts(const sl_encoder *e, int64_t us, char *buf);

#endif
