/* committed - what a sluice file sink committed, as a reader must see it:
 * only the files its manifest lists, each batch once, the last update of
 * each key winning.
 *
 *   committed [--unique] OUTDIR KEYFIELD FIELD...
 *
 * Reads the manifest entries OUTDIR/_sluice_log/<batch> (names of digits
 * only; anything else there is a temporary file and is skipped) in batch
 * order; each is a JSON list of the batch's files (strings, or objects with
 * a "path" or "file" member; or an object with such a list in "files"),
 * relative to OUTDIR unless absolute.  Every listed file is read as JSON
 * lines; a row's key is its KEYFIELD, or with KEYFIELD "a,b" its fields a
 * and b joined by '|'.  Prints, per key in byte order, the key and the
 * FIELDs of its last row (by batch order), tab-separated.
 *
 * Fails (exit 1, one line on stderr) when a listed file is missing or not
 * JSON, when a file is listed twice, or when a key appears twice in one
 * batch (update mode writes a changed key once per batch); with --unique
 * (append mode: a row is final), when a key appears twice at all.  On
 * stderr:
 * "batches B files F rows R unlisted U temporary T" (U: part files the
 * manifest does not list, T: hidden temporary files — a crashed attempt's
 * leftovers, which readers must ignore).
 */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
	char *key;
	char *text; /* the FIELDs, tab-separated */
	int64_t batch;
} row;

typedef struct table {
	row *rows;
	size_t n, cap;
	size_t mask; /* open addressing over rows: index + 1 */
	size_t *slots;
} table;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "committed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static row *lookup(table *t, const char *key)
{
	size_t pos;

	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t size = t->mask ? (t->mask + 1) * 2 : 1024;
		size_t *s = calloc(size, sizeof(*s));
		if (s == NULL)
			die("out of memory");
		for (size_t i = 0; i < t->n; i++) {
			size_t p = hash(t->rows[i].key) & (size - 1);
			while (s[p] != 0)
				p = (p + 1) & (size - 1);
			s[p] = i + 1;
		}
		free(t->slots);
		t->slots = s;
		t->mask = size - 1;
	}
	pos = hash(key) & t->mask;
	while (t->slots[pos] != 0) {
		row *r = &t->rows[t->slots[pos] - 1];
		if (strcmp(r->key, key) == 0)
			return r;
		pos = (pos + 1) & t->mask;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->rows = realloc(t->rows, t->cap * sizeof(*t->rows));
		if (t->rows == NULL)
			die("out of memory");
	}
	t->rows[t->n] = (row){strdup(key), NULL, -1};
	t->slots[pos] = ++t->n;
	return &t->rows[t->n - 1];
}

/* A JSON value as text: strings bare, integers in decimal. */
static char *text_of(json_t *v)
{
	char buf[64];

	if (v == NULL || json_is_null(v))
		return strdup("null");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		return strdup(buf);
	}
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* The key of row o: KEYFIELD's fields (comma separated) joined by '|'. */
static char *key_of(json_t *o, const char *keyfield)
{
	char *key = NULL, *copy = strdup(keyfield), *save = NULL;
	size_t len = 0;

	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		char *v = text_of(json_object_get(o, f));
		size_t vl = strlen(v);

		key = realloc(key, len + vl + 2);
		if (len > 0)
			key[len++] = '|';
		memcpy(key + len, v, vl + 1);
		len += vl;
		free(v);
	}
	free(copy);
	return key ? key : strdup("");
}

/* A manifest entry: the batch id and the entry's name as written. */
typedef struct entry {
	int64_t id;
	char name[256];
} entry;

static int cmp_entry(const void *a, const void *b)
{
	int64_t x = ((const entry *)a)->id, y = ((const entry *)b)->id;
	return (x > y) - (x < y);
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const row *)a)->key, ((const row *)b)->key);
}

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The file names of a manifest entry. */
static json_t *file_list(json_t *m)
{
	if (json_is_object(m))
		m = json_object_get(m, "files");
	return json_is_array(m) ? m : NULL;
}

static const char *file_name(json_t *e)
{
	if (json_is_string(e))
		return json_string_value(e);
	if (json_is_object(e)) {
		json_t *p = json_object_get(e, "path");
		if (!json_is_string(p))
			p = json_object_get(e, "file");
		if (json_is_string(p))
			return json_string_value(p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *out, *keyfield;
	char path[4096];
	entry *batches = NULL;
	int64_t n_rows = 0;
	size_t n_batches = 0, cap = 0, n_files = 0, n_unlisted = 0, n_tmp = 0;
	char **listed = NULL;
	size_t n_listed = 0;
	table t = {0};
	DIR *d;
	struct dirent *de;
	int unique = 0;

	if (argc > 1 && strcmp(argv[1], "--unique") == 0) {
		unique = 1;
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: committed [--unique] OUTDIR KEYFIELD FIELD...\n");
		return 2;
	}
	out = argv[1];
	keyfield = argv[2];

	snprintf(path, sizeof(path), "%s/_sluice_log", out);
	d = opendir(path);
	if (d == NULL)
		die("no manifest: cannot open %s", path);
	while ((de = readdir(d)) != NULL) {
		if (!all_digits(de->d_name))
			continue;
		if (n_batches == cap) {
			cap = cap ? cap * 2 : 64;
			batches = realloc(batches, cap * sizeof(*batches));
		}
		batches[n_batches].id = strtoll(de->d_name, NULL, 10);
		snprintf(batches[n_batches].name, sizeof(batches[n_batches].name), "%s",
		         de->d_name);
		n_batches++;
	}
	closedir(d);
	qsort(batches, n_batches, sizeof(*batches), cmp_entry);

	for (size_t b = 0; b < n_batches; b++) {
		json_error_t jerr;
		json_t *m, *files;
		char mpath[4096 + 256 + 2], bname[32];
		int64_t id = batches[b].id;
		snprintf(bname, sizeof(bname), "%" PRId64, id);
		snprintf(mpath, sizeof(mpath), "%s/%s", path, batches[b].name);
		m = json_load_file(mpath, 0, &jerr);
		if (m == NULL)
			die("manifest %s: %s", mpath, jerr.text);
		files = file_list(m);
		if (files == NULL)
			die("manifest %s: no list of files", mpath);
		for (size_t i = 0; i < json_array_size(files); i++) {
			const char *name = file_name(json_array_get(files, i));
			char fpath[8192 + 2];
			FILE *f;
			char *line = NULL;
			size_t lcap = 0;
			ssize_t len;
			if (name == NULL)
				die("manifest %s: entry without a file name", mpath);
			for (size_t k = 0; k < n_listed; k++)
				if (strcmp(listed[k], name) == 0)
					die("file %s is listed twice (again in batch %s)", name,
					    bname);
			listed = realloc(listed, (n_listed + 1) * sizeof(*listed));
			listed[n_listed++] = strdup(name);
			if (name[0] == '/')
				snprintf(fpath, sizeof(fpath), "%s", name);
			else
				snprintf(fpath, sizeof(fpath), "%s/%s", out, name);
			f = fopen(fpath, "r");
			if (f == NULL)
				die("listed file %s is missing (batch %s)", fpath, bname);
			n_files++;
			while ((len = getline(&line, &lcap, f)) > 0) {
				json_t *o;
				char *key;
				row *r;
				size_t tl = 0;
				if (len == 1 && line[0] == '\n')
					continue;
				o = json_loads(line, 0, &jerr);
				if (!json_is_object(o))
					die("%s: a line is not a JSON object: %s", fpath, line);
				key = key_of(o, keyfield);
				r = lookup(&t, key);
				if (r->batch == id)
					die("key %s appears twice in batch %s", key, bname);
				if (unique && r->batch >= 0)
					die("key %s appears in batch %" PRId64 " and again in batch %s",
					    key, r->batch, bname);
				r->batch = id;
				free(r->text);
				r->text = NULL;
				for (int fi = 3; fi < argc; fi++) {
					char *v = text_of(json_object_get(o, argv[fi]));
					size_t vl = strlen(v);
					r->text = realloc(r->text, tl + vl + 2);
					if (fi > 3)
						r->text[tl++] = '\t';
					memcpy(r->text + tl, v, vl + 1);
					tl += vl;
					free(v);
				}
				free(key);
				json_decref(o);
				n_rows++;
			}
			free(line);
			fclose(f);
		}
		json_decref(m);
	}

	/* Part files nobody lists: a crashed attempt's, invisible to readers. */
	d = opendir(out);
	while (d && (de = readdir(d)) != NULL) {
		int found = 0;
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp") != NULL) {
			n_tmp++;
			continue;
		}
		if (strncmp(de->d_name, "part-", 5) != 0)
			continue;
		for (size_t k = 0; k < n_listed && !found; k++) {
			const char *base = strrchr(listed[k], '/');
			found = strcmp(base ? base + 1 : listed[k], de->d_name) == 0;
		}
		n_unlisted += !found;
	}
	if (d)
		closedir(d);

	qsort(t.rows, t.n, sizeof(*t.rows), cmp_row);
	for (size_t i = 0; i < t.n; i++)
		printf("%s\t%s\n", t.rows[i].key, t.rows[i].text ? t.rows[i].text : "");
	fprintf(stderr, "batches %zu files %zu rows %" PRId64 " unlisted %zu temporary %zu\n",
	        n_batches, n_files, n_rows, n_unlisted, n_tmp);
	for (size_t i = 0; i < t.n; i++) {
		free(t.rows[i].key);
		free(t.rows[i].text);
	}
	for (size_t k = 0; k < n_listed; k++)
		free(listed[k]);
	free(listed);
	free(t.rows);
	free(t.slots);
	free(batches);
	return 0;
}
