/* gen_events - input for the crash tests: a directory of JSON-lines files
 * of {"key": STRING, "value": BIGINT} records, and the answer.
 *
 *   gen_events DIR FILES ROWS KEYS SEED EXPECTED
 *
 * Writes ROWS records spread evenly over FILES files DIR/events-NNNNN.json
 * (each written under a temporary name outside the listing's pattern, then
 * renamed, as files are expected to arrive), keys k00000.. drawn from KEYS
 * at random, values in [-1000, 1000000].  EXPECTED receives, per key, the
 * count and the sum of its values — what `count(*)`, `sum(value)` grouped by
 * key must end with — as "key<TAB>count<TAB>sum" lines in byte order of the
 * key (the format `committed` prints).  Deterministic for a SEED.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint64_t next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_events DIR FILES ROWS KEYS SEED EXPECTED\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *dir, *expected;
	long files, keys;
	int64_t rows, *count, *sum;
	char path[4096], tmp[4096];
	FILE *f;

	if (argc != 7)
		return usage();
	dir = argv[1];
	files = strtol(argv[2], NULL, 10);
	rows = strtoll(argv[3], NULL, 10);
	keys = strtol(argv[4], NULL, 10);
	rng = strtoull(argv[5], NULL, 10);
	expected = argv[6];
	if (files <= 0 || rows < 0 || keys <= 0 || keys > 100000)
		return usage();
	count = calloc((size_t)keys, sizeof(*count));
	sum = calloc((size_t)keys, sizeof(*sum));
	if (count == NULL || sum == NULL)
		return 1;

	for (long i = 0; i < files; i++) {
		int64_t n = rows / files + (i < rows % files);
		static char buf[1 << 16];
		snprintf(tmp, sizeof(tmp), "%s/.events-%05ld.json.tmp", dir, i);
		snprintf(path, sizeof(path), "%s/events-%05ld.json", dir, i);
		f = fopen(tmp, "w");
		if (f == NULL) {
			perror(tmp);
			return 1;
		}
		setvbuf(f, buf, _IOFBF, sizeof(buf));
		for (int64_t r = 0; r < n; r++) {
			long k = (long)(next() % (uint64_t)keys);
			int64_t v = (int64_t)(next() % 1001001) - 1000;
			count[k]++;
			sum[k] += v;
			fprintf(f, "{\"key\": \"k%05ld\", \"value\": %" PRId64 "}\n", k, v);
		}
		if (fclose(f) != 0 || rename(tmp, path) != 0) {
			perror(path);
			return 1;
		}
	}

	f = fopen(expected, "w");
	if (f == NULL) {
		perror(expected);
		return 1;
	}
	/* k00000 < k00001 < ...: numeric order is byte order. */
	for (long k = 0; k < keys; k++)
		if (count[k] > 0)
			fprintf(f, "k%05ld\t%" PRId64 "\t%" PRId64 "\n", k, count[k], sum[k]);
	if (fclose(f) != 0) {
		perror(expected);
		return 1;
	}
	free(count);
	free(sum);
	return 0;
}
