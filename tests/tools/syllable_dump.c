/* syllable_dump.c - development tool for tests/gen_syllable_table.py:
   reads words (one per line) on stdin and prints "word heuristic hash"
   with the heuristic count WITHOUT the exception table, and the table
   hash, so that the generator can list the words the heuristic misses.
   Build: cc -O2 -I. tests/tools/syllable_dump.c -lm -lpthread */
#define MOSSA_IMPLEMENTATION
#include "mossa.h"
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\r\n"), i;
        unsigned char w[MOSSA_TEXT_WORD_MAX];
        line[n] = 0;
        if (n == 0 || n >= MOSSA_TEXT_WORD_MAX) continue;
        for (i = 0; i < n; ++i) w[i] = (unsigned char)((line[i] >= 'A' && line[i] <= 'Z') ? line[i] + 32 : line[i]);
        printf("%s %d %u\n", line, mossa__syl_word(w, n), (unsigned)mossa__text_hash(w, n));
    }
    return 0;
}
