/* ---------------------------------------------------------------------
   Readability (impl/text.c)

   Counts sentences, words, syllables, letters and characters in UTF-8
   text and turns them into six readability formulas. The scanner is
   streaming: feed it chunks of any size and the counts are identical to
   scanning the whole text at once (it keeps a small carry state: a
   partial UTF-8 sequence, the word in progress, a pending sentence end).

   Text rules (English conventions; they decide every count):
   - Characters. Input is UTF-8. An invalid or truncated sequence is
     replaced by U+FFFD (maximal-subpart rule: one U+FFFD per invalid
     byte run, as Unicode recommends) and never read past the buffer.
     NUL is an ordinary (non-letter) character. Letters are ASCII letters
     and the letters of Latin-1/Latin Extended, IPA, Greek, Cyrillic,
     Armenian, Hebrew, Arabic, Indic, Thai, Georgian, kana, CJK and Hangul
     blocks; combining marks (U+0300-U+036F), soft hyphen, zero-width
     joiners and the BOM continue a word without counting as letters.
   - Words are runs of letters. An apostrophe (' or U+2019) between two
     letters is part of the word (don't, O'Neil, it's); a dotted acronym
     whose segments are single letters is one word (U.S., i.e., a.m.,
     U.S.A.). A hyphen splits a compound into its parts (well-known = 2
     words). A run of letters and digits that contains a digit is a
     number, not a word (3.50, 4,000, 1990s, mp3); numbers add to
     `characters` only.
   - `letters` counts the letters of words; `characters` counts every
     letter and digit (the "strokes" of the ARI), in words and numbers.
   - Sentences end at . ! ? ... U+2026 (and !! ?! runs, fullwidth ！？。)
     followed, after optional closing quotes/brackets, by white space or
     the end of the text. So a period followed directly by a letter or
     digit (3.50, example.com) ends nothing. After the white space, the
     next visible character decides: a lowercase letter means the
     sentence goes on (unknown abbreviation, "Why?" she asked); anything
     else ends it, except after
       * a title or reference abbreviation that is never final: Mr. Mrs.
         Ms. Dr. Prof. St. Rev. Hon. Gen. Col. Lt. Capt. Sgt. Gov. Sen.
         Rep. Mt. Messrs. vs. cf. fig. figs. vol. vols. approx. dept.
         pp. no. e.g. i.e. viz.; and a single capital letter (an
         initial: J. R. R. Tolkien);
       * an abbreviation that may end a sentence only before a capital
         letter: etc. Jr. Sr. Inc. Ltd. Co. Corp. Bros. Ave. a.m. p.m.
         et al. and every other dotted acronym (U.S., U.K.).
     A blank line (two line breaks with only white space between, or
     U+2029) ends a sentence too, and so does the end of the text: a text
     (or line) with words but no terminal punctuation is one sentence.
     A sentence is counted only if it has at least one word.
   - Syllables: mossa_syllables() below. Polysyllables are words of 3 or
     more syllables (SMOG). Complex words (Gunning fog) are words of 3 or
     more syllables that are not proper nouns (capitalised and not the
     first word of their sentence), not dotted acronyms, and still have 3
     syllables without an inflectional -es, -ed or -ing ending (removing
     the ending drops a syllable only where it is pronounced as one:
     "created" = create + -ed is not complex, "companies" with its silent
     -es is). Hyphenated compounds are already counted as their parts.
   - Syllable counts of words of up to 15 letters are memoised in the
     scanner (a 2-way cache of 4096 words), a pure speed-up.

   Formulas (ASL = words / sentences, ASW = syllables / words):
     flesch_kincaid_grade        0.39 ASL + 11.8 ASW - 15.59
     flesch_reading_ease         206.835 - 1.015 ASL - 84.6 ASW
     automated_readability_index 4.71 characters / words + 0.5 ASL - 21.43
     coleman_liau_index          0.0588 L - 0.296 S - 15.8, L = letters
                                 per 100 words, S = sentences per 100 words
     gunning_fog                 0.4 (ASL + 100 complex_words / words)
     smog                        1.0430 sqrt(polysyllables * 30 / sentences)
                                 + 3.1291
   With no words (hence no sentences) every score is undefined:
   `defined` is 0 and the values are 0 (the CLI prints null). Never NaN.
   --------------------------------------------------------------------- */
#ifdef __cplusplus
extern "C" {
#endif

typedef struct mossa_text_stats {
    uint64_t sentences, words, syllables, letters, polysyllables, complex_words, characters;
} mossa_text_stats;

typedef struct mossa_readability_scores {
    int defined;                /* 0 when there are no words or no sentences */
    double flesch_kincaid_grade;
    double flesch_reading_ease;
    double automated_readability_index;
    double coleman_liau_index;
    double gunning_fog;
    double smog;
} mossa_readability_scores;

/* Streaming scanner. Zero-initialise it or call mossa_text_scanner_init,
   feed chunks (split anywhere, even inside a UTF-8 sequence), then
   finish. The struct is plain data (about 64 KB, no allocation; put it on
   the heap on small stacks): copy it to fork a scan, reuse it after init or
   reset. Fields after the hook are private: a small carry state (under 200
   bytes) plus a memo of the syllable counts of recent words of up to 15
   letters (a pure cache: the counts never depend on it). */
#define MOSSA_TEXT_WORD_MAX 64
#define MOSSA_TEXT_MEMO 4096
typedef struct mossa_text_scanner {
    mossa_text_stats stats;    /* counts of everything completed so far */
    /* Optional hook, set after init: called once per word as it is counted
       with the word lowercased (accents folded, apostrophes kept, acronym
       dots dropped, at most MOSSA_TEXT_WORD_MAX - 1 bytes) and its syllables. */
    void (*on_word)(void *user, const char *word, size_t len, int syllables);
    void *on_word_user;
    uint64_t sent_words_;      /* words since the last sentence end */
    /* the fields read on every byte are 32-bit and not adjacent, so that a
       byte store is never followed by a wider load over it (a stall) */
    uint32_t cp_;              /* partial UTF-8 code point */
    uint32_t tok_;             /* 0 none, 1 word, 2 number */
    uint32_t word_letters_;    /* letters of the word in progress */
    uint32_t pend_;            /* apostrophe / period after a letter */
    uint32_t ovf_groups_;      /* vowel groups past the word buffer */
    uint32_t term_phase_;
    uint8_t cp_need_, cp_len_, cp_min_hi_, cp_max_hi_;
    uint8_t tok_flags_;
    uint8_t seg_;              /* letters in the current dotted segment */
    uint8_t wlen_;             /* bytes in word_ */
    uint8_t term_, newlines_, mid_sent_, prev_word_, ovf_prev_vowel_, no_memo_;
    unsigned char word_[MOSSA_TEXT_WORD_MAX];
    uint64_t memo_[MOSSA_TEXT_MEMO][2];   /* 2-way sets of {word zero-padded to 15 bytes, syllables + 1 in byte 15} */
} mossa_text_scanner;

MOSSA_API void mossa_text_scanner_init(mossa_text_scanner *s);
/* Starts a new text like init, but keeps the word memo and the on_word
   hook: the cheap way to score many short texts (one per line). */
MOSSA_API void mossa_text_scanner_reset(mossa_text_scanner *s);
MOSSA_API void mossa_text_scanner_feed(mossa_text_scanner *s, const char *chunk, size_t len);
/* Completes the pending word and sentence; *stats (may be NULL) gets the
   totals. The scanner then holds the final counts in s->stats; call
   init or reset before reusing it. */
MOSSA_API void mossa_text_scanner_finish(mossa_text_scanner *s, mossa_text_stats *stats);

/* The six formulas from counts (defined = 0 when words or sentences are 0). */
MOSSA_API void mossa_readability_score(const mossa_text_stats *stats,
                                       mossa_readability_scores *scores);

/* Syllables in a word (UTF-8, case-insensitive): vowel groups with
   English corrections (silent e, -ed, -es, syllabic -le/-re, -ism,
   -ion/-ian, hiatus such as i-a, e-o, u-a, prefixes re-/co-/pre-,
   suffixes -ly/-ness/-ment/-ful/-less, y as a vowel, qu/gu) and a
   compact table of CMUdict words whose heuristic count is wrong. A
   dotted acronym is spelled out (U.S. = 2). The input is scanned with the
   rules above, so several words give the sum (well-known = 2) and a
   number gives 0. Returns 0 for NULL or empty input. */
MOSSA_API int mossa_syllables(const char *word, size_t len);

/* Scans a whole text and scores it; either output may be NULL.
   MOSSA_ERR_INVALID_ARGUMENT when text is NULL and len > 0. */
MOSSA_API mossa_status mossa_readability(const char *text, size_t len,
                                         mossa_text_stats *stats,
                                         mossa_readability_scores *scores);

/* One text per line (lines end at '\n'; a final line without '\n' counts
   if it is not empty; "\r\n" is fine since '\r' is white space), as
   needed for per-example scores. Writes min(lines, max_lines) entries of
   stats and/or scores (either may be NULL) and sets *n_lines to the
   number of lines. MOSSA_ERR_TOO_LARGE when there are more lines than
   max_lines (the first max_lines are still written); call with
   max_lines = 0 to count. */
MOSSA_API mossa_status mossa_readability_lines(const char *text, size_t len, size_t max_lines,
                                               mossa_text_stats *stats,
                                               mossa_readability_scores *scores,
                                               size_t *n_lines);

#ifdef __cplusplus
}
#endif
