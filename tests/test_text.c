/* test_text.c - readability: the scanner's sentence and word rules, syllables
   against CMUdict (Debian pocketsphinx-en-us), formulas on hand-counted
   passages, streaming = whole text, hostile input, and the CLI.

   References: syllable counts come from CMUdict (vowel phones of words with
   one pronunciation); sentence/word counts and formula inputs are counted by
   hand in the comments. The prose passages under tests/data are held out
   from the exception table (see tests/gen_syllable_table.py). */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include <ctype.h>
#include <sys/wait.h>

#define CMUDICT "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"

static int emulated(void) { return getenv("MOSSA_TEST_EMULATED") != NULL; }

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (!f) return NULL;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? 2 * cap : 1 << 20;
            buf = (char *)realloc(buf, cap + 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- CMUdict: word -> syllables (-1 = several pronunciations) ---------- */
typedef struct dict_entry { char *word; int syl; int first; } dict_entry;
typedef struct dict { dict_entry *e; size_t n; char *text; } dict;

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const dict_entry *)a)->word, ((const dict_entry *)b)->word);
}

static int is_vowel_phone(const char *p, size_t n)
{
    static const char *const v[] = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH",
                                    "IY", "OW", "OY", "UH", "UW"};
    size_t i;
    if (n != 2) return 0;
    for (i = 0; i < 15; ++i) if (p[0] == v[i][0] && p[1] == v[i][1]) return 1;
    return 0;
}

static dict load_dict(void)
{
    dict d;
    size_t len, cap = 150000;
    char *line, *save = NULL;
    memset(&d, 0, sizeof(d));
    d.text = read_all(CMUDICT, &len);
    ck_assert_msg(d.text != NULL, "%s missing: install pocketsphinx-en-us (make deps)", CMUDICT);
    d.e = (dict_entry *)malloc(cap * sizeof(dict_entry));
    for (line = strtok_r(d.text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' '), *paren, *p;
        int syl = 0;
        if (!sp) continue;
        *sp = 0;
        paren = strchr(line, '(');
        for (p = sp + 1; *p;) {
            size_t k = strcspn(p, " ");
            if (is_vowel_phone(p, k)) ++syl;
            p += k;
            while (*p == ' ') ++p;
        }
        if (paren) {                    /* variant: mark the base word ambiguous */
            *paren = 0;
            if (d.n && strcmp(d.e[d.n - 1].word, line) == 0) d.e[d.n - 1].syl = -1;
            continue;
        }
        if (d.n == cap) { cap *= 2; d.e = (dict_entry *)realloc(d.e, cap * sizeof(dict_entry)); }
        d.e[d.n].word = line;
        d.e[d.n].syl = syl;
        d.e[d.n].first = syl;
        d.n++;
    }
    qsort(d.e, d.n, sizeof(dict_entry), entry_cmp);
    return d;
}

static const dict_entry *dict_find(const dict *d, const char *w)
{
    dict_entry key;
    key.word = (char *)w;
    return (const dict_entry *)bsearch(&key, d->e, d->n, sizeof(dict_entry), entry_cmp);
}

static int plain_word(const char *w)
{
    if (!islower((unsigned char)*w)) return 0;
    for (; *w; ++w) if (!islower((unsigned char)*w) && *w != '\'') return 0;
    return 1;
}

/* ---- words of a text as the scanner sees them --------------------------- */
typedef struct word_list { char (*w)[64]; int *syl; size_t n, cap; } word_list;

static void collect_word(void *user, const char *word, size_t len, int syl)
{
    word_list *l = (word_list *)user;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->w = (char (*)[64])realloc(l->w, l->cap * 64);
        l->syl = (int *)realloc(l->syl, l->cap * sizeof(int));
    }
    memcpy(l->w[l->n], word, len);
    l->w[l->n][len] = 0;
    l->syl[l->n] = syl;
    l->n++;
}

static word_list words_of(const char *text, size_t len, mossa_text_stats *st)
{
    word_list l;
    mossa_text_scanner s;
    memset(&l, 0, sizeof(l));
    mossa_text_scanner_init(&s);
    s.on_word = collect_word;
    s.on_word_user = &l;
    mossa_text_scanner_feed(&s, text, len);
    mossa_text_scanner_finish(&s, st);
    return l;
}

static const char *const prose_files[] = {"tests/data/prose_gpl3.txt", "tests/data/prose_rustbook.txt"};

/* ---- syllables vs CMUdict ------------------------------------------------ */
START_TEST(syllables_match_cmudict_on_a_random_dictionary_sample)
{
    dict d = load_dict();
    test_rng r = test_rng_make(20240607);
    size_t want = emulated() ? 1000 : 6000, tried = 0, ok = 0, guard = 0;
    while (tried < want && guard++ < 50 * want) {
        const dict_entry *e = &d.e[test_rng_next(&r) % d.n];
        if (e->syl < 0 || !plain_word(e->word) || strlen(e->word) >= 60) continue;
        tried++;
        if (mossa_syllables(e->word, strlen(e->word)) == e->syl) ok++;
    }
    ck_assert_uint_eq(tried, want);
    printf("syllables: random CMUdict sample %zu/%zu = %.2f%% (target >= 95%%)\n", ok, tried, 100.0 * ok / tried);
    ck_assert_msg(ok >= 0.95 * tried, "dictionary sample accuracy %.4f < 0.95", (double)ok / tried);
    free(d.e); free(d.text);
}
END_TEST

/* Running prose held out from the table: over distinct words and per token. */
START_TEST(syllables_match_cmudict_on_held_out_prose)
{
    dict d = load_dict();
    size_t f, tok = 0, tok_ok = 0, dist = 0, dist_ok = 0, i;
    char **seen = NULL;
    size_t n_seen = 0;
    for (f = 0; f < 2; ++f) {
        size_t len;
        char *text = read_all(prose_files[f], &len);
        word_list l;
        ck_assert_ptr_nonnull(text);
        l = words_of(text, len, NULL);
        for (i = 0; i < l.n; ++i) {
            const dict_entry *e = dict_find(&d, l.w[i]);
            size_t k;
            int dup = 0;
            if (!e || e->syl < 0) continue;
            tok++;
            tok_ok += (l.syl[i] == e->syl);
            for (k = 0; k < n_seen && !dup; ++k) dup = (strcmp(seen[k], e->word) == 0);
            if (dup) continue;
            seen = (char **)realloc(seen, (n_seen + 1) * sizeof(char *));
            seen[n_seen++] = e->word;
            dist++;
            dist_ok += (l.syl[i] == e->syl);
        }
        free(l.w); free(l.syl); free(text);
    }
    printf("syllables: held-out prose tokens %zu/%zu = %.2f%% (>= 99.3%%), distinct %zu/%zu = %.2f%% (>= 97%%)\n",
           tok_ok, tok, 100.0 * tok_ok / tok, dist_ok, dist, 100.0 * dist_ok / dist);
    ck_assert_uint_gt(tok, 10000);
    ck_assert_msg(tok_ok >= 0.993 * tok, "token accuracy %.4f", (double)tok_ok / tok);
    ck_assert_msg(dist_ok >= 0.97 * dist, "distinct-word accuracy %.4f", (double)dist_ok / dist);
    free(seen); free(d.e); free(d.text);
}
END_TEST

/* Flesch-Kincaid against a reference with the same segmentation but
   dictionary syllables (first pronunciation; words not in CMUdict keep
   mossa's count), over about 20 passages of 8-12 paragraphs. */
START_TEST(flesch_kincaid_is_within_0_15_of_dictionary_syllables)
{
    dict d = load_dict();
    size_t f, passages = 0;
    double sum_abs = 0;
    for (f = 0; f < 2; ++f) {
        size_t len, pos = 0;
        char *text = read_all(prose_files[f], &len);
        ck_assert_ptr_nonnull(text);
        while (pos < len) {
            /* a passage: about 1/10 of the file, cut at a paragraph break */
            size_t end = pos + len / 10, i;
            const char *br;
            mossa_text_stats st;
            mossa_readability_scores sc;
            word_list l;
            uint64_t ref_syl = 0;
            double ref_fk;
            if (end >= len) end = len;
            else if ((br = strstr(text + end, "\n\n")) != NULL) end = (size_t)(br - text) + 2;
            else end = len;
            if (end - pos < len / 40) break;  /* a short tail */
            l = words_of(text + pos, end - pos, &st);
            ck_assert_uint_eq(l.n, st.words);
            for (i = 0; i < l.n; ++i) {
                const dict_entry *e = dict_find(&d, l.w[i]);
                ref_syl += (uint64_t)(e ? e->first : l.syl[i]);
            }
            mossa_readability_score(&st, &sc);
            ck_assert(sc.defined);
            ref_fk = 0.39 * (double)st.words / (double)st.sentences + 11.8 * (double)ref_syl / (double)st.words - 15.59;
            sum_abs += fabs(sc.flesch_kincaid_grade - ref_fk);
            passages++;
            free(l.w); free(l.syl);
            pos = end;
        }
        free(text);
    }
    printf("flesch-kincaid: mean |mossa - dictionary reference| over %zu passages = %.3f (target <= 0.15)\n",
           passages, sum_abs / (double)passages);
    ck_assert_uint_ge(passages, 16);
    ck_assert_double_le(sum_abs / (double)passages, 0.15);
    free(d.e); free(d.text);
}
END_TEST

START_TEST(syllables_ignore_letter_case)
{
    dict d = load_dict();
    test_rng r = test_rng_make(7);
    int k;
    for (k = 0; k < 2000; ++k) {
        const dict_entry *e = &d.e[test_rng_next(&r) % d.n];
        char up[64], cap[64];
        size_t n = strlen(e->word), i;
        if (n >= 60 || !plain_word(e->word)) continue;
        for (i = 0; i <= n; ++i) { up[i] = (char)toupper((unsigned char)e->word[i]); cap[i] = e->word[i]; }
        cap[0] = up[0];
        ck_assert_int_eq(mossa_syllables(up, n), mossa_syllables(e->word, n));
        ck_assert_int_eq(mossa_syllables(cap, n), mossa_syllables(e->word, n));
    }
    free(d.e); free(d.text);
}
END_TEST

/* Counts checked against CMUdict by hand (vowel phones in brackets). */
START_TEST(syllables_of_words_that_exercise_each_rule)
{
    static const struct { const char *w; int syl; } cases[] = {
        {"make", 1},        /* M EY K: silent e */
        {"table", 2},       /* T EY B AH L: syllabic -le */
        {"wanted", 2},      /* W AO N T AH D: -ed after t */
        {"played", 1},      /* P L EY D: silent -ed, y between vowels */
        {"boxes", 2},       /* B AA K S AH Z: -es after x */
        {"makes", 1},
        {"idea", 3},        /* AY D IY AH: final -ea hiatus */
        {"being", 2},       /* B IY IH NG: -ing after a vowel */
        {"flying", 2},      /* F L AY IH NG */
        {"criticism", 4},   /* K R IH T IH S IH Z AH M: -ism */
        {"rhythm", 2},      /* R IH DH AH M */
        {"nation", 2},      /* N EY SH AH N: -tion */
        {"lion", 2},        /* L AY AH N */
        {"happier", 3},     /* HH AE P IY ER */
        {"quiet", 2},       /* K W AY AH T */
        {"create", 2},      /* K R IY EY T: prefix hiatus */
        {"lovely", 2},      /* silent e before -ly */
        {"movement", 2},
        {"couldn't", 2},    /* K UH D AH N T */
        {"don't", 1},
        {"O'Neil", 2},      /* OW N IY L */
        {"U.S.", 2},        /* spelled out: Y UW EH S */
        {"e.g.", 2},
        {"HTML", 4},        /* no vowel: spelled out */
        {"well-known", 2},  /* two words */
        {"café", 2},        /* accented e is pronounced */
        {"naïve", 2},       /* diaeresis: N AY IY V */
        {"3.50", 0},        /* a number has no syllables */
        {"", 0},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i)
        ck_assert_msg(mossa_syllables(cases[i].w, strlen(cases[i].w)) == cases[i].syl, "%s: got %d, want %d",
                      cases[i].w, mossa_syllables(cases[i].w, strlen(cases[i].w)), cases[i].syl);
    ck_assert_int_eq(mossa_syllables(NULL, 4), 0);
}
END_TEST

/* ---- sentences and words ------------------------------------------------- */
static mossa_text_stats scan(const char *text)
{
    mossa_text_stats st;
    ck_assert_int_eq(mossa_readability(text, strlen(text), &st, NULL), MOSSA_OK);
    return st;
}

START_TEST(sentence_and_word_edge_cases)
{
    static const struct { const char *text; int sentences, words; } cases[] = {
        {"Dr. Smith arrived. He sat down.", 2, 6},
        {"Mr. and Mrs. Jones met Ms. Lee and Prof. Xu at St. Paul's.", 1, 13},
        {"It costs 3.50 dollars. That is cheap.", 2, 6},         /* 3.50 is no word */
        {"We sold 4,000 units. Sales rose.", 2, 5},
        {"J. R. R. Tolkien wrote books. They sold.", 2, 8},       /* initials */
        {"The U.S. economy grew. It grew fast.", 2, 7},           /* U.S. is one word */
        {"He lives in the U.S. The weather is fine.", 2, 9},      /* acronym + capital ends */
        {"Use tools, e.g. hammers, i.e. heavy ones. Fine.", 2, 8},
        {"Bring apples, pears, etc. Then leave.", 2, 6},
        {"Meet at 5 p.m. tomorrow. Bring food.", 2, 6},
        {"Wait... what? Really! Yes?! OK.", 4, 5},                /* ellipsis + lowercase goes on */
        {"\"Stop!\" she cried. He stopped.", 2, 5},               /* quote then lowercase goes on */
        {"I don't know O'Neil's plan. It\xE2\x80\x99s fine.", 2, 7},   /* U+2019 apostrophe */
        {"A well-known, state-of-the-art tool.", 1, 8},           /* compounds count their parts */
        {"Version 2 has 10 items and mp3 files.", 1, 5},          /* numbers are not words */
        {"No punctuation here", 1, 3},
        {"First paragraph without end\n\nSecond paragraph", 2, 6},
        {"one line\nsame sentence.", 1, 4},
        {"Visit example.com today. Now.", 2, 5},
        {"Wait\xE2\x80\xA6 Then go.", 2, 3},                       /* U+2026 */
        {"In Fig. 3 we show it.", 1, 5},
        {"The café in Zürich is naïve.", 1, 6},
        {"... !!! 3.50.", 0, 0},
        {"", 0, 0},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        mossa_text_stats st = scan(cases[i].text);
        ck_assert_msg(st.sentences == (uint64_t)cases[i].sentences && st.words == (uint64_t)cases[i].words,
                      "\"%s\": %llu sentences, %llu words; want %d, %d", cases[i].text,
                      (unsigned long long)st.sentences, (unsigned long long)st.words,
                      cases[i].sentences, cases[i].words);
    }
}
END_TEST

START_TEST(letters_and_characters_are_counted_per_code_point)
{
    /* The(3) café(4) in(2) Zürich(6) is(2) naïve(5) = 22 letters; no digits */
    mossa_text_stats st = scan("The café in Zürich is naïve.");
    ck_assert_uint_eq(st.letters, 22);
    ck_assert_uint_eq(st.characters, 22);
    /* letters of words only: a1 b2 = 0 words; characters = 4; plus "go" */
    st = scan("a1 b2 go");
    ck_assert_uint_eq(st.words, 1);
    ck_assert_uint_eq(st.letters, 2);
    ck_assert_uint_eq(st.characters, 6);
    /* e + combining acute is one letter */
    st = scan("cafe\xCC\x81");
    ck_assert_uint_eq(st.words, 1);
    ck_assert_uint_eq(st.letters, 4);
}
END_TEST

START_TEST(complex_words_follow_gunning)
{
    /* beautiful (B Y UW T AH F AH L, 3) and elephants (EH L AH F AH N T S, 3)
       are complex; */
    mossa_text_stats st = scan("We saw beautiful elephants.");
    ck_assert_uint_eq(st.polysyllables, 2);
    ck_assert_uint_eq(st.complex_words, 2);
    /* proper nouns inside the sentence are not (Jennifer, Anderson: 3 each) */
    st = scan("We met Jennifer Anderson.");
    ck_assert_uint_eq(st.polysyllables, 2);
    ck_assert_uint_eq(st.complex_words, 0);
    /* but a capitalised first word is: Beautiful */
    st = scan("Beautiful.");
    ck_assert_uint_eq(st.complex_words, 1);
    /* an -ing, or an -ed / -es pronounced as a syllable, does not make a word
       complex: computing (3) is compute + ing; created (K R IY EY T AH D, 3)
       is create (2) + a pronounced -ed */
    st = scan("We are computing.");
    ck_assert_uint_eq(st.polysyllables, 1);
    ck_assert_uint_eq(st.complex_words, 0);
    st = scan("They created it.");
    ck_assert_uint_eq(st.polysyllables, 1);
    ck_assert_uint_eq(st.complex_words, 0);
    /* U.S.A. is spelled out (3) but not complex */
    st = scan("We saw the U.S.A. today.");
    ck_assert_uint_eq(st.polysyllables, 1);
    ck_assert_uint_eq(st.complex_words, 0);
}
END_TEST

/* ---- formulas on hand-counted passages ---------------------------------- */
static void check_scores(const mossa_text_stats *st, const mossa_readability_scores *sc)
{
    long double W = st->words, S = st->sentences, Y = st->syllables;
    ck_assert(sc->defined);
    ck_assert_double_eq_tol(sc->flesch_kincaid_grade, (double)(0.39L * W / S + 11.8L * Y / W - 15.59L), 1e-12);
    ck_assert_double_eq_tol(sc->flesch_reading_ease, (double)(206.835L - 1.015L * W / S - 84.6L * Y / W), 1e-12);
    ck_assert_double_eq_tol(sc->automated_readability_index,
                            (double)(4.71L * st->characters / W + 0.5L * W / S - 21.43L), 1e-12);
    ck_assert_double_eq_tol(sc->coleman_liau_index,
                            (double)(0.0588L * 100 * st->letters / W - 0.296L * 100 * S / W - 15.8L), 1e-12);
    ck_assert_double_eq_tol(sc->gunning_fog, (double)(0.4L * (W / S + 100.0L * st->complex_words / W)), 1e-12);
    ck_assert_double_eq_tol(sc->smog, (double)(1.0430L * sqrtl(st->polysyllables * 30.0L / S) + 3.1291L), 1e-12);
}

START_TEST(formulas_on_hand_counted_passages)
{
    mossa_text_stats st;
    mossa_readability_scores sc;
    /* "The cat sat on the mat. The dog ran.": 2 sentences, 9 words, all of one
       syllable; letters 3+3+3+2+3+3+3+3+3 = 26.
       FK = 0.39*4.5 + 11.8*1 - 15.59 = -2.035; FRE = 206.835 - 4.5675 - 84.6
       = 117.6675; ARI = 4.71*26/9 + 2.25 - 21.43 = -5.5233...;
       CLI = 0.0588*288.89 - 0.296*22.22 - 15.8 = -5.4889; fog = 0.4*4.5 = 1.8;
       SMOG = 3.1291. */
    ck_assert_int_eq(mossa_readability("The cat sat on the mat. The dog ran.", 36, &st, &sc), MOSSA_OK);
    ck_assert_uint_eq(st.sentences, 2);
    ck_assert_uint_eq(st.words, 9);
    ck_assert_uint_eq(st.syllables, 9);
    ck_assert_uint_eq(st.letters, 26);
    ck_assert_uint_eq(st.characters, 26);
    ck_assert_double_eq_tol(sc.flesch_kincaid_grade, -2.035, 1e-12);
    ck_assert_double_eq_tol(sc.flesch_reading_ease, 117.6675, 1e-12);
    ck_assert_double_eq_tol(sc.automated_readability_index, 4.71 * 26.0 / 9.0 + 2.25 - 21.43, 1e-12);
    ck_assert_double_eq_tol(sc.gunning_fog, 1.8, 1e-12);
    ck_assert_double_eq_tol(sc.smog, 3.1291, 1e-12);
    check_scores(&st, &sc);
    /* "Readability formulas estimate difficulty. Generally, longer sentences
       increase the grade." CMUdict: readability 5, formulas 3, estimate 3,
       difficulty 4, generally 4, longer 2, sentences 3, increase 2, the 1,
       grade 1 = 28 syllables; 10 words; 2 sentences; letters 11+8+8+10+9+6+
       9+8+3+5 = 77; polysyllables 6 (the 3+ ones); complex 5 (sentences is
       sentence+s with a pronounced -es: stem of 2).
       FK = 0.39*5 + 11.8*2.8 - 15.59 = 19.4; FRE = 206.835 - 5.075 - 236.88
       = -35.12; fog = 0.4*(5 + 50) = 22; SMOG = 1.043*sqrt(90) + 3.1291. */
    ck_assert_int_eq(mossa_readability("Readability formulas estimate difficulty. Generally, longer sentences "
                                       "increase the grade.", 89, &st, &sc), MOSSA_OK);
    ck_assert_uint_eq(st.sentences, 2);
    ck_assert_uint_eq(st.words, 10);
    ck_assert_uint_eq(st.syllables, 28);
    ck_assert_uint_eq(st.letters, 77);
    ck_assert_uint_eq(st.polysyllables, 6);
    ck_assert_uint_eq(st.complex_words, 5);
    ck_assert_double_eq_tol(sc.flesch_kincaid_grade, 19.4, 1e-12);
    ck_assert_double_eq_tol(sc.flesch_reading_ease, -35.12, 1e-12);
    ck_assert_double_eq_tol(sc.gunning_fog, 22.0, 1e-12);
    ck_assert_double_eq_tol(sc.smog, 1.043 * sqrt(90.0) + 3.1291, 1e-12);
    check_scores(&st, &sc);
    /* The issue's example: 9 words, 11 syllables in CMUdict, FK = 2.34 */
    ck_assert_int_eq(mossa_readability("The quick brown fox jumped over the lazy dog.", 45, &st, &sc), MOSSA_OK);
    ck_assert_uint_eq(st.syllables, 11);
    ck_assert_double_eq_tol(sc.flesch_kincaid_grade, 0.39 * 9 + 11.8 * 11.0 / 9.0 - 15.59, 1e-12);
}
END_TEST

START_TEST(no_words_means_undefined_scores_not_nan)
{
    static const char *const texts[] = {"", "   \n\n ", "3.50 4,000 1990.", "!!! ... ???", "\xFF\xFE"};
    size_t i;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); ++i) {
        mossa_text_stats st;
        mossa_readability_scores sc;
        ck_assert_int_eq(mossa_readability(texts[i], strlen(texts[i]), &st, &sc), MOSSA_OK);
        ck_assert_uint_eq(st.words, 0);
        ck_assert_uint_eq(st.sentences, 0);
        ck_assert_int_eq(sc.defined, 0);
        ck_assert(sc.flesch_kincaid_grade == 0 && sc.smog == 0 && sc.gunning_fog == 0);
    }
    ck_assert_int_eq(mossa_readability(NULL, 0, NULL, NULL), MOSSA_OK);
    ck_assert_int_eq(mossa_readability(NULL, 3, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
}
END_TEST

/* ---- streaming ------------------------------------------------------------ */
static const char edge_text[] =
    "Dr. Smith met Mr. O'Neil in the U.S. The café cost 3.50 dollars... Really? "
    "\"Yes!\" she said. J. R. R. Tolkien's well-known books, e.g. The Hobbit, sold 4,000 copies "
    "at 5 p.m. It\xE2\x80\x99s na\xC3\xAFve \xE2\x80\x94 Z\xC3\xBCrich \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87 "
    "bad\xFF\xC3 bytes\xE2\x82 here\xED\xA0\x80 now\n\nNew paragraph without end\nsecond line etc. Then more\xE2\x80\xA6";

static int stats_eq(const mossa_text_stats *a, const mossa_text_stats *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

START_TEST(any_split_gives_the_whole_text_result)
{
    size_t n = sizeof(edge_text) - 1, i, j;
    mossa_text_stats whole, part;
    mossa_text_scanner s;
    ck_assert_int_eq(mossa_readability(edge_text, n, &whole, NULL), MOSSA_OK);
    ck_assert_uint_gt(whole.sentences, 5);
    for (i = 0; i <= n; ++i) {
        mossa_text_scanner_init(&s);
        mossa_text_scanner_feed(&s, edge_text, i);
        mossa_text_scanner_feed(&s, edge_text + i, n - i);
        mossa_text_scanner_finish(&s, &part);
        ck_assert_msg(stats_eq(&whole, &part), "split at %zu differs", i);
    }
    /* three pieces, every pair of cut points (coarser step under qemu) */
    for (i = 0; i <= n; i += emulated() ? 7 : 1)
        for (j = i; j <= n; j += emulated() ? 5 : 1) {
            mossa_text_scanner_init(&s);
            mossa_text_scanner_feed(&s, edge_text, i);
            mossa_text_scanner_feed(&s, edge_text + i, j - i);
            mossa_text_scanner_feed(&s, edge_text + j, n - j);
            mossa_text_scanner_finish(&s, &part);
            ck_assert_msg(stats_eq(&whole, &part), "cuts at %zu, %zu differ", i, j);
        }
    /* byte by byte */
    mossa_text_scanner_init(&s);
    for (i = 0; i < n; ++i) mossa_text_scanner_feed(&s, edge_text + i, 1);
    mossa_text_scanner_finish(&s, &part);
    ck_assert(stats_eq(&whole, &part));
}
END_TEST

START_TEST(random_chunks_of_long_prose_give_the_whole_result)
{
    size_t f;
    for (f = 0; f < 2; ++f) {
        size_t len, pos;
        char *text = read_all(prose_files[f], &len);
        mossa_text_stats whole, part;
        mossa_text_scanner s;
        test_rng r = test_rng_make(99 + f);
        int rep;
        ck_assert_ptr_nonnull(text);
        ck_assert_int_eq(mossa_readability(text, len, &whole, NULL), MOSSA_OK);
        for (rep = 0; rep < (emulated() ? 3 : 20); ++rep) {
            mossa_text_scanner_init(&s);
            for (pos = 0; pos < len;) {
                size_t k = 1 + (size_t)(test_rng_next(&r) % (rep % 2 ? 17 : 4000));
                if (k > len - pos) k = len - pos;
                mossa_text_scanner_feed(&s, text + pos, k);
                pos += k;
            }
            mossa_text_scanner_finish(&s, &part);
            ck_assert(stats_eq(&whole, &part));
        }
        free(text);
    }
}
END_TEST

/* The letter-run kernel is vectorised (AVX2, NEON): every level the CPU has
   must give the scalar counts, on edge cases fed whole and byte by byte, and
   on the prose passages fed in odd chunks (runs cut at every length). */
START_TEST(every_simd_level_gives_the_scalar_counts)
{
    size_t n = sizeof(edge_text) - 1, len, i;
    char *text = read_all(prose_files[1], &len);
    mossa_text_stats ref_edge, ref_prose, st;
    mossa_simd_level lvl;
    mossa_text_scanner s;
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(mossa_simd_force(MOSSA_SIMD_SCALAR), MOSSA_OK);
    mossa_readability(edge_text, n, &ref_edge, NULL);
    mossa_readability(text, len, &ref_prose, NULL);
    FOR_EACH_SIMD_LEVEL(lvl) {
        unsigned long before = mossa_test_kernel_calls(lvl);
        mossa_readability(edge_text, n, &st, NULL);
        ck_assert(stats_eq(&st, &ref_edge));
        ck_assert_uint_gt(mossa_test_kernel_calls(lvl), before);      /* the forced level ran */
        mossa_text_scanner_init(&s);
        for (i = 0; i < n; ++i) mossa_text_scanner_feed(&s, edge_text + i, 1);
        mossa_text_scanner_finish(&s, &st);
        ck_assert(stats_eq(&st, &ref_edge));
        mossa_readability(text, len, &st, NULL);
        ck_assert(stats_eq(&st, &ref_prose));
        mossa_text_scanner_init(&s);
        for (i = 0; i < len; i += 37) mossa_text_scanner_feed(&s, text + i, len - i < 37 ? len - i : 37);
        mossa_text_scanner_finish(&s, &st);
        ck_assert(stats_eq(&st, &ref_prose));
    }
    free(text);
}
END_TEST

/* ---- hostile input ------------------------------------------------------- */
/* The word loop (whole ASCII words, sentence ends, abbreviations, in
   64-byte letter masks with a memo) against the simple reference: the
   byte-at-a-time state machine with no memo (no_memo_ is the private flag
   mossa_syllables uses), fed one byte at a time. Random texts built from
   adversarial tokens (every abbreviation in three cases, apostrophes, words
   of 1-16 letters, digits, invalid and multi-byte UTF-8, NUL, blank lines)
   and random bytes, whole and in random chunks, at every SIMD level; the
   word lists (word, syllables) must match too. */
typedef struct word_digest { unsigned long long h, n; } word_digest;
static void digest_word(void *user, const char *w, size_t len, int syl)
{
    word_digest *d = (word_digest *)user;
    size_t i;
    for (i = 0; i < len; ++i) d->h = (d->h ^ (unsigned char)w[i]) * 1099511628211ULL;
    d->h = (d->h ^ (unsigned)syl ^ 0x100u ^ ((unsigned long long)len << 12)) * 1099511628211ULL;
    d->n++;
}

static void scan_digest(const char *t, size_t n, int reference, test_rng *r, mossa_text_stats *st, word_digest *d)
{
    mossa_text_scanner *s = (mossa_text_scanner *)malloc(sizeof(mossa_text_scanner));
    char *exact = (char *)malloc(n ? n : 1);   /* so that a sanitizer sees a read past the text */
    size_t pos = 0;
    memcpy(exact, t, n);
    t = exact;
    d->h = 1469598103934665603ULL;
    d->n = 0;
    mossa_text_scanner_init(s);
    s->no_memo_ = (uint8_t)reference;
    s->on_word = digest_word;
    s->on_word_user = d;
    while (pos < n) {
        size_t c = reference ? 1 : r ? 1 + test_rng_next(r) % 200 : n - pos;
        if (c > n - pos) c = n - pos;
        mossa_text_scanner_feed(s, t + pos, c);
        pos += c;
    }
    mossa_text_scanner_finish(s, st);
    free(s);
    free(exact);
}

START_TEST(word_loop_matches_the_byte_machine_on_random_text)
{
    static const char *const tok[] = {
        "the", "The", "a", "I", "q", "Q", "it's", "don't", "O'Neil", "rock'n'roll", "a'", "'a", "''", "'", "x'y",
        "abcdefg'hi", "abcdefgh'ijklmn", "abcdefghijklmn'o", "abcdefghijklmno", "abcdefghijklmnop", "Seventeenletterss",
        "created", "companies", "readability", "Communications", "uncharacteristically", "well-known", "e-mail",
        "3.50", "4,000", "1990s", "mp3", "a1", "1a", "x.y", "Mr.Smith", "U.S.", "e.g.", "i.e.", "a.m.", "J.", "B.", "c.",
        "caf\xc3\xa9", ("\xc3\x89" "cole"), "word\xe2\x80\x99s", "l\xe2\x80\x99\xc3\xa9", "\xe2\x80\x9c", "\xe2\x80\x9d",
        "\xe2\x80\xa6", "\xe2\x80\xa9", "\xc2\xa0", "\xff", "\xc3", "\xe2\x80", "\xcc\x81", "\xc2\xad", "\xce\xb1\xce\xb2",
        " ", " ", " ", " ", "  ", "\n", "\n\n", "\n \n", "\t", "\r\n", ",", ".", "!", "?", "...", "?!", "!!", "\"", "(", ")",
        "-", ":", ";", "/", "#", "`", "~", "\x7f", "\x01", ". ", "? ", ".\" ", ".) ", ". '", ".\n"};
    static const char *const abbr[] = {"mr", "ms", "dr", "st", "lt", "mt", "vs", "cf", "pp", "rev", "hon", "gen", "col",
        "sgt", "gov", "sen", "rep", "fig", "vol", "viz", "mrs", "prof", "capt", "dept", "figs", "vols", "approx",
        "messrs", "mme", "mlle", "eqs", "eq", "etc", "jr", "sr", "co", "inc", "ltd", "ave", "corp", "bros", "al", "blvd",
        "esq", "no", "said", "ended"};
    const size_t ntok = sizeof(tok) / sizeof(tok[0]), nabbr = sizeof(abbr) / sizeof(abbr[0]);
    int texts = emulated() ? 40 : 400, it;
    mossa_simd_level lvl;
    char *t = (char *)malloc(8192);
    FOR_EACH_SIMD_LEVEL(lvl) {
        test_rng r = test_rng_make(77 + (unsigned)lvl);
        for (it = 0; it < texts; ++it) {
            size_t n = 0, want = 1 + test_rng_next(&r) % 6000;
            mossa_text_stats ref, st;
            word_digest dref, d;
            while (n < want) {
                unsigned long long x = test_rng_next(&r);
                if (it % 4 == 3) {              /* random bytes, mostly ASCII */
                    t[n++] = (x % 10 < 7) ? "abcdefghijklmnopqrstuvwxyzAEIOU  \n.,'"[(x >> 8) % 38] : (char)(x >> 16);
                } else if (x % 5 == 0) {        /* an abbreviation-like word, any case, then a period */
                    const char *a = abbr[(x >> 8) % nabbr];
                    size_t k, l = strlen(a);
                    for (k = 0; k < l; ++k)
                        t[n + k] = (char)((x >> 20) % 3 == 0 || ((x >> 20) % 3 == 1 && k == 0) ? toupper((unsigned char)a[k]) : a[k]);
                    n += l;
                    t[n++] = '.';
                } else {
                    const char *w = tok[(x >> 8) % ntok];
                    size_t l = strlen(w);
                    memcpy(t + n, w, l);
                    n += l;
                }
            }
            scan_digest(t, n, 1, NULL, &ref, &dref);
            scan_digest(t, n, 0, NULL, &st, &d);
            ck_assert_msg(stats_eq(&st, &ref) && d.h == dref.h && d.n == dref.n, "text %d (level %d): whole", it, (int)lvl);
            scan_digest(t, n, 0, &r, &st, &d);
            ck_assert_msg(stats_eq(&st, &ref) && d.h == dref.h && d.n == dref.n, "text %d (level %d): chunks", it, (int)lvl);
        }
    }
    free(t);
}
END_TEST

START_TEST(invalid_utf8_is_replaced_and_never_read_past)
{
    /* each invalid sequence becomes one non-letter, splitting words */
    static const struct { const char *t; size_t n; int words; } cases[] = {
        {"abc\xFF" "def", 7, 2},
        {"abc\xC0\xAF" "def", 8, 2},                 /* overlong */
        {"abc\xED\xA0\x80" "def", 9, 2},             /* surrogate */
        {"abc\xF4\x90\x80\x80" "def", 10, 2},        /* above U+10FFFF */
        {"abc\xE2\x82" "def", 8, 2},                 /* truncated */
        {"abc\x80\x80" "def", 8, 2},                 /* stray continuation */
        {"caf\xC3\xA9", 5, 1},                        /* valid é joins */
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        mossa_text_stats st;
        ck_assert_int_eq(mossa_readability(cases[i].t, cases[i].n, &st, NULL), MOSSA_OK);
        ck_assert_msg(st.words == (uint64_t)cases[i].words, "case %zu: %llu words", i, (unsigned long long)st.words);
    }
    /* a lead byte at the very end of an exactly sized heap buffer */
    for (i = 1; i <= 4; ++i) {
        static const char leads[] = {'\xC3', '\xE2', '\xF0', '\xF4'};
        char *buf = (char *)malloc(3);
        mossa_text_stats st;
        buf[0] = 'o'; buf[1] = 'k'; buf[2] = leads[i - 1];
        ck_assert_int_eq(mossa_readability(buf, 3, &st, NULL), MOSSA_OK);
        ck_assert_uint_eq(st.words, 1);
        free(buf);
    }
}
END_TEST

START_TEST(nul_is_an_ordinary_character)
{
    mossa_text_stats st;
    ck_assert_int_eq(mossa_readability("hello\0world. Next\0one.", 23, &st, NULL), MOSSA_OK);
    ck_assert_uint_eq(st.words, 4);
    ck_assert_uint_eq(st.sentences, 2);
    ck_assert_uint_eq(st.letters, 17);   /* hello world Next one */
}
END_TEST

START_TEST(five_megabyte_line_without_punctuation)
{
    size_t n = 5u << 20, i;
    char *buf = (char *)malloc(n);
    mossa_text_stats st;
    mossa_readability_scores sc;
    /* "word " repeated: one sentence of n/5 words of one syllable */
    for (i = 0; i < n; ++i) buf[i] = "word "[i % 5];
    ck_assert_int_eq(mossa_readability(buf, n, &st, &sc), MOSSA_OK);
    ck_assert_uint_eq(st.sentences, 1);
    ck_assert_uint_eq(st.words, n / 5);
    ck_assert_uint_eq(st.syllables, n / 5);
    ck_assert(sc.defined && isfinite(sc.flesch_kincaid_grade));
    ck_assert_double_eq_tol(sc.flesch_kincaid_grade, 0.39 * (double)(n / 5) + 11.8 - 15.59, 1e-6);
    /* one 5 MB word: "ta" repeated has n/2 vowel groups */
    for (i = 0; i < n; ++i) buf[i] = "ta"[i % 2];
    ck_assert_int_eq(mossa_readability(buf, n, &st, &sc), MOSSA_OK);
    ck_assert_uint_eq(st.words, 1);
    ck_assert_uint_eq(st.letters, n);
    ck_assert_uint_eq(st.syllables, n / 2);
    free(buf);
}
END_TEST

/* ---- per line -------------------------------------------------------------- */
START_TEST(per_line_scores_each_line_as_its_own_text)
{
    static const char text[] = "One. Two.\n\nThree four five\r\nsix";
    mossa_text_stats st[8];
    mossa_readability_scores sc[8];
    size_t n = 0;
    ck_assert_int_eq(mossa_readability_lines(text, sizeof(text) - 1, 8, st, sc, &n), MOSSA_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(st[0].sentences, 2); ck_assert_uint_eq(st[0].words, 2);
    ck_assert_uint_eq(st[1].words, 0);     ck_assert_int_eq(sc[1].defined, 0);
    ck_assert_uint_eq(st[2].sentences, 1); ck_assert_uint_eq(st[2].words, 3);   /* no terminal: one sentence */
    ck_assert_uint_eq(st[3].sentences, 1); ck_assert_uint_eq(st[3].words, 1);
    ck_assert_int_eq(mossa_readability_lines(text, sizeof(text) - 1, 2, st, NULL, &n), MOSSA_ERR_TOO_LARGE);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(mossa_readability_lines(text, sizeof(text) - 1, 0, NULL, NULL, &n), MOSSA_ERR_TOO_LARGE);
    ck_assert_int_eq(mossa_readability_lines("a\n", 2, 4, st, NULL, &n), MOSSA_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mossa_readability_lines(text, 3, 4, st, NULL, NULL), MOSSA_ERR_INVALID_ARGUMENT);
}
END_TEST

/* ---- CLI -------------------------------------------------------------------- */
/* test_cli with standard input from a file (test_cli itself reads /dev/null). */
static int cli_with_stdin(const char *args, const char *input, char **out)
{
    const char *cli = getenv("MOSSA_CLI");
    char cmd[2048];
    const char *outp = test_path("stdin-cli.out");
    size_t len;
    int rc;
    if (!cli || !*cli) cli = "build/mossa";
    snprintf(cmd, sizeof(cmd), "%s %s < '%s' > '%s' 2>/dev/null", cli, args, input, outp);
    rc = system(cmd);
    *out = read_all(outp, &len);
    ck_assert_ptr_nonnull(*out);
    return (rc == -1 || !WIFEXITED(rc)) ? -1 : WEXITSTATUS(rc);
}

START_TEST(cli_readability_json_has_the_documented_keys)
{
    static const char *const keys[] = {"\"sentences\": 2", "\"words\": 9", "\"syllables\": 9",
        "\"letters\": 26", "\"polysyllables\": 0", "\"complex_words\": 0", "\"characters\": 26",
        "\"flesch_kincaid_grade\": -2.03", "\"flesch_reading_ease\": 117.66", "\"automated_readability_index\": ",
        "\"coleman_liau_index\": ", "\"gunning_fog\": 1.8", "\"smog\": 3.129"};
    const char *p = test_path("cat.txt");
    char args[512], *out, *err;
    size_t i;
    ck_assert_int_eq(test_write_file(p, "The cat sat on the mat. The dog ran.", 36), 0);
    snprintf(args, sizeof(args), "readability --json '%s'", p);
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); ++i)
        ck_assert_msg(strstr(out, keys[i]) != NULL, "missing %s in %s", keys[i], out);
    free(out); free(err);
    /* standard input, both as "-" and with no FILE */
    ck_assert_int_eq(cli_with_stdin("readability --json -", p, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"words\": 9"));
    free(out);
    ck_assert_int_eq(cli_with_stdin("readability", p, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "flesch_kincaid_grade"));
    free(out);
}
END_TEST

START_TEST(cli_readability_undefined_is_null_and_errors_exit_1)
{
    const char *p = test_path("empty.txt");
    char args[512], *out, *err;
    ck_assert_int_eq(test_write_file(p, "3.50", 4), 0);
    snprintf(args, sizeof(args), "readability --json '%s'", p);
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"flesch_kincaid_grade\": null"));
    ck_assert_ptr_nonnull(strstr(out, "\"smog\": null"));
    ck_assert_ptr_null(strstr(out, "nan"));
    free(out); free(err);
    ck_assert_int_eq(test_cli("readability /nonexistent/file.txt", &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: /nonexistent/file.txt: "));
    free(out); free(err);
    snprintf(args, sizeof(args), "readability '%s'", test_tmpdir());   /* a directory */
    ck_assert_int_eq(test_cli(args, &out, &err), 1);
    ck_assert_ptr_nonnull(strstr(err, "mossa: error: "));
    free(out); free(err);
    ck_assert_int_eq(test_cli("readability --bogus", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("readability a b", &out, &err), 2);
    free(out); free(err);
    ck_assert_int_eq(test_cli("syllables", &out, &err), 2);
    free(out); free(err);
}
END_TEST

START_TEST(cli_per_line_json_and_table)
{
    const char *p = test_path("lines.txt");
    char args[512], *out, *err;
    ck_assert_int_eq(test_write_file(p, "One. Two.\n\nThree four five\n", 27), 0);
    snprintf(args, sizeof(args), "readability --per-line --json '%s'", p);
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "{\"lines\": ["));
    ck_assert_ptr_nonnull(strstr(out, "\"sentences\": 2, \"words\": 2"));
    ck_assert_ptr_nonnull(strstr(out, "\"sentences\": 0, \"words\": 0"));
    ck_assert_ptr_nonnull(strstr(out, "\"sentences\": 1, \"words\": 3"));
    ck_assert_ptr_nonnull(strstr(out, "\"total\": {\"sentences\": 3, \"words\": 5"));
    free(out); free(err);
    snprintf(args, sizeof(args), "readability --per-line '%s'", p);
    ck_assert_int_eq(test_cli(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "line\tsentences\twords"));
    ck_assert_ptr_nonnull(strstr(out, "\n2\t0\t0\t0\t-\t"));
    ck_assert_ptr_nonnull(strstr(out, "\n3\t1\t3\t3\t"));
    ck_assert_ptr_null(strstr(out, "\n4\t"));
    free(out); free(err);
}
END_TEST

START_TEST(cli_syllables_prints_one_count_per_word)
{
    char *out, *err;
    ck_assert_int_eq(test_cli("syllables table created U.S. \"don't\"", &out, &err), 0);
    ck_assert_str_eq(out, "2\n3\n2\n1\n");
    free(out); free(err);
    ck_assert_int_eq(test_cli("syllables --json idea", &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"syllables\": [3]"));
    free(out); free(err);
}
END_TEST

Suite *suite_text(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, syllables_match_cmudict_on_a_random_dictionary_sample);
    tcase_add_test(tc, syllables_match_cmudict_on_held_out_prose);
    tcase_add_test(tc, flesch_kincaid_is_within_0_15_of_dictionary_syllables);
    tcase_add_test(tc, syllables_ignore_letter_case);
    tcase_add_test(tc, syllables_of_words_that_exercise_each_rule);
    tcase_add_test(tc, sentence_and_word_edge_cases);
    tcase_add_test(tc, letters_and_characters_are_counted_per_code_point);
    tcase_add_test(tc, complex_words_follow_gunning);
    tcase_add_test(tc, formulas_on_hand_counted_passages);
    tcase_add_test(tc, no_words_means_undefined_scores_not_nan);
    tcase_add_test(tc, any_split_gives_the_whole_text_result);
    tcase_add_test(tc, random_chunks_of_long_prose_give_the_whole_result);
    tcase_add_test(tc, every_simd_level_gives_the_scalar_counts);
    tcase_add_test(tc, word_loop_matches_the_byte_machine_on_random_text);
    tcase_add_test(tc, invalid_utf8_is_replaced_and_never_read_past);
    tcase_add_test(tc, nul_is_an_ordinary_character);
    tcase_add_test(tc, five_megabyte_line_without_punctuation);
    tcase_add_test(tc, per_line_scores_each_line_as_its_own_text);
    tcase_add_test(tc, cli_readability_json_has_the_documented_keys);
    tcase_add_test(tc, cli_readability_undefined_is_null_and_errors_exit_1);
    tcase_add_test(tc, cli_per_line_json_and_table);
    tcase_add_test(tc, cli_syllables_prints_one_count_per_word);
    suite_add_tcase(s, tc);
    return s;
}
