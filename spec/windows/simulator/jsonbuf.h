/* Tiny growable UTF-8 JSON writer for the simulator (no printf: msvcrt's format support varies). */
#ifndef SIM_JSONBUF_H
#define SIM_JSONBUF_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef _INC_VIRTDISK
#define _INC_VIRTDISK /* keep mingw-w64's outdated <virtdisk.h> out (see virtdisk_sdk.h) */
#endif
#include <windows.h>
#include <stddef.h>

typedef struct jbuf {
    char *p;
    size_t len;
    size_t cap;
    int oom; /* set when an allocation failed; the content is then truncated */
} jbuf;

void jb_init(jbuf *b);
void jb_free(jbuf *b);
/* Hands over the NUL-terminated string (caller frees with free()); NULL on out-of-memory. */
char *jb_take(jbuf *b);

void jb_raw(jbuf *b, const char *s);
void jb_rawn(jbuf *b, const char *s, size_t n);
/* Writes "key": preceded by a comma unless the previous character opens an object/array. */
void jb_key(jbuf *b, const char *key);
/* Writes a comma unless the previous character opens an object/array (for array elements). */
void jb_sep(jbuf *b);

void jb_u64(jbuf *b, unsigned long long v);      /* JSON number */
void jb_u64str(jbuf *b, unsigned long long v);   /* decimal string, e.g. "8589934592" */
void jb_bool(jbuf *b, int v);
void jb_null(jbuf *b);
void jb_str(jbuf *b, const char *utf8);          /* quoted and escaped; NULL -> null */
void jb_wstr(jbuf *b, const WCHAR *s);           /* UTF-16 -> quoted UTF-8; NULL -> null */
void jb_hex(jbuf *b, const void *bytes, size_t n); /* "0a1b..." lowercase */
void jb_guid(jbuf *b, const GUID *g);            /* "{EC984AEC-A0F9-47E9-901F-71415A66345B}" */
void jb_ms(jbuf *b, unsigned long long micros);  /* number of milliseconds with 3 decimals */

#endif
