/* text.c - streaming UTF-8 text scanner, English syllable counter and
   readability formulas. The rules are documented at the top of text.h.

   Speed: the scanner is a byte state machine with a fast path that copies
   runs of ASCII letters (lowercased) straight into the word buffer; each
   word is counted once when it ends (vowel groups + corrections, then one
   probe of the exception table through a bucketed 32-bit hash), so there
   is no allocation and no per-word search. */

/* ---- character classes ------------------------------------------------ */
enum {
    MOSSA__C_OTHER = 0, MOSSA__C_LOWER, MOSSA__C_UPPER, MOSSA__C_DIGIT, MOSSA__C_SPACE,
    MOSSA__C_NL, MOSSA__C_PERIOD, MOSSA__C_STRONG, MOSSA__C_APOS, MOSSA__C_CLOSE,
    MOSSA__C_HYPHEN, MOSSA__C_MARK, MOSSA__C_PARA
};
/* tok_flags_ */
#define MOSSA__TF_CAP 1u       /* first letter uppercase */
#define MOSSA__TF_INITIAL 2u   /* first word of its sentence */
#define MOSSA__TF_ACRONYM 4u   /* dotted single-letter segments (U.S.) */
#define MOSSA__TF_OVF 8u       /* longer than the word buffer */
/* pend_ */
#define MOSSA__PEND_APOS 1
#define MOSSA__PEND_PERIOD 2
/* term_: pending terminal punctuation, by how it may end a sentence */
#define MOSSA__T_PLAIN 1       /* ends unless a lowercase letter follows */
#define MOSSA__T_NEVER 2       /* title abbreviation or initial: never ends */
#define MOSSA__T_CAPITAL 3     /* etc., a.m., U.S.: ends only before a capital */
#define MOSSA__T_STRONG 4      /* ! ? ... : ends unless a lowercase letter follows */
/* term_phase_ */
#define MOSSA__PH_AFTER 1      /* right after the terminal run (quotes may follow) */
#define MOSSA__PH_SPACE 2      /* white space seen; the next visible character decides */

/* ASCII classes; letters are also folded through mossa__text_lower. */
static const unsigned char mossa__text_ascii[128] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 4, 4, 4, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* ' '  */ 4, 7, 9, 0, 0, 0, 0, 8, 0, 9, 0, 0, 0, 10, 6, 0,
    /* '0'  */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 7,
    /* '@'  */ 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 'P'  */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 9, 0, 0,
    /* '`'  */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 'p'  */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 9, 0, 0
};

/* Latin-1 letters U+00C0..U+00FF folded to the ASCII letter used for
   syllables ('E' = an accented e that is always pronounced, as in café;
   'A' = a vowel that is a syllable on its own, as the diaeresis marks in
   naïve and Zoë; '#' = a consonant-like letter); 0 = not a letter (U+00D7, U+00F7). */
static const char mossa__text_latin1[64] = {
    'a','a','a','a','a','a','a','c','e','E','e','A','i','i','i','A',
    'd','n','o','o','o','o','o', 0 ,'o','u','u','u','u','y','#','s',
    'a','a','a','a','a','a','a','c','e','E','e','A','i','i','i','A',
    'd','n','o','o','o','o','o', 0 ,'o','u','u','u','u','y','#','y'
};

/* Class of a non-ASCII code point; *fold gets the syllable byte of a letter. */
static int mossa__text_class_cp(uint32_t cp, unsigned char *fold)
{
    *fold = '#';
    if (cp < 0xC0) {
        if (cp == 0x85) return MOSSA__C_NL;
        if (cp == 0xA0) return MOSSA__C_SPACE;
        if (cp == 0xAD) return MOSSA__C_MARK;                    /* soft hyphen */
        if (cp == 0xAA || cp == 0xBA) { *fold = cp == 0xAA ? 'a' : 'o'; return MOSSA__C_LOWER; }
        if (cp == 0xB5) return MOSSA__C_LOWER;
        if (cp == 0xBB) return MOSSA__C_CLOSE;                   /* » */
        return MOSSA__C_OTHER;
    }
    if (cp < 0x100) {
        char f = mossa__text_latin1[cp - 0xC0];
        if (!f) return MOSSA__C_OTHER;
        *fold = (unsigned char)f;
        return (cp < 0xDF) ? MOSSA__C_UPPER : MOSSA__C_LOWER;
    }
    if (cp < 0x250) {                                            /* Latin Extended-A/B */
        static const char base[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        if (cp < 0x180) {
            int upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) ? (cp & 1) : !(cp & 1);
            if (cp == 0x178) upper = 1;
            if (cp == 0x138 || cp == 0x149 || cp == 0x17F) upper = 0;
            if (cp - 0x100 < sizeof(base) - 1) *fold = (unsigned char)base[cp - 0x100];
            return upper ? MOSSA__C_UPPER : MOSSA__C_LOWER;
        }
        return MOSSA__C_LOWER;
    }
    if (cp < 0x2B0) return MOSSA__C_LOWER;                       /* IPA */
    if (cp >= 0x300 && cp < 0x370) return MOSSA__C_MARK;         /* combining diacritics */
    if (cp >= 0x370 && cp < 0x530) {                             /* Greek, Cyrillic */
        if (cp == 0x37E || cp == 0x387 || (cp >= 0x482 && cp <= 0x489)) return MOSSA__C_OTHER;
        if ((cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x400 && cp <= 0x42F) || cp == 0x386 ||
            (cp >= 0x388 && cp <= 0x38F)) {
            uint32_t low = cp >= 0x400 ? (cp < 0x410 ? cp + 0x50 : cp + 0x20) : cp + 0x20;
            if (low == 0x3B1 || low == 0x3B5 || low == 0x3B7 || low == 0x3B9 || low == 0x3BF ||
                low == 0x3C5 || low == 0x3C9 || low == 0x430 || low == 0x435 || low == 0x438 ||
                low == 0x43E || low == 0x443 || low == 0x44B || low == 0x44D || low == 0x44E ||
                low == 0x44F || low == 0x451 || cp == 0x386 || (cp >= 0x388 && cp <= 0x38F))
                *fold = 'A';
            return MOSSA__C_UPPER;
        }
        if (cp == 0x3B1 || cp == 0x3B5 || cp == 0x3B7 || cp == 0x3B9 || cp == 0x3BF ||
            cp == 0x3C5 || cp == 0x3C9 || (cp >= 0x3AC && cp <= 0x3AF) || cp == 0x3CC ||
            cp == 0x3CD || cp == 0x3CE || cp == 0x430 || cp == 0x435 || cp == 0x438 ||
            cp == 0x43E || cp == 0x443 || cp == 0x44B || cp == 0x44D || cp == 0x44E ||
            cp == 0x44F || cp == 0x451)
            *fold = 'A';
        return MOSSA__C_LOWER;
    }
    if ((cp >= 0x531 && cp <= 0x587) || (cp >= 0x5D0 && cp <= 0x5EA) ||
        (cp >= 0x620 && cp <= 0x64A) || (cp >= 0x900 && cp <= 0xDFF) ||
        (cp >= 0xE00 && cp <= 0xE7F) || (cp >= 0x10A0 && cp <= 0x10FF) ||
        (cp >= 0x1E00 && cp <= 0x1FFF))
        return MOSSA__C_LOWER;
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3)) {
        *fold = 'A';                                             /* one syllable each */
        return MOSSA__C_LOWER;
    }
    if ((cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
        cp == 0x1680)
        return MOSSA__C_SPACE;
    if (cp == 0x2028) return MOSSA__C_NL;
    if (cp == 0x2029) return MOSSA__C_PARA;
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) return MOSSA__C_MARK;
    if (cp == 0x2019) return MOSSA__C_APOS;
    if (cp == 0x2010 || cp == 0x2011) return MOSSA__C_HYPHEN;
    if (cp == 0x2026 || cp == 0x203C || (cp >= 0x2047 && cp <= 0x2049) || cp == 0xFF01 ||
        cp == 0xFF1F || cp == 0x3002)
        return MOSSA__C_STRONG;
    if (cp == 0x201D || cp == 0x203A || cp == 0xFF09 || cp == 0x300D || cp == 0x300F)
        return MOSSA__C_CLOSE;
    return MOSSA__C_OTHER;
}

/* ---- exception table --------------------------------------------------- */
/* 32-bit hash of the lowercased word (ASCII letters and apostrophes), the
   same function as tests/gen_syllable_table.py computes. */
static uint32_t mossa__text_hash(const unsigned char *w, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    size_t i = 0, j;
    while (i < n) {
        uint64_t x = 0;
        for (j = 0; j < 8 && i + j < n; ++j) x |= (uint64_t)w[i + j] << (8 * j);
        h = (h ^ x) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
        i += 8;
    }
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 29;
    return (uint32_t)(h >> 32);
}

/* BEGIN GENERATED SYLLABLE TABLE (tests/gen_syllable_table.py) */
#define MOSSA__SYL_N 0
static const uint16_t mossa__syl_bucket[4097] = {0};
static const uint32_t mossa__syl_keys[1] = {0};
static const uint8_t mossa__syl_delta[1] = {0};
/* END GENERATED SYLLABLE TABLE */

/* Correction for a word from the table (0 when absent). Buckets are the
   top 12 bits of the hash; keys within a bucket are sorted. */
static int mossa__syl_exception(const unsigned char *w, size_t n)
{
    uint32_t h = mossa__text_hash(w, n);
    unsigned b = h >> 20, k, end;
    if (MOSSA__SYL_N == 0) return 0;
    for (k = mossa__syl_bucket[b], end = mossa__syl_bucket[b + 1]; k < end; ++k) {
        if (mossa__syl_keys[k] == h) {
            int code = (mossa__syl_delta[k >> 2] >> (2 * (k & 3))) & 3;
            return code < 2 ? code - 2 : code - 1;
        }
        if (mossa__syl_keys[k] > h) break;
    }
    return 0;
}

/* ---- syllable heuristic ------------------------------------------------ */
static int mossa__syl_isvowel_byte(unsigned char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'E' || c == 'A';
}

static int mossa__syl_in(unsigned char c, const char *set)
{
    for (; *set; ++set) if ((unsigned char)*set == c) return 1;
    return 0;
}

/* Is there a syllable boundary between the vowels at i and i+1 (hiatus)?
   w is lowercase letters only, v[] marks the letters acting as vowels. */
static int mossa__syl_split(const unsigned char *w, const unsigned char *v, size_t n, size_t i)
{
    unsigned char a = w[i], b = w[i + 1];
    unsigned char p = i > 0 ? w[i - 1] : 0;
    unsigned char nx = i + 2 < n ? w[i + 2] : 0;
    unsigned char n3 = i + 3 < n ? w[i + 3] : 0;
    int at_end = (i + 2 == n);
    int earlier = 0;                       /* a vowel before this group */
    size_t k;
    for (k = 0; k + 1 < i; ++k) if (v[k]) { earlier = 1; break; }
    if (i > 0 && !v[i - 1] && !earlier) { for (k = 0; k < i; ++k) if (v[k]) { earlier = 1; break; } }
    if (a == 'A' || b == 'A' || a == 'E' || b == 'E') return 1;
    if (a == 'y') {                         /* vowel y after a consonant: fly-ing, dry-er */
        if (b == 'e' && (at_end || (i + 3 == n && (nx == 's' || nx == 'd')))) return 0;
        return 1;
    }
    if (b == 'y') return 0;
    /* -ing after a vowel is its own syllable: be-ing, go-ing, continu-ing */
    if (b == 'i' && nx == 'n' && n3 == 'g' &&
        (i + 4 == n || (i + 5 == n && w[i + 4] == 's') ||
         (i + 6 == n && w[i + 4] == 'l' && w[i + 5] == 'y')))
        return 1;
    if (a == 'e' && i == 1 && w[0] == 'r' && n >= 5 && ((b == 'e' && n >= 7) || b == 'u' ||
                                                       (b == 'a' && ((nx == 't' && n3 == 't') || (nx == 'n' && n3 == 'a')))))
        return 1;                           /* re-enter, reuse, reattach */
    if (a == 'e' && i == 2 && w[0] == 'p' && w[1] == 'r' && n >= 6 &&
        (b == 'e' || b == 'i' || b == 'o' || (b == 'a' && nx != 'c')))
        return 1;                           /* preempt, preoccupied */
    switch (a) {
    case 'i':
        if (b == 'a') {
            if ((mossa__syl_in(p, "ctsgx") || (p == 'h' && i >= 2 && (w[i - 2] == 's' || w[i - 2] == 'c'))) &&
                (at_end || nx == 'l' || nx == 'n' || (nx == 's' && i + 3 == n)))
                return 0;                   /* special, initial, Asian, Asia */
            if (p == 'r' && nx == 'g' && n3 == 'e') return 0;       /* marriage */
            if (p == 'l' && nx == 'r' && i >= 2) return 0;          /* familiar */
            if (p == 'l' && i >= 2 && v[i - 2] &&
                (at_end || ((nx == 'n' || nx == 's') && i + 3 == n) || (nx == 'n' && n3 == 's' && i + 4 == n)))
                return 0;                   /* Julia, Italian */
            return 1;
        }
        if (b == 'o') {
            int sh = mossa__syl_in(p, "ctsxg") || (p == 'h' && i >= 2 && (w[i - 2] == 's' || w[i - 2] == 'c'));
            if (sh && (nx == 'n' || (nx == 'u' && n3 == 's'))) return 0;  /* -tion, -cious */
            if ((p == 'l' || p == 'n') && nx == 'n' && i >= 2) return 0;  /* million, onion */
            if (nx == 'r' && (p == 'v' || p == 'n')) return 0;           /* behavior, senior */
            return 1;
        }
        if (b == 'u') return 1;             /* medium */
        if (b == 'e') {
            if (nx == 't') return 1;        /* quiet, society */
            if (nx == 'n' && (n3 == 't' || n3 == 'c')) {
                int sci = (i == 2 && w[0] == 's' && w[1] == 'c');
                if ((p == 'c' || p == 't') && !sci) return 0;       /* patient, ancient */
                return 1;                   /* client, science, experience */
            }
            if (nx == 'r' && i + 3 == n && p && v[i - 1]) return 1;                 /* Meier */
            if (earlier && p && !v[i - 1]) {
                if (nx == 'r' && (i + 3 == n || (i + 4 == n && n3 == 's'))) return 1;   /* happier */
                if (nx == 's' && n3 == 't' && i + 4 == n) return 1;                  /* happiest */
                if (nx == 't' ) return 1;
            }
            return 0;
        }
        if (b == 'i') return 1;
        return 0;
    case 'e':
        if (b == 'a') {
            if (p == 'e') return 1;                                   /* agreeable */
            if (earlier && (at_end || (i + 3 == n && nx == 's'))) return 1;    /* idea, area */
            if (earlier && nx == 'n' && (i + 3 == n || (i + 4 == n && n3 == 's')) && p != 'c' && p != 'g')
                return 1;                                             /* European */
            if (i == 1 && w[0] == 'r') {                               /* re- prefix */
                if (nx == 'c' && n3 != 'h') return 1;                 /* react */
                if (nx == 'f' && n3 == 'f') return 1;
                if (nx == 's' && n3 == 's') return 1;
                if (nx == 'd' && n3 == 'j') return 1;
                if (nx == 'p' && n3 == 'p') return 1;
                if (nx == 'l' && n3 == 'i') return 1;                 /* reality, realize */
                if (nx == 'r' && (n3 == 'r' || n3 == 'm')) return 1;
                if (nx == 'w' || nx == 'b') return 1;
            }
            if (i == 2 && w[0] == 'c' && w[1] == 'r' && nx == 't' && !(n3 == 'u' && i + 4 < n && w[i + 4] == 'r'))
                return 1;                                             /* create, not creature */
            if (i == 2 && w[0] == 't' && w[1] == 'h') return 1;        /* theater */
            return 0;
        }
        if (b == 'o') {
            if (p == 'g' && i >= 2 && (nx == 'n' || nx == 'u')) return 0;      /* pigeon, gorgeous */
            if (p == 'c' && nx == 'u') return 0;                       /* herbaceous */
            if (i == 1 && nx == 'p' && (w[0] == 'p' || w[0] == 'l' || w[0] == 'j')) return 0;  /* people */
            if (i == 1 && w[0] == 'y') return 0;
            if (i == 1 && w[0] == 'g' && nx == 'r') return 0;          /* George */
            return 1;
        }
        if (b == 'i') {
            if (nx == 't' && n3 == 'y') return 1;                      /* deity */
            if (i == 1 && w[0] == 'r' &&
                ((nx == 'n' && (n3 == 'c' || n3 == 'f' || n3 == 's' || n3 == 'v')) || nx == 'm' ||
                 nx == 't' || nx == 's'))
                return 1;                                              /* reinforce */
            if (i >= 2 && nx == 's' && (n3 == 't' || n3 == 'm')) return 1;   /* atheist */
            return 0;
        }
        if (b == 'u') {
            if (nx == 'm') return 1;                                   /* museum */
            if (earlier && nx == 's' && i + 3 == n) return 1;  /* nucleus */
            return 0;
        }
        return 0;
    case 'u':
        if (b == 'a') {
            if (p == 's' && (nx == 'd' || nx == 'v' || nx == 's')) return 0;  /* persuade */
            return 1;                                                  /* actual, usual */
        }
        if (b == 'e') return (nx == 'l' || nx == 'n' || nx == 't' || nx == 'r') ? 1 : 0;  /* cruel, fluent */
        if (b == 'i') {
            if (nx == 'd' || (nx == 'n' && p != 'g')) return 1;         /* fluid, ruin, genuine */
            if (nx == 't' && (n3 == 'y' || n3 == 'i')) return 1;        /* ambiguity, tuition */
            if (nx == 's' && (n3 == 'm' || n3 == 't')) return 1;        /* altruism */
            if (nx == 'c' && n3 == 'i') return 1;                       /* suicide */
            return 0;
        }
        if (b == 'o') return 1;                                        /* duo, continuous */
        return 0;
    case 'o':
        if (b == 'a') {
            if (i == 1 && w[0] == 'c' && ((nx == 'l' && (n3 == 'i' || n3 == 'e')) || nx == 'u'))
                return 1;                                              /* coalition */
            return 0;
        }
        if (b == 'e') return (nx == 'm' || nx == 't' || nx == 'x' || nx == 'r' || nx == 'l') ? 1 : 0;  /* poem, poet */
        if (b == 'i') {
            if (nx == 'c') return 1;                                   /* heroic */
            if (i == 1 && w[0] == 'c' && nx == 'n' && n3 == 'c') return 1;    /* coincide */
            return 0;
        }
        if (b == 'o') {
            if (i == 1 && w[0] == 'c' && ((nx == 'p' && n3 == 'e') || (nx == 'r' && n3 == 'd'))) return 1;
            if (i == 1 && w[0] == 'z' && nx == 'l') return 1;          /* zoology */
            return 0;
        }
        return 0;
    case 'a':
        if (b == 'i' && nx == 'c') return 1;                           /* mosaic */
        if (b == 'o') return (p == 'h' && i >= 2 && w[i - 2] == 'c') ? 1 : 0;   /* chaos, but Mao */
        return 0;
    default:
        return 0;
    }
}

/* Syllables of a lowercase word (letters only, no apostrophes), n >= 1. */
static int mossa__syl_core(const unsigned char *w, size_t n)
{
    unsigned char v[MOSSA_TEXT_WORD_MAX];
    size_t i, fv = n, dropped;
    int g = 0;
    unsigned char c1, c2;
    for (i = 0; i < n; ++i) {
        unsigned char c = w[i];
        int isv = mossa__syl_isvowel_byte(c);
        if (c == 'u' && i > 0 && w[i - 1] == 'q') isv = 0;
        else if (c == 'u' && i > 0 && w[i - 1] == 'g' && i + 1 < n &&
                 mossa__syl_in(w[i + 1], "aeio") &&
                 !(w[i + 1] == 'o' && i + 2 < n && w[i + 2] == 'u') &&
                 !(w[i + 1] == 'i' && i + 2 < n && w[i + 2] == 't'))
            isv = 0;                                   /* guard, guess, league */
        else if (c == 'y') {
            int next_v = i + 1 < n && mossa__syl_in(w[i + 1], "aeiou");
            if (i == 0) isv = !next_v;                 /* yes */
            else if (v[i - 1]) isv = !next_v;          /* player: y between vowels */
            else if (next_v && (w[i - 1] == 'w' ||
                                (i + 3 < n && ((w[i + 1] == 'a' && w[i + 2] == 'r' && w[i + 3] == 'd') ||
                                               (w[i + 1] == 'e' && w[i + 2] == 'a' && w[i + 3] == 'r'))) ||
                                (i + 2 < n && w[i + 1] == 'o' && w[i + 2] == 'u')))
                isv = 0;                               /* lawyer, stockyard, payout */
            else isv = 1;
        }
        v[i] = (unsigned char)isv;
        if (isv && fv == n) fv = i;
    }
    if (fv == n) {
        /* no vowel: spelled out (tv, html, www) */
        for (i = 0; i < n; ++i) g += (w[i] == 'w') ? 3 : 1;
        return g;
    }
    for (i = 0; i < n; ++i)
        if (v[i] && (i == 0 || !v[i - 1] || mossa__syl_split(w, v, n, i - 1))) ++g;

    c1 = n >= 2 ? w[n - 2] : 0;
    /* silent final e; syllabic -le and -re after a consonant (table, acre) */
    if (n >= 3 && w[n - 1] == 'e' && !v[n - 2] && fv < n - 2) {
        c2 = w[n - 3];
        if (!((c1 == 'l' || c1 == 'r') && !v[n - 3] && c2 != c1 && c2 != 'w'))
            --g;
    }
    /* -es and -ed: silent unless after a sibilant (boxes) or t/d (wanted) */
    if (n >= 4 && w[n - 2] == 'e' && (w[n - 1] == 's' || w[n - 1] == 'd') && !v[n - 3] && fv < n - 3) {
        unsigned char s1 = w[n - 3], s2 = w[n - 4];
        int syllabic = (s1 == 'l' || s1 == 'r') && !v[n - 4] && s2 != s1 && s2 != 'w';
        int pron;
        if (w[n - 1] == 's')
            pron = mossa__syl_in(s1, "szxcg") || (s1 == 'h' && (s2 == 'c' || s2 == 's')) || syllabic;
        else
            pron = s1 == 't' || s1 == 'd' || syllabic;
        if (!pron) --g;
    }
    /* silent e before a suffix: lovely, movement, hopeful, careless */
    dropped = n;
    {
        static const char *const suf[] = {"ly", "ness", "ment", "ments", "ful", "fully", "less",
                                          "lessly", "lessness", "nesses"};
        size_t s;
        for (s = 0; s < sizeof(suf) / sizeof(suf[0]); ++s) {
            size_t L = strlen(suf[s]);
            if (n >= L + 4 && memcmp(w + n - L, suf[s], L) == 0) {
                size_t j = n - L - 1;          /* the e */
                if (w[j] == 'e' && !v[j - 1] && fv < j - 1 &&
                    !((w[j - 1] == 'l' || w[j - 1] == 'r') && !v[j - 2] && w[j - 2] != w[j - 1])) {
                    --g;
                    dropped = j;
                }
                break;
            }
        }
    }
    /* -ically: the -al- is silent (basically = B EY S IH K L IY) */
    if (n >= 7 && memcmp(w + n - 6, "ically", 6) == 0) --g;
    /* Italian/Spanish final e after -nt and -ion (Dante, Monte, Simone) */
    if (n >= 5 && w[n - 1] == 'e' && ((w[n - 2] == 't' && w[n - 3] == 'n') ||
                                      (w[n - 2] == 'n' && w[n - 3] == 'o' && w[n - 4] == 'i')))
        ++g;
    /* Mc- has a vowel of its own (McCarthy = M AH K ...) */
    if (n >= 4 && w[0] == 'm' && w[1] == 'c' && !v[2]) ++g;
    /* silent e closing the first part of a compound: homework, wideman */
    {
        static const char *const part[] = {"man", "men", "wood", "work", "works", "ward", "wards",
            "way", "ways", "ville", "land", "house", "town", "stone", "side", "craft", "walk",
            "face", "sight", "like", "making", "maker", "makers", "well", "boat", "ship", "time",
            "times", "place", "where", "thing", "things", "one", "body", "keeper", "keeping",
            "water", "ground", "book", "books", "shore", "line", "lines", "light", "room"};
        size_t s2;
        for (s2 = 0; s2 < sizeof(part) / sizeof(part[0]); ++s2) {
            size_t L = strlen(part[s2]);
            if (n >= L + 4 && memcmp(w + n - L, part[s2], L) == 0) {
                size_t j = n - L - 1;
                if (w[j] == 'e' && !v[j - 1] && j >= 2 && v[j - 2] && fv < j - 1 && dropped != j) {
                    --g;
                    dropped = j;
                }
                break;
            }
        }
    }
    /* silent e closing a first part we know: forecast, something, therefore */
    {
        static const char *const head[] = {"fore", "home", "care", "game", "gate", "case", "house",
            "some", "life", "time", "safe", "like", "store", "stone", "whole", "there", "here",
            "where", "grape", "base", "space", "side", "wide", "code", "state", "place", "peace",
            "price", "nine", "five", "love", "note", "name", "hope", "make", "take", "wire", "lime",
            "eye", "tape", "shore", "horse", "bone", "face", "race", "rose", "wine", "line", "lone",
            "pipe", "rope", "cake", "lake", "mile", "tide", "wave", "vine", "file", "type", "grave",
            "tube", "bike", "smoke", "stove", "fine", "pine", "whale", "scare", "sale", "tale",
            "true", "blue", "glove", "drive", "slave", "brake", "spoke", "shape", "trade"};
        size_t h2;
        for (h2 = 0; h2 < sizeof(head) / sizeof(head[0]); ++h2) {
            size_t L = strlen(head[h2]);
            if (n >= L + 3 && memcmp(w, head[h2], L) == 0) {
                size_t j = L - 1, k2;
                int vow = 0;
                for (k2 = L; k2 < n; ++k2) vow |= v[k2];
                if (!v[L] && vow && !(w[L] == 'v' && w[L + 1] == 'e') && dropped != j &&
                    w[j] == 'e' && !v[j - 1]) {
                    --g;
                    dropped = j;
                }
                break;
            }
        }
    }
    /* -ism, -asm, -thm: a syllabic m (criticism, enthusiasm, rhythm) */
    if (n >= 3 && w[n - 1] == 'm' && ((w[n - 2] == 's' && v[n - 3]) || (w[n - 2] == 'h' && w[n - 3] == 't')))
        ++g;
    else if (n >= 4 && w[n - 1] == 's' && w[n - 2] == 'm' &&
             ((w[n - 3] == 's' && v[n - 4]) || (w[n - 3] == 'h' && w[n - 4] == 't')))
        ++g;
    /* -ire(s|d): fire, desire, tired are two vowels in CMUdict (AY ER) */
    {
        size_t e = n;
        if (n >= 4 && (w[n - 1] == 's' || w[n - 1] == 'd') && w[n - 2] == 'e') e = n - 1;
        if (e >= 4 && w[e - 1] == 'e' && w[e - 2] == 'r' && w[e - 3] == 'i' && !v[e - 4] &&
            !(e >= 5 && w[e - 4] == 'h' && w[e - 5] == 's'))
            ++g;
    }
    return g < 1 ? 1 : g;
}

/* Syllables of a scanned word: lowercase ASCII letters, apostrophes and
   the fold bytes 'E', 'A', '#'. */
static int mossa__syl_word(const unsigned char *w, size_t n)
{
    unsigned char buf[MOSSA_TEXT_WORD_MAX];
    size_t m = 0, i, last_apos = n;
    int g, extra = 0;
    for (i = 0; i < n; ++i) {
        if (w[i] == '\'') last_apos = m;
        else buf[m++] = w[i];
    }
    if (m == 0) return 1;
    /* clitics: 's after a sibilant, n't / 'll / 'd / 've / 're after a consonant add a vowel */
    if (last_apos < m && last_apos > 0) {
        size_t tail = m - last_apos;
        unsigned char before = buf[last_apos - 1];
        int cons = !mossa__syl_isvowel_byte(before);
        if (tail == 1 && buf[last_apos] == 's') {
            unsigned char b2 = last_apos >= 2 ? buf[last_apos - 2] : 0;
            if (mossa__syl_in(before, "szx") || (before == 'h' && (b2 == 'c' || b2 == 's')) ||
                (before == 'e' && mossa__syl_in(b2, "cgsz")))
                extra = 1;
            m = last_apos;
        } else if (tail == 1 && buf[last_apos] == 't' && before == 'n' && last_apos >= 2) {
            if (!mossa__syl_isvowel_byte(buf[last_apos - 2])) extra = 1;   /* didn't, couldn't */
            m = last_apos;             /* syllables of "couldn", "did" + n */
        } else if ((tail == 2 && buf[last_apos] == 'l' && buf[last_apos + 1] == 'l') ||
                   (tail == 1 && (buf[last_apos] == 'd' || buf[last_apos] == 'm')) ||
                   (tail == 2 && buf[last_apos + 1] == 'e' &&
                    (buf[last_apos] == 'v' || buf[last_apos] == 'r'))) {
            if (cons) extra = 1;
            m = last_apos;
        }
    }
    g = mossa__syl_core(buf, m);
    return g + extra;
}

/* Full count for a word buffer: heuristic plus table correction. */
static int mossa__syl_count(const unsigned char *w, size_t n)
{
    int g = mossa__syl_word(w, n) + mossa__syl_exception(w, n);
    return g < 1 ? 1 : g;
}

/* ---- the scanner -------------------------------------------------------- */
static int mossa__text_abbrev(const mossa_text_scanner *s)
{
    static const char never[] = " mr ms dr st lt mt vs cf pp rev hon gen col sgt gov sen rep fig vol viz "
                                "mrs prof capt dept figs vols approx messrs mme mlle eqs eq ";
    static const char capital[] = " etc jr sr co inc ltd ave corp bros al blvd esq ";
    char key[12];
    size_t n = s->wlen_;
    if (s->tok_flags_ & MOSSA__TF_ACRONYM) {
        if (n == 2 && ((s->word_[0] == 'e' && s->word_[1] == 'g') || (s->word_[0] == 'i' && s->word_[1] == 'e')))
            return MOSSA__T_NEVER;
        return MOSSA__T_CAPITAL;
    }
    if (n == 1 && s->word_letters_ == 1 && (s->tok_flags_ & MOSSA__TF_CAP)) return MOSSA__T_NEVER;
    if (n == 0 || n > 8 || s->word_letters_ != n) return MOSSA__T_PLAIN;
    key[0] = ' ';
    memcpy(key + 1, s->word_, n);
    key[n + 1] = ' ';
    key[n + 2] = 0;
    if (n == 2 && key[1] == 'n' && key[2] == 'o') return (s->tok_flags_ & MOSSA__TF_CAP) ? MOSSA__T_NEVER : MOSSA__T_PLAIN;
    if (strstr(never, key)) return MOSSA__T_NEVER;
    if (strstr(capital, key)) return MOSSA__T_CAPITAL;
    return MOSSA__T_PLAIN;
}

static void mossa__text_sentence_end(mossa_text_scanner *s)
{
    if (s->sent_words_) { s->stats.sentences++; s->sent_words_ = 0; }
    s->mid_sent_ = 0;              /* 0 = at the start of a sentence */
}

static void mossa__text_end_word(mossa_text_scanner *s)
{
    if (s->tok_ == 1) {
        unsigned f = s->tok_flags_;
        int syl;
        if (f & MOSSA__TF_ACRONYM) {
            size_t i;
            syl = 0;
            for (i = 0; i < s->wlen_; ++i) syl += (s->word_[i] == 'w') ? 3 : 1;
        } else {
            syl = mossa__syl_count(s->word_, s->wlen_) + (int)s->ovf_groups_;
        }
        s->stats.words++;
        s->stats.letters += s->word_letters_;
        s->stats.syllables += (uint64_t)syl;
        if (syl >= 3) {
            s->stats.polysyllables++;
            if (!(f & MOSSA__TF_ACRONYM) && !((f & MOSSA__TF_CAP) && !(f & MOSSA__TF_INITIAL))) {
                const unsigned char *w = s->word_;
                size_t n = s->wlen_;
                int stem = syl;
                if (n >= 5 && !(f & MOSSA__TF_OVF)) {
                    if (w[n - 3] == 'i' && w[n - 2] == 'n' && w[n - 1] == 'g') stem = syl - 1;
                    else if (w[n - 2] == 'e' && w[n - 1] == 'd' && (w[n - 3] == 't' || w[n - 3] == 'd')) stem = syl - 1;
                    else if (w[n - 2] == 'e' && w[n - 1] == 's' &&
                             (mossa__syl_in(w[n - 3], "sxzcg") || (w[n - 3] == 'h' && (w[n - 4] == 'c' || w[n - 4] == 's'))))
                        stem = syl - 1;
                }
                if (stem >= 3) s->stats.complex_words++;
            }
        }
        s->sent_words_++;
        s->prev_word_ = 1;
        if (s->on_word) s->on_word(s->on_word_user, (const char *)s->word_, s->wlen_, syl);
    }
    s->tok_ = 0;
}

/* A visible character after "terminal + white space" decides the sentence. */
static void mossa__text_decide(mossa_text_scanner *s, int cls)
{
    int t = s->term_;
    s->term_ = 0;
    s->term_phase_ = 0;
    if (cls == MOSSA__C_LOWER || t == MOSSA__T_NEVER) return;
    if (t == MOSSA__T_CAPITAL && cls != MOSSA__C_UPPER) return;
    mossa__text_sentence_end(s);
}

static void mossa__text_terminal(mossa_text_scanner *s, int kind)
{
    if (s->term_phase_ == MOSSA__PH_AFTER) {        /* a run: ?!, ..., etc.. */
        s->term_ = MOSSA__T_STRONG;
        return;
    }
    if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, MOSSA__C_OTHER);
    s->term_ = (uint8_t)kind;
    s->term_phase_ = MOSSA__PH_AFTER;
}

static void mossa__text_put(mossa_text_scanner *s, unsigned char c)
{
    if (s->wlen_ < MOSSA_TEXT_WORD_MAX - 1 && !(s->tok_flags_ & MOSSA__TF_OVF)) {
        s->word_[s->wlen_++] = c;
    } else {
        int vw = mossa__syl_isvowel_byte(c);
        s->tok_flags_ |= MOSSA__TF_OVF;
        if (vw && !s->ovf_prev_vowel_) s->ovf_groups_++;
        s->ovf_prev_vowel_ = (uint8_t)vw;
    }
}

/* One code point of class cls (fold = syllable byte for letters). */
static void mossa__text_cp(mossa_text_scanner *s, int cls, unsigned char fold)
{
    if (cls == MOSSA__C_MARK) return;
    if (s->pend_) {
        int p = s->pend_;
        s->pend_ = 0;
        if (cls == MOSSA__C_LOWER || cls == MOSSA__C_UPPER) {
            if (p == MOSSA__PEND_APOS) { mossa__text_put(s, '\''); s->seg_ = 2; }
            else { s->tok_flags_ |= MOSSA__TF_ACRONYM; s->seg_ = 0; }
        } else {
            mossa__text_end_word(s);
            if (p == MOSSA__PEND_APOS) {
                s->prev_word_ = 0;
                mossa__text_cp(s, MOSSA__C_CLOSE, 0);
            } else {
                mossa__text_terminal(s, mossa__text_abbrev(s));
                s->prev_word_ = 0;
            }
        }
    }
    switch (cls) {
    case MOSSA__C_LOWER:
    case MOSSA__C_UPPER:
        s->stats.characters++;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->tok_ == 2) return;
        if (s->tok_ == 0) {
            s->tok_ = 1;
            s->tok_flags_ = (uint8_t)((cls == MOSSA__C_UPPER ? MOSSA__TF_CAP : 0) |
                                      (s->mid_sent_ ? 0 : MOSSA__TF_INITIAL));
            s->mid_sent_ = 1;
            s->wlen_ = 0;
            s->word_letters_ = 0;
            s->ovf_groups_ = 0;
            s->ovf_prev_vowel_ = 0;
            s->seg_ = 0;
        }
        mossa__text_put(s, fold);
        s->word_letters_++;
        if (s->seg_ < 255) s->seg_++;
        return;
    case MOSSA__C_DIGIT:
        s->stats.characters++;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->tok_ == 1 && (s->tok_flags_ & MOSSA__TF_INITIAL)) s->mid_sent_ = 0;
        s->tok_ = 2;
        return;
    case MOSSA__C_APOS:
        if (s->tok_ == 1) { s->pend_ = MOSSA__PEND_APOS; return; }
        mossa__text_cp(s, MOSSA__C_CLOSE, 0);
        return;
    case MOSSA__C_PERIOD:
        if (s->tok_ == 1 && s->seg_ == 1) { s->pend_ = MOSSA__PEND_PERIOD; return; }
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        mossa__text_terminal(s, s->prev_word_ ? mossa__text_abbrev(s) : MOSSA__T_PLAIN);
        s->prev_word_ = 0;
        return;
    case MOSSA__C_STRONG:
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        mossa__text_terminal(s, MOSSA__T_STRONG);
        return;
    case MOSSA__C_SPACE:
    case MOSSA__C_NL:
    case MOSSA__C_PARA:
        if (s->tok_) mossa__text_end_word(s);
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_AFTER) s->term_phase_ = MOSSA__PH_SPACE;
        if (cls == MOSSA__C_SPACE) return;
        if (cls == MOSSA__C_NL && s->newlines_ < 2) s->newlines_++;
        if (cls == MOSSA__C_PARA || s->newlines_ >= 2) {   /* blank line: paragraph break */
            s->term_ = 0;
            s->term_phase_ = 0;
            mossa__text_sentence_end(s);
        }
        return;
    case MOSSA__C_CLOSE:
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        return;
    default:                                    /* other symbols, hyphens, U+FFFD */
        if (s->tok_) mossa__text_end_word(s);
        s->newlines_ = 0;
        s->prev_word_ = 0;
        if (s->term_phase_ == MOSSA__PH_AFTER) { s->term_ = 0; s->term_phase_ = 0; }
        else if (s->term_phase_ == MOSSA__PH_SPACE) mossa__text_decide(s, cls);
        return;
    }
}

MOSSA_DEF void mossa_text_scanner_init(mossa_text_scanner *s)
{
    if (s) memset(s, 0, sizeof(*s));    /* also clears the on_word hook */
}

/* Lowercase ASCII letter table for the fast path (0 = not a letter). */
static const unsigned char mossa__text_lower[256] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,'a','b','c','d','e','f','g','h','i','j','k','l','m','n','o',
    'p','q','r','s','t','u','v','w','x','y','z',0,0,0,0,0,
    0,'a','b','c','d','e','f','g','h','i','j','k','l','m','n','o',
    'p','q','r','s','t','u','v','w','x','y','z',0,0,0,0,0
};

MOSSA_DEF void mossa_text_scanner_feed(mossa_text_scanner *s, const char *chunk, size_t len)
{
    const unsigned char *p = (const unsigned char *)chunk;
    size_t i = 0;
    if (!s || !chunk) return;
    while (i < len) {
        unsigned b = p[i];
        if (s->cp_need_) {
            if (b >= s->cp_min_hi_ && b <= s->cp_max_hi_) {
                s->cp_ = (s->cp_ << 6) | (b & 0x3F);
                s->cp_min_hi_ = 0x80;
                s->cp_max_hi_ = 0xBF;
                ++i;
                if (--s->cp_need_ == 0) {
                    unsigned char fold;
                    int cls = mossa__text_class_cp(s->cp_, &fold);
                    mossa__text_cp(s, cls, fold);
                }
            } else {                            /* truncated sequence: U+FFFD, then b afresh */
                s->cp_need_ = 0;
                mossa__text_cp(s, MOSSA__C_OTHER, 0);
            }
            continue;
        }
        if (b < 0x80) {
            /* fast path: ASCII letters continuing a word */
            if (s->tok_ == 1 && !s->pend_ && mossa__text_lower[b]) {
                size_t j = i, n, room;
                while (j < len && mossa__text_lower[p[j]]) ++j;
                n = j - i;
                s->stats.characters += n;
                s->word_letters_ += (uint32_t)n;
                if (s->seg_ < 255) s->seg_ = (uint8_t)((size_t)s->seg_ + n > 255 ? 255 : s->seg_ + n);
                room = (s->tok_flags_ & MOSSA__TF_OVF) ? 0 : (size_t)(MOSSA_TEXT_WORD_MAX - 1 - s->wlen_);
                if (n <= room) {
                    size_t k;
                    unsigned char *dst = s->word_ + s->wlen_;
                    for (k = 0; k < n; ++k) dst[k] = mossa__text_lower[p[i + k]];
                    s->wlen_ = (uint8_t)(s->wlen_ + n);
                } else {
                    size_t k;
                    for (k = 0; k < n; ++k) mossa__text_put(s, mossa__text_lower[p[i + k]]);
                }
                i = j;
                continue;
            }
            {
                int cls = mossa__text_ascii[b];
                mossa__text_cp(s, cls, cls <= MOSSA__C_UPPER ? mossa__text_lower[b] : 0);
            }
            ++i;
            continue;
        }
        ++i;
        if (b >= 0xC2 && b <= 0xDF) { s->cp_ = b & 0x1F; s->cp_need_ = 1; s->cp_min_hi_ = 0x80; s->cp_max_hi_ = 0xBF; }
        else if (b >= 0xE0 && b <= 0xEF) {
            s->cp_ = b & 0x0F; s->cp_need_ = 2;
            s->cp_min_hi_ = (uint8_t)(b == 0xE0 ? 0xA0 : 0x80);
            s->cp_max_hi_ = (uint8_t)(b == 0xED ? 0x9F : 0xBF);
        } else if (b >= 0xF0 && b <= 0xF4) {
            s->cp_ = b & 0x07; s->cp_need_ = 3;
            s->cp_min_hi_ = (uint8_t)(b == 0xF0 ? 0x90 : 0x80);
            s->cp_max_hi_ = (uint8_t)(b == 0xF4 ? 0x8F : 0xBF);
        } else {
            mossa__text_cp(s, MOSSA__C_OTHER, 0);   /* invalid lead or stray continuation */
        }
    }
}

MOSSA_DEF void mossa_text_scanner_finish(mossa_text_scanner *s, mossa_text_stats *stats)
{
    if (!s) return;
    if (s->cp_need_) { s->cp_need_ = 0; mossa__text_cp(s, MOSSA__C_OTHER, 0); }
    if (s->pend_) {
        int p = s->pend_;
        s->pend_ = 0;
        mossa__text_end_word(s);
        (void)p;
    }
    if (s->tok_) mossa__text_end_word(s);
    s->term_ = 0;
    s->term_phase_ = 0;
    mossa__text_sentence_end(s);
    if (stats) *stats = s->stats;
}

MOSSA_DEF void mossa_readability_score(const mossa_text_stats *st, mossa_readability_scores *sc)
{
    double W, S, asl, asw;
    if (!sc) return;
    memset(sc, 0, sizeof(*sc));
    if (!st || st->words == 0 || st->sentences == 0) return;
    W = (double)st->words;
    S = (double)st->sentences;
    asl = W / S;
    asw = (double)st->syllables / W;
    sc->defined = 1;
    sc->flesch_kincaid_grade = 0.39 * asl + 11.8 * asw - 15.59;
    sc->flesch_reading_ease = 206.835 - 1.015 * asl - 84.6 * asw;
    sc->automated_readability_index = 4.71 * (double)st->characters / W + 0.5 * asl - 21.43;
    sc->coleman_liau_index = 0.0588 * (100.0 * (double)st->letters / W) - 0.296 * (100.0 * S / W) - 15.8;
    sc->gunning_fog = 0.4 * (asl + 100.0 * (double)st->complex_words / W);
    sc->smog = 1.0430 * sqrt((double)st->polysyllables * 30.0 / S) + 3.1291;
}

MOSSA_DEF int mossa_syllables(const char *word, size_t len)
{
    mossa_text_scanner s;
    if (!word || len == 0) return 0;
    mossa_text_scanner_init(&s);
    mossa_text_scanner_feed(&s, word, len);
    mossa_text_scanner_finish(&s, NULL);
    return s.stats.syllables > (uint64_t)INT_MAX ? INT_MAX : (int)s.stats.syllables;
}

MOSSA_DEF mossa_status mossa_readability(const char *text, size_t len, mossa_text_stats *stats,
                                         mossa_readability_scores *scores)
{
    mossa_text_scanner s;
    if (!text && len) return MOSSA_ERR_INVALID_ARGUMENT;
    mossa_text_scanner_init(&s);
    if (len) mossa_text_scanner_feed(&s, text, len);
    mossa_text_scanner_finish(&s, stats);
    if (scores) mossa_readability_score(&s.stats, scores);
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_readability_lines(const char *text, size_t len, size_t max_lines,
                                               mossa_text_stats *stats,
                                               mossa_readability_scores *scores, size_t *n_lines)
{
    size_t pos = 0, line = 0;
    if ((!text && len) || !n_lines) return MOSSA_ERR_INVALID_ARGUMENT;
    while (pos < len) {
        const char *nl = (const char *)memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (line < max_lines) {
            mossa_text_scanner s;
            mossa_text_scanner_init(&s);
            mossa_text_scanner_feed(&s, text + pos, end - pos);
            mossa_text_scanner_finish(&s, NULL);
            if (stats) stats[line] = s.stats;
            if (scores) mossa_readability_score(&s.stats, &scores[line]);
        }
        ++line;
        pos = nl ? end + 1 : len;
    }
    *n_lines = line;
    return line > max_lines ? MOSSA_ERR_TOO_LARGE : MOSSA_OK;
}
