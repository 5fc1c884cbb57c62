/* ---------------------------------------------------------------------
   Readability (impl/text.c)
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

/* Syllables in one word (case-insensitive, UTF-8). */
MOSSA_API int mossa_syllables(const char *word, size_t len);
/* Scans a whole text and scores it; either output may be NULL. */
MOSSA_API mossa_status mossa_readability(const char *text, size_t len,
                                         mossa_text_stats *stats,
                                         mossa_readability_scores *scores);

#ifdef __cplusplus
}
#endif
