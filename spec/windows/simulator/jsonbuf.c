#include "jsonbuf.h"

#include <stdlib.h>
#include <string.h>

void jb_init(jbuf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->oom = 0;
}

void jb_free(jbuf *b)
{
    free(b->p);
    jb_init(b);
}

static int jb_reserve(jbuf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

char *jb_take(jbuf *b)
{
    if (b->oom || !jb_reserve(b, 0)) {
        jb_free(b);
        return NULL;
    }
    b->p[b->len] = 0;
    char *p = b->p;
    jb_init(b);
    return p;
}

void jb_rawn(jbuf *b, const char *s, size_t n)
{
    if (!jb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void jb_raw(jbuf *b, const char *s)
{
    jb_rawn(b, s, strlen(s));
}

void jb_sep(jbuf *b)
{
    if (b->len && b->p[b->len - 1] != '{' && b->p[b->len - 1] != '[')
        jb_rawn(b, ",", 1);
}

void jb_key(jbuf *b, const char *key)
{
    jb_sep(b);
    jb_rawn(b, "\"", 1);
    jb_raw(b, key);
    jb_rawn(b, "\":", 2);
}

static size_t u64_digits(unsigned long long v, char out[24])
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void jb_u64(jbuf *b, unsigned long long v)
{
    char d[24];
    jb_rawn(b, d, u64_digits(v, d));
}

void jb_u64str(jbuf *b, unsigned long long v)
{
    jb_rawn(b, "\"", 1);
    jb_u64(b, v);
    jb_rawn(b, "\"", 1);
}

void jb_bool(jbuf *b, int v)
{
    jb_raw(b, v ? "true" : "false");
}

void jb_null(jbuf *b)
{
    jb_raw(b, "null");
}

static const char HEX_LOWER[] = "0123456789abcdef";
static const char HEX_UPPER[] = "0123456789ABCDEF";

void jb_str(jbuf *b, const char *s)
{
    if (!s) {
        jb_null(b);
        return;
    }
    jb_rawn(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"': jb_rawn(b, "\\\"", 2); break;
        case '\\': jb_rawn(b, "\\\\", 2); break;
        case '\n': jb_rawn(b, "\\n", 2); break;
        case '\r': jb_rawn(b, "\\r", 2); break;
        case '\t': jb_rawn(b, "\\t", 2); break;
        default:
            if (*c < 0x20) {
                char esc[6] = { '\\', 'u', '0', '0', HEX_LOWER[*c >> 4], HEX_LOWER[*c & 15] };
                jb_rawn(b, esc, 6);
            } else {
                jb_rawn(b, (const char *)c, 1);
            }
        }
    }
    jb_rawn(b, "\"", 1);
}

void jb_wstr(jbuf *b, const WCHAR *s)
{
    if (!s) {
        jb_null(b);
        return;
    }
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
    if (n <= 0) {
        jb_str(b, "");
        return;
    }
    char *u = malloc((size_t)n);
    if (!u) {
        b->oom = 1;
        return;
    }
    WideCharToMultiByte(CP_UTF8, 0, s, -1, u, n, NULL, NULL);
    jb_str(b, u);
    free(u);
}

void jb_hex(jbuf *b, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    jb_rawn(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char h[2] = { HEX_LOWER[p[i] >> 4], HEX_LOWER[p[i] & 15] };
        jb_rawn(b, h, 2);
    }
    jb_rawn(b, "\"", 1);
}

static void hex_be(char *out, unsigned long long v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = HEX_UPPER[v & 15];
        v >>= 4;
    }
}

void jb_guid(jbuf *b, const GUID *g)
{
    char s[40];
    char *o = s;
    *o++ = '"';
    *o++ = '{';
    hex_be(o, g->Data1, 8); o += 8; *o++ = '-';
    hex_be(o, g->Data2, 4); o += 4; *o++ = '-';
    hex_be(o, g->Data3, 4); o += 4; *o++ = '-';
    hex_be(o, g->Data4[0], 2); o += 2;
    hex_be(o, g->Data4[1], 2); o += 2; *o++ = '-';
    for (int i = 2; i < 8; i++) {
        hex_be(o, g->Data4[i], 2);
        o += 2;
    }
    *o++ = '}';
    *o++ = '"';
    jb_rawn(b, s, (size_t)(o - s));
}

void jb_ms(jbuf *b, unsigned long long micros)
{
    char frac[4];
    unsigned long long ms = micros / 1000, rest = micros % 1000;
    frac[0] = '.';
    frac[1] = (char)('0' + rest / 100);
    frac[2] = (char)('0' + (rest / 10) % 10);
    frac[3] = (char)('0' + rest % 10);
    jb_u64(b, ms);
    jb_rawn(b, frac, 4);
}
