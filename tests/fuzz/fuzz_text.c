/* fuzz_text.c - the readability scanner and the syllable counter on
   arbitrary bytes (invalid UTF-8, NUL bytes, huge runs included).

   Properties checked on every input:
   - mossa_readability never reads outside [text, text + len) (ASan: the
     input is copied into an exactly-sized heap block) and returns OK;
   - the counts are consistent: every word has at least one letter and at
     most the bytes it came from, polysyllables and complex words are
     words, letters fit in the input;
   - scores are finite whenever they are reported as defined;
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
