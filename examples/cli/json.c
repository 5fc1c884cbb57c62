/* json.c - a small strict JSON reader (RFC 8259) for mossa.json: no
   comments, no trailing commas, no duplicate keys, no control characters
   in strings, UTF-8 escapes (\uXXXX, surrogate pairs) decoded. Depth is
   limited so that hostile input cannot exhaust the stack. */
#include "analyze.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <math.h>

typedef struct jp {
    const char *s;
    size_t len, pos;
    char *err;
    size_t err_size;
    int failed;
} jp;

#define JV_MAX_DEPTH 64

static int jp_fail(jp *p, const char *what)
{
    size_t i, line = 1, col = 1;
    if (p->failed) return 0;
    for (i = 0; i < p->pos && i < p->len; ++i) {
        if (p->s[i] == '\n') { ++line; col = 1; } else ++col;
    }
    snprintf(p->err, p->err_size, "line %lu, column %lu: %s", (unsigned long)line,
             (unsigned long)col, what);
    p->failed = 1;
    return 0;
}

static void jp_ws(jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        ++p->pos;
}

static int jp_value(jp *p, jv *out, int depth);

static int hex4(const char *s, unsigned *v)
{
    int i;
    *v = 0;
    for (i = 0; i < 4; ++i) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63)); o[3] = (char)(0x80 | (cp & 63)); return 4;
}

static int jp_string(jp *p, char **out)
{
    size_t start, o = 0;
    char *buf;
    *out = NULL;
    if (p->pos >= p->len || p->s[p->pos] != '"') return jp_fail(p, "expected a string");
    start = ++p->pos;
    /* decoded text is never longer than the source */
    {
        size_t end = start;
        while (end < p->len && p->s[end] != '"') end += (p->s[end] == '\\') ? 2 : 1;
        if (end >= p->len) return jp_fail(p, "unterminated string");
        buf = (char *)malloc(end - start + 1);
        if (!buf) return jp_fail(p, "out of memory");
    }
    while (p->pos < p->len && p->s[p->pos] != '"') {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) { free(buf); return jp_fail(p, "control character in string"); }
        if (c != '\\') { buf[o++] = (char)c; ++p->pos; continue; }
        if (p->pos + 1 >= p->len) { free(buf); return jp_fail(p, "unterminated escape"); }
        c = (unsigned char)p->s[p->pos + 1];
        p->pos += 2;
        switch (c) {
        case '"': buf[o++] = '"'; break;
        case '\\': buf[o++] = '\\'; break;
        case '/': buf[o++] = '/'; break;
        case 'b': buf[o++] = '\b'; break;
        case 'f': buf[o++] = '\f'; break;
        case 'n': buf[o++] = '\n'; break;
        case 'r': buf[o++] = '\r'; break;
        case 't': buf[o++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (p->pos + 4 > p->len || !hex4(p->s + p->pos, &cp)) { free(buf); return jp_fail(p, "bad \\u escape"); }
            p->pos += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (p->pos + 6 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                    !hex4(p->s + p->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    free(buf); return jp_fail(p, "unpaired surrogate in \\u escape");
                }
                p->pos += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) { free(buf); return jp_fail(p, "unpaired surrogate in \\u escape"); }
            if (cp == 0) { free(buf); return jp_fail(p, "\\u0000 is not allowed here"); }
            o += put_utf8(buf + o, cp);
            break;
        }
        default: free(buf); return jp_fail(p, "unknown escape");
        }
    }
    ++p->pos;   /* closing quote */
    buf[o] = 0;
    *out = buf;
    return 1;
}

static int jp_number(jp *p, double *v)
{
    size_t i = p->pos;
    char tmp[64];
    if (i < p->len && p->s[i] == '-') ++i;
    if (i >= p->len) return jp_fail(p, "bad number");
    if (p->s[i] == '0') ++i;
    else if (p->s[i] >= '1' && p->s[i] <= '9') { while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') ++i; }
    else return jp_fail(p, "unexpected character");
    if (i < p->len && p->s[i] == '.') {
        ++i;
        if (i >= p->len || p->s[i] < '0' || p->s[i] > '9') return jp_fail(p, "bad number");
        while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') ++i;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        ++i;
        if (i < p->len && (p->s[i] == '+' || p->s[i] == '-')) ++i;
        if (i >= p->len || p->s[i] < '0' || p->s[i] > '9') return jp_fail(p, "bad number");
        while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') ++i;
    }
    if (i - p->pos >= sizeof(tmp)) return jp_fail(p, "number too long");
    memcpy(tmp, p->s + p->pos, i - p->pos);
    tmp[i - p->pos] = 0;
    *v = strtod(tmp, NULL);
    if (!isfinite(*v)) return jp_fail(p, "number out of range");
    p->pos = i;
    return 1;
}

static int jp_literal(jp *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0) return jp_fail(p, "unexpected character");
    p->pos += n;
    return 1;
}

static int jp_push(jp *p, jv *v, char *key, const jv *item)
{
    if ((v->n & (v->n - 1)) == 0) {   /* grow at powers of two */
        size_t cap = v->n ? 2 * v->n : 1;
        jv *items = (jv *)realloc(v->items, cap * sizeof(jv));
        if (!items) return jp_fail(p, "out of memory");
        v->items = items;
        if (v->type == JV_OBJECT) {
            char **keys = (char **)realloc(v->keys, cap * sizeof(char *));
            if (!keys) return jp_fail(p, "out of memory");
            v->keys = keys;
        }
    }
    v->items[v->n] = *item;
    if (v->type == JV_OBJECT) v->keys[v->n] = key;
    ++v->n;
    return 1;
}

static int jp_value(jp *p, jv *out, int depth)
{
    memset(out, 0, sizeof(*out));
    if (depth > JV_MAX_DEPTH) return jp_fail(p, "nesting too deep");
    jp_ws(p);
    if (p->pos >= p->len) return jp_fail(p, "unexpected end of input");
    switch (p->s[p->pos]) {
    case '{': {
        out->type = JV_OBJECT;
        ++p->pos;
        jp_ws(p);
        if (p->pos < p->len && p->s[p->pos] == '}') { ++p->pos; return 1; }
        for (;;) {
            char *key;
            jv item;
            size_t k;
            jp_ws(p);
            if (!jp_string(p, &key)) return 0;
            for (k = 0; k < out->n; ++k)
                if (strcmp(out->keys[k], key) == 0) { free(key); return jp_fail(p, "duplicate key"); }
            jp_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') { free(key); return jp_fail(p, "expected ':'"); }
            ++p->pos;
            if (!jp_value(p, &item, depth + 1)) { free(key); jv_free(&item); return 0; }
            if (!jp_push(p, out, key, &item)) { free(key); jv_free(&item); return 0; }
            jp_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') { ++p->pos; continue; }
            if (p->pos < p->len && p->s[p->pos] == '}') { ++p->pos; return 1; }
            return jp_fail(p, "expected ',' or '}'");
        }
    }
    case '[': {
        out->type = JV_ARRAY;
        ++p->pos;
        jp_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ']') { ++p->pos; return 1; }
        for (;;) {
            jv item;
            if (!jp_value(p, &item, depth + 1)) { jv_free(&item); return 0; }
            if (!jp_push(p, out, NULL, &item)) { jv_free(&item); return 0; }
            jp_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') { ++p->pos; continue; }
            if (p->pos < p->len && p->s[p->pos] == ']') { ++p->pos; return 1; }
            return jp_fail(p, "expected ',' or ']'");
        }
    }
    case '"':
        out->type = JV_STRING;
        return jp_string(p, &out->string);
    case 't': out->type = JV_BOOL; out->boolean = 1; return jp_literal(p, "true");
    case 'f': out->type = JV_BOOL; return jp_literal(p, "false");
    case 'n': out->type = JV_NULL; return jp_literal(p, "null");
    default:
        out->type = JV_NUMBER;
        return jp_number(p, &out->number);
    }
}

int jv_parse(const char *text, size_t len, jv *out, char *err, size_t err_size)
{
    jp p;
    p.s = text; p.len = len; p.pos = 0; p.err = err; p.err_size = err_size; p.failed = 0;
    if (err_size) err[0] = 0;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF) {
        p.pos = 0;
        jp_fail(&p, "byte order mark is not allowed");
        memset(out, 0, sizeof(*out));
        return 0;
    }
    if (memchr(text, 0, len)) { jp_fail(&p, "NUL byte in input"); memset(out, 0, sizeof(*out)); return 0; }
    if (!jp_value(&p, out, 0)) { jv_free(out); return 0; }
    jp_ws(&p);
    if (p.pos != len) { jp_fail(&p, "trailing characters after the JSON value"); jv_free(out); return 0; }
    return 1;
}

void jv_free(jv *v)
{
    size_t i;
    if (!v) return;
    for (i = 0; i < v->n; ++i) {
        jv_free(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof(*v));
}

const jv *jv_get(const jv *object, const char *key)
{
    size_t i;
    if (!object || object->type != JV_OBJECT) return NULL;
    for (i = 0; i < object->n; ++i)
        if (strcmp(object->keys[i], key) == 0) return &object->items[i];
    return NULL;
}
