/* fuzz_text.c - the readability scanner and the syllable counter on
   arbitrary bytes (invalid UTF-8, NUL bytes, huge runs included).

   Properties checked on every input:
   - mossa_readability never reads outside [text, text + len) (ASan: the
     input is copied into an exactly-sized heap block) and returns OK;
   - the counts are consistent: every word has at least one letter and at
     most the bytes it came from, polysyllables and complex words are
     words, letters fit in the input;
   - scores are finite whenever they are reported as defined;
   - the streaming scanner gives the same counts however the input is cut
     (chunk boundaries from a hash of the input, each chunk an exactly-
     sized heap copy so a read past a chunk is an ASan report; and byte by
     byte for short inputs), including inside UTF-8 sequences;
   - mossa_readability_lines: the line count is the number of '\n' plus a
     final unterminated non-empty line, and words, letters, syllables,
     polysyllables and characters summed over lines equal the whole text's
     (a line break is white space; sentences and complex words may differ,
     as a line end closes a sentence);
   - mossa_syllables of the input (as one "word") does not depend on the
     case of ASCII letters, and is never negative.
   Skipped while the text module is a placeholder. */
#include "fuzz_util.h"
#include <ctype.h>

static void check_scores(const mossa_text_stats *t, const mossa_readability_scores *r, size_t len)
{
    FUZZ_CHECK(t->letters <= len, "letters %llu > %zu bytes", (unsigned long long)t->letters, len);
    FUZZ_CHECK(t->words <= t->letters, "words %llu > letters %llu", (unsigned long long)t->words,
               (unsigned long long)t->letters);
    FUZZ_CHECK(t->polysyllables <= t->words, "polysyllables > words");
    FUZZ_CHECK(t->complex_words <= t->words, "complex words > words");
    FUZZ_CHECK(t->syllables >= t->words, "syllables %llu < words %llu", (unsigned long long)t->syllables,
               (unsigned long long)t->words);
    FUZZ_CHECK(t->characters <= len, "characters %llu > %zu bytes", (unsigned long long)t->characters, len);
    if (r->defined) {
        FUZZ_CHECK(isfinite(r->flesch_kincaid_grade) && isfinite(r->flesch_reading_ease) &&
                   isfinite(r->automated_readability_index) && isfinite(r->coleman_liau_index) &&
                   isfinite(r->gunning_fog) && isfinite(r->smog), "a defined score is not finite");
        FUZZ_CHECK(t->words > 0 && t->sentences > 0, "scores defined without words or sentences");
    }
}

static int same_stats(const mossa_text_stats *a, const mossa_text_stats *b)
{
    return a->sentences == b->sentences && a->words == b->words && a->syllables == b->syllables &&
           a->letters == b->letters && a->polysyllables == b->polysyllables &&
           a->complex_words == b->complex_words && a->characters == b->characters;
}

static void print_stats(const char *what, const mossa_text_stats *t)
{
    fprintf(stderr, "  %s: sentences %llu words %llu syllables %llu letters %llu poly %llu complex %llu chars %llu\n", what,
            (unsigned long long)t->sentences, (unsigned long long)t->words, (unsigned long long)t->syllables,
            (unsigned long long)t->letters, (unsigned long long)t->polysyllables,
            (unsigned long long)t->complex_words, (unsigned long long)t->characters);
}

static void check_chunked(const uint8_t *data, size_t size, const mossa_text_stats *whole)
{
    static mossa_text_scanner sc;   /* 16 KB: not on the fuzzer's stack */
    mossa_text_stats got;
    uint32_t h = 2166136261u;
    size_t pos = 0, i;
    for (i = 0; i < size && i < 32; ++i) h = (h ^ data[i]) * 16777619u;
    mossa_text_scanner_init(&sc);
    while (pos < size) {
        size_t take;
        char *chunk;
        h = h * 1103515245u + 12345u;
        take = 1 + (h >> 16) % (size - pos < 67 ? size - pos : 67);
        chunk = (char *)malloc(take);
        memcpy(chunk, data + pos, take);
        mossa_text_scanner_feed(&sc, chunk, take);
        free(chunk);
        pos += take;
    }
    mossa_text_scanner_feed(&sc, (const char *)data, 0);   /* empty chunks are fine */
    mossa_text_scanner_finish(&sc, &got);
    if (!same_stats(&got, whole)) { print_stats("whole", whole); print_stats("chunked", &got); }
    FUZZ_CHECK(same_stats(&got, whole), "chunked scan differs from the whole-text scan");
    if (size <= 512) {
        mossa_text_scanner_init(&sc);
        for (i = 0; i < size; ++i) {
            char c = (char)data[i];
            mossa_text_scanner_feed(&sc, &c, 1);
        }
        mossa_text_scanner_finish(&sc, &got);
        if (!same_stats(&got, whole)) { print_stats("whole", whole); print_stats("byte by byte", &got); }
        FUZZ_CHECK(same_stats(&got, whole), "byte-by-byte scan differs from the whole-text scan");
    }
}

static void check_lines(const char *text, size_t size, const mossa_text_stats *whole)
{
    size_t n = 0, want = 0, i, got_n = 0;
    mossa_text_stats *st, sum;
    mossa_readability_scores *sc;
    mossa_status s;
    for (i = 0; i < size; ++i) if (text[i] == '\n') ++want;
    if (size && text[size - 1] != '\n') ++want;
    s = mossa_readability_lines(text, size, 0, NULL, NULL, &n);
    FUZZ_CHECK(s == MOSSA_OK || (s == MOSSA_ERR_TOO_LARGE && n > 0), "readability_lines count: %s", mossa_status_string(s));
    FUZZ_CHECK(n == want, "readability_lines: %zu lines, the text has %zu", n, want);
    st = (mossa_text_stats *)malloc((n ? n : 1) * sizeof(*st));
    sc = (mossa_readability_scores *)malloc((n ? n : 1) * sizeof(*sc));
    s = mossa_readability_lines(text, size, n, st, sc, &got_n);
    FUZZ_CHECK(s == MOSSA_OK && got_n == n, "readability_lines: %s, %zu lines", mossa_status_string(s), got_n);
    memset(&sum, 0, sizeof(sum));
    for (i = 0; i < n; ++i) {
        sum.words += st[i].words; sum.letters += st[i].letters; sum.syllables += st[i].syllables;
        sum.polysyllables += st[i].polysyllables; sum.characters += st[i].characters;
        if (sc[i].defined)
            FUZZ_CHECK(isfinite(sc[i].flesch_kincaid_grade) && isfinite(sc[i].smog) && isfinite(sc[i].gunning_fog),
                       "line %zu: a defined score is not finite", i);
    }
    if (!(sum.words == whole->words && sum.letters == whole->letters && sum.syllables == whole->syllables &&
          sum.polysyllables == whole->polysyllables && sum.characters == whole->characters)) {
        print_stats("whole", whole);
        print_stats("sum of lines", &sum);
    }
    FUZZ_CHECK(sum.words == whole->words && sum.letters == whole->letters && sum.syllables == whole->syllables &&
               sum.polysyllables == whole->polysyllables && sum.characters == whole->characters,
               "per-line counts do not add up to the whole text's");
    free(st);
    free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = (char *)malloc(size ? size : 1);
    mossa_text_stats t;
    mossa_readability_scores r;
    mossa_status s;
    memcpy(text, data, size);
    memset(&t, 0, sizeof(t));
    memset(&r, 0, sizeof(r));
    s = mossa_readability(text, size, &t, &r);
    if (s == MOSSA_ERR_NOT_IMPLEMENTED) { free(text); return 0; }
    FUZZ_CHECK(s == MOSSA_OK, "readability: %s", mossa_status_string(s));
    check_scores(&t, &r, size);
    check_chunked(data, size, &t);
    check_lines(text, size, &t);
    /* either output may be NULL */
    FUZZ_CHECK(mossa_readability(text, size, NULL, NULL) == MOSSA_OK, "NULL outputs");

    if (size <= 256) {
        size_t i;
        int orig, upper, lower;
        orig = mossa_syllables(text, size);
        for (i = 0; i < size; ++i) text[i] = (char)toupper((unsigned char)text[i]);
        upper = mossa_syllables(text, size);
        for (i = 0; i < size; ++i) text[i] = (char)tolower((unsigned char)text[i]);
        lower = mossa_syllables(text, size);
        FUZZ_CHECK(orig >= 0, "negative syllable count %d", orig);
        FUZZ_CHECK(orig == upper && upper == lower,
                   "syllables depend on letter case (as given %d, upper %d, lower %d)", orig, upper, lower);
    }
    free(text);
    return 0;
}
