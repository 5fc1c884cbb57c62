/* cmd_text.c - mossa readability [FILE|-] [--per-line] and mossa syllables WORD...

   readability reads the file (or standard input for "-" or no FILE) in 1 MB
   chunks through the streaming scanner, so memory stays flat for any size.
   Output:
     default              "key value" lines for the whole text
     --json               one JSON object: the counts and the six scores
                          (null when undefined: no words)
     --per-line           one row per input line (a tab-separated table with
                          a header; a line is one example, an empty line
                          gives "-" scores), then nothing else
     --per-line --json    one JSON object {"lines": [{...}, ...], "total": {...}}
                          where each element has the keys of --json and
                          "total" scores the whole text */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

static void print_json_object(const mossa_text_stats *st, const mossa_readability_scores *sc)
{
    const double v[6] = {sc->flesch_kincaid_grade, sc->flesch_reading_ease,
                         sc->automated_readability_index, sc->coleman_liau_index,
                         sc->gunning_fog, sc->smog};
    static const char *const k[6] = {"flesch_kincaid_grade", "flesch_reading_ease",
                                     "automated_readability_index", "coleman_liau_index",
                                     "gunning_fog", "smog"};
    int i;
    printf("{\"sentences\": %llu, \"words\": %llu, \"syllables\": %llu, \"letters\": %llu, "
           "\"characters\": %llu, \"polysyllables\": %llu, \"complex_words\": %llu",
           (unsigned long long)st->sentences, (unsigned long long)st->words,
           (unsigned long long)st->syllables, (unsigned long long)st->letters,
           (unsigned long long)st->characters, (unsigned long long)st->polysyllables,
           (unsigned long long)st->complex_words);
    for (i = 0; i < 6; ++i) {
        printf(", \"%s\": ", k[i]);
        if (sc->defined) cli_json_double(stdout, v[i]);
        else fputs("null", stdout);
    }
    putchar('}');
}

static void print_text(const mossa_text_stats *st, const mossa_readability_scores *sc)
{
    printf("sentences                    %llu\n", (unsigned long long)st->sentences);
    printf("words                        %llu\n", (unsigned long long)st->words);
    printf("syllables                    %llu\n", (unsigned long long)st->syllables);
    printf("letters                      %llu\n", (unsigned long long)st->letters);
    printf("characters                   %llu\n", (unsigned long long)st->characters);
    printf("polysyllables                %llu\n", (unsigned long long)st->polysyllables);
    printf("complex_words                %llu\n", (unsigned long long)st->complex_words);
    if (!sc->defined) {
        printf("scores                       undefined (no words)\n");
        return;
    }
    printf("flesch_kincaid_grade         %.2f\n", sc->flesch_kincaid_grade);
    printf("flesch_reading_ease          %.2f\n", sc->flesch_reading_ease);
    printf("automated_readability_index  %.2f\n", sc->automated_readability_index);
    printf("coleman_liau_index           %.2f\n", sc->coleman_liau_index);
    printf("gunning_fog                  %.2f\n", sc->gunning_fog);
    printf("smog                         %.2f\n", sc->smog);
}

static void print_row(unsigned long long line, const mossa_text_stats *st, const mossa_readability_scores *sc)
{
    printf("%llu\t%llu\t%llu\t%llu", line, (unsigned long long)st->sentences,
           (unsigned long long)st->words, (unsigned long long)st->syllables);
    if (sc->defined)
        printf("\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", sc->flesch_kincaid_grade,
               sc->flesch_reading_ease, sc->automated_readability_index, sc->coleman_liau_index,
               sc->gunning_fog, sc->smog);
    else
        printf("\t-\t-\t-\t-\t-\t-\n");
}

typedef struct line_state {
    mossa_text_scanner sc;
    unsigned long long index;   /* lines emitted */
    int open;                   /* bytes seen since the last newline */
    int json;
} line_state;

static void emit_line(line_state *ls)
{
    mossa_readability_scores r;
    mossa_text_scanner_finish(&ls->sc, NULL);
    mossa_readability_score(&ls->sc.stats, &r);
    if (ls->json) {
        fputs(ls->index ? ",\n  " : "\n  ", stdout);
        print_json_object(&ls->sc.stats, &r);
    } else {
        print_row(ls->index + 1, &ls->sc.stats, &r);
    }
    ls->index++;
    mossa_text_scanner_reset(&ls->sc);
    ls->open = 0;
}

int cmd_readability(int argc, char **argv, const cli_globals *g)
{
    const char *path = NULL;
    int per_line = 0, i;
    FILE *f;
    char *buf;
    mossa_text_scanner whole;
    line_state ls;
    mossa_readability_scores r;
    size_t n;
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--per-line") == 0) per_line = 1;
        else if (argv[i][0] == '-' && argv[i][1] != 0) return cli_usage("readability: unknown option '%s'", argv[i]);
        else if (path) return cli_usage("readability: more than one FILE ('%s')", argv[i]);
        else path = argv[i];
    }
    if (!path || strcmp(path, "-") == 0) { f = stdin; path = "-"; }
    else if (!(f = fopen(path, "rb"))) return cli_error("%s: %s", path, strerror(errno));
    buf = (char *)malloc(CHUNK);
    if (!buf) { if (f != stdin) fclose(f); return cli_error("out of memory"); }
    mossa_text_scanner_init(&whole);
    memset(&ls, 0, sizeof(ls));
    mossa_text_scanner_init(&ls.sc);
    ls.json = g->json;
    if (per_line) {
        if (g->json) fputs("{\"lines\": [", stdout);
        else puts("line\tsentences\twords\tsyllables\tflesch_kincaid_grade\tflesch_reading_ease\t"
                  "automated_readability_index\tcoleman_liau_index\tgunning_fog\tsmog");
    }
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        mossa_text_scanner_feed(&whole, buf, n);
        if (per_line) {
            size_t pos = 0;
            while (pos < n) {
                const char *nl = (const char *)memchr(buf + pos, '\n', n - pos);
                size_t end = nl ? (size_t)(nl - buf) : n;
                mossa_text_scanner_feed(&ls.sc, buf + pos, end - pos);
                if (end > pos) ls.open = 1;
                if (nl) { emit_line(&ls); pos = end + 1; }
                else pos = n;
            }
        }
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        if (f != stdin) fclose(f);
        if (per_line) fflush(stdout);
        return cli_error("%s: %s", path, e ? strerror(e) : "read error");
    }
    free(buf);
    if (f != stdin) fclose(f);
    mossa_text_scanner_finish(&whole, NULL);
    mossa_readability_score(&whole.stats, &r);
    if (per_line) {
        if (ls.open) emit_line(&ls);
        if (g->json) {
            fputs("\n], \"total\": ", stdout);
            print_json_object(&whole.stats, &r);
            fputs("}\n", stdout);
        }
        return CLI_OK;
    }
    if (g->json) { print_json_object(&whole.stats, &r); putchar('\n'); }
    else print_text(&whole.stats, &r);
    return CLI_OK;
}

int cmd_syllables(int argc, char **argv, const cli_globals *g)
{
    int i;
    if (argc < 2) return cli_usage("syllables: give at least one WORD");
    if (g->json) {
        printf("{\"words\": [");
        for (i = 1; i < argc; ++i) {
            if (i > 1) fputs(", ", stdout);
            cli_json_string(stdout, argv[i]);
        }
        printf("], \"syllables\": [");
        for (i = 1; i < argc; ++i)
            printf("%s%d", i > 1 ? ", " : "", mossa_syllables(argv[i], strlen(argv[i])));
        printf("]}\n");
        return CLI_OK;
    }
    for (i = 1; i < argc; ++i) printf("%d\n", mossa_syllables(argv[i], strlen(argv[i])));
    return CLI_OK;
}
