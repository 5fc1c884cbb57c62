/* text.c - readability. Placeholder until its issue lands. */
MOSSA_DEF int mossa_syllables(const char *word, size_t len) { (void)word; (void)len; return 0; }
MOSSA_DEF mossa_status mossa_readability(const char *text, size_t len, mossa_text_stats *stats,
                                         mossa_readability_scores *scores)
{ (void)text; (void)len; (void)stats; (void)scores; return MOSSA_ERR_NOT_IMPLEMENTED; }
