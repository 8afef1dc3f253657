/* Image metadata of the virtdisk.dll simulator: see meta.h for the file format and the defaults. */
#include "meta.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* advapi32's RtlGenRandom */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

#define META_MAX_FILE (64 * 1024) /* bytes read from an image file (metadata files are far smaller) */

/* ------------------------------------------------------------------ small helpers */

static WCHAR *wdup_n(const WCHAR *s, size_t n)
{
    WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
    if (d) {
        memcpy(d, s, n * sizeof(WCHAR));
        d[n] = 0;
    }
    return d;
}

static WCHAR *wdup0(const WCHAR *s)
{
    return s ? wdup_n(s, wcslen(s)) : NULL;
}

static WCHAR *utf8_to_wide(const char *s, size_t n)
{
    if (n == 0)
        return wdup_n(L"", 0);
    int w = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0);
    if (w <= 0)
        return NULL;
    WCHAR *d = malloc(((size_t)w + 1) * sizeof(WCHAR));
    if (!d)
        return NULL;
    MultiByteToWideChar(CP_UTF8, 0, s, (int)n, d, w);
    d[w] = 0;
    return d;
}

static ULONGLONG round_up(ULONGLONG v, ULONGLONG unit)
{
    return (v + unit - 1) / unit * unit;
}

void meta_random_guid(GUID *g)
{
    if (!SystemFunction036(g, sizeof(*g))) { /* never seen failing; fall back to something unique enough */
        LARGE_INTEGER c;
        QueryPerformanceCounter(&c);
        memset(g, 0, sizeof(*g));
        memcpy(g, &c, sizeof(c));
        g->Data2 = (WORD)GetCurrentThreadId();
    }
    g->Data3 = (WORD)((g->Data3 & 0x0FFF) | 0x4000); /* version 4 */
    g->Data4[0] = (BYTE)((g->Data4[0] & 0x3F) | 0x80); /* RFC 4122 variant */
}

DWORD meta_now_timestamp(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    ULONGLONG t = ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    const ULONGLONG y2000 = 125911584000000000ull; /* 2000-01-01 00:00 UTC in FILETIME units */
    return t > y2000 ? (DWORD)((t - y2000) / 10000000ull) : 0;
}

/* A GUID derived from the file's identity (stable for that file) and a salt. */
static void derived_guid(GUID *g, const BYTE seed[24], BYTE salt)
{
    BYTE out[16];
    for (int half = 0; half < 2; half++) {
        unsigned long long h = 14695981039346656037ull ^ (unsigned long long)(salt * 2 + half);
        for (int i = 0; i < 24; i++)
            h = (h ^ seed[i]) * 1099511628211ull;
        h = (h ^ salt) * 1099511628211ull;
        memcpy(out + 8 * half, &h, 8);
    }
    memcpy(g, out, sizeof(*g));
    g->Data3 = (WORD)((g->Data3 & 0x0FFF) | 0x4000);
    g->Data4[0] = (BYTE)((g->Data4[0] & 0x3F) | 0x80);
}

BOOL meta_parse_guid(const char *s, size_t n, GUID *g)
{
    char hex[32];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '}' || c == '-')
            continue;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) || k == 32)
            return FALSE;
        hex[k++] = c;
    }
    if (k != 32)
        return FALSE;
    BYTE b[16];
    for (int i = 0; i < 16; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        b[i] = (BYTE)v;
    }
    g->Data1 = ((DWORD)b[0] << 24) | ((DWORD)b[1] << 16) | ((DWORD)b[2] << 8) | b[3];
    g->Data2 = (WORD)((b[4] << 8) | b[5]);
    g->Data3 = (WORD)((b[6] << 8) | b[7]);
    memcpy(g->Data4, b + 8, 8);
    return TRUE;
}

DWORD meta_device_from_extension(const WCHAR *path)
{
    const WCHAR *dot = path ? wcsrchr(path, L'.') : NULL;
    if (!dot || wcschr(dot, L'\\') || wcschr(dot, L'/'))
        return VIRTUAL_STORAGE_TYPE_DEVICE_VHDX;
    if (_wcsicmp(dot, L".iso") == 0)
        return VIRTUAL_STORAGE_TYPE_DEVICE_ISO;
    if (_wcsicmp(dot, L".vhd") == 0)
        return VIRTUAL_STORAGE_TYPE_DEVICE_VHD;
    if (_wcsicmp(dot, L".vhds") == 0)
        return VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET;
    return VIRTUAL_STORAGE_TYPE_DEVICE_VHDX;
}

ULONGLONG meta_overhead(DWORD deviceId, DWORD subtype, ULONGLONG virtualSize, DWORD blockSize)
{
    if (deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHD) {
        if (subtype == SIM_SUBTYPE_FIXED)
            return 512; /* footer */
        ULONGLONG blocks = blockSize ? (virtualSize + blockSize - 1) / blockSize : 0;
        return 512 + 1024 + round_up(blocks * 4, 512) + 512; /* footer copy, dynamic header, BAT, footer */
    }
    return 4 * SIM_MIB; /* VHDX: headers, log, BAT, metadata region (1 MiB each) */
}

/* ------------------------------------------------------------------ defaults */

/* Everything but the identity-derived fields, for a new image of this kind. No data in it yet. */
static void base_defaults(sim_meta *m, DWORD deviceId, DWORD subtype, ULONGLONG virtualSize)
{
    const BOOL vhd = deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHD;
    m->deviceId = deviceId;
    m->subtype = subtype;
    m->virtualSize = virtualSize;
    if (deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO) {
        m->subtype = 0;
        m->blockSize = 0;
        m->logicalSectorSize = m->physicalSectorSize = 2048;
        m->physicalSize = virtualSize;
        m->smallestSafeVirtualSize = virtualSize;
        m->is4kAligned = FALSE;
    } else {
        /* Microsoft's sample: VHD 2 MB blocks; VHDX dynamic 32 MB, differencing 2 MB; fixed disks 0. */
        m->blockSize = subtype == SIM_SUBTYPE_FIXED ? 0
                       : vhd || subtype == SIM_SUBTYPE_DIFFERENCING ? (DWORD)(2 * SIM_MIB)
                                                                    : (DWORD)(32 * SIM_MIB);
        m->logicalSectorSize = 512;
        m->physicalSectorSize = vhd ? 512 : 4096;
        m->physicalSize = meta_overhead(deviceId, subtype, virtualSize, m->blockSize) +
                          (subtype == SIM_SUBTYPE_FIXED ? virtualSize : 0);
        /* SIMULATOR CHOICE: as if a partition ended at a quarter of the disk (at least 3 MiB). */
        ULONGLONG safe = round_up(virtualSize / 4, SIM_MIB);
        m->smallestSafeVirtualSize = safe < SIM_MIN_SIZE ? SIM_MIN_SIZE : safe;
        if (m->smallestSafeVirtualSize > virtualSize)
            m->smallestSafeVirtualSize = virtualSize;
        m->is4kAligned = TRUE;
    }
    m->fragmentation = 0;
    m->changeTracking = FALSE;
    m->state = META_COMPLETE;
}

BOOL meta_new(sim_meta *m, DWORD deviceId, DWORD subtype, ULONGLONG virtualSize)
{
    memset(m, 0, sizeof(*m));
    base_defaults(m, deviceId, subtype, virtualSize);
    m->hasMetadata = TRUE;
    meta_random_guid(&m->identifier);
    meta_random_guid(&m->virtualDiskId);
    m->timestamp = meta_now_timestamp();
    m->changeTrackingId = wdup_n(L"", 0);
    return m->changeTrackingId != NULL;
}

void meta_defaults(sim_meta *m, DWORD deviceId, const BYTE seed[24], ULONGLONG fileSize)
{
    memset(m, 0, sizeof(*m));
    if (deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO) {
        base_defaults(m, deviceId, 0, fileSize);
    } else {
        base_defaults(m, deviceId, SIM_SUBTYPE_DYNAMIC, 64 * SIM_MIB);
        m->physicalSize += 8 * SIM_MIB; /* some data, so that compacting shrinks it */
    }
    derived_guid(&m->identifier, seed, 1);
    derived_guid(&m->virtualDiskId, seed, 2);
    DWORD t;
    memcpy(&t, seed + 8, sizeof(t));
    m->timestamp = 0x20000000u + (t & 0x00FFFFFFu); /* some day in 2017, fixed for the file */
    m->changeTrackingId = wdup_n(L"", 0);
    m->fileSize = fileSize;
}

DWORD meta_file_identity(HANDLE file, BYTE seed[24], ULONGLONG *size)
{
    FILE_STANDARD_INFO st;
    FILE_ID_INFO fid;
    BY_HANDLE_FILE_INFORMATION info;
    memset(seed, 0, 24);
    if (!GetFileInformationByHandleEx(file, FileStandardInfo, &st, sizeof(st)))
        return GetLastError() ? GetLastError() : ERROR_INVALID_FUNCTION;
    *size = (ULONGLONG)st.EndOfFile.QuadPart;
    if (GetFileInformationByHandleEx(file, FileIdInfo, &fid, sizeof(fid))) {
        memcpy(seed, &fid.VolumeSerialNumber, 8);
        memcpy(seed + 8, fid.FileId.Identifier, 16);
    } else if (GetFileInformationByHandle(file, &info)) {
        ULONGLONG index = ((ULONGLONG)info.nFileIndexHigh << 32) | info.nFileIndexLow;
        ULONGLONG volume = info.dwVolumeSerialNumber;
        memcpy(seed, &volume, 8);
        memcpy(seed + 8, &index, 8);
    } else {
        return GetLastError() ? GetLastError() : ERROR_INVALID_FUNCTION;
    }
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ JSON reader (one flat object) */

typedef struct jp {
    const char *p, *e;
} jp;

enum { JV_STRING, JV_NUMBER, JV_TRUE, JV_FALSE, JV_NULL };

typedef struct jv {
    int kind;
    char *s; /* JV_STRING: unescaped UTF-8 (malloc'd) */
    size_t n;
    ULONGLONG u; /* JV_NUMBER, or a JV_STRING of decimal digits */
    BOOL uOk;
} jv;

static void jp_ws(jp *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static BOOL jp_char(jp *j, char c)
{
    jp_ws(j);
    if (j->p < j->e && *j->p == c) {
        j->p++;
        return TRUE;
    }
    return FALSE;
}

static BOOL put_utf8(char *out, size_t *k, unsigned cp)
{
    if (cp < 0x80) {
        out[(*k)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*k)++] = (char)(0xC0 | (cp >> 6));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*k)++] = (char)(0xE0 | (cp >> 12));
        out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x110000) {
        out[(*k)++] = (char)(0xF0 | (cp >> 18));
        out[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        return FALSE;
    }
    return TRUE;
}

static BOOL jp_hex4(jp *j, unsigned *v)
{
    if (j->e - j->p < 4)
        return FALSE;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *j->p++;
        int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            return FALSE;
        *v = *v * 16 + (unsigned)d;
    }
    return TRUE;
}

/* After the opening quote. The result is never longer than the source (escapes shrink). */
static BOOL jp_string(jp *j, char **out, size_t *len)
{
    const char *start = j->p;
    char *s = malloc((size_t)(j->e - start) + 1);
    size_t k = 0;
    if (!s)
        return FALSE;
    while (j->p < j->e && *j->p != '"') {
        char c = *j->p++;
        if ((unsigned char)c < 0x20)
            goto bad;
        if (c != '\\') {
            s[k++] = c;
            continue;
        }
        if (j->p >= j->e)
            goto bad;
        c = *j->p++;
        switch (c) {
        case '"': s[k++] = '"'; break;
        case '\\': s[k++] = '\\'; break;
        case '/': s[k++] = '/'; break;
        case 'b': s[k++] = '\b'; break;
        case 'f': s[k++] = '\f'; break;
        case 'n': s[k++] = '\n'; break;
        case 'r': s[k++] = '\r'; break;
        case 't': s[k++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (!jp_hex4(j, &cp))
                goto bad;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (j->e - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
                    goto bad;
                j->p += 2;
                if (!jp_hex4(j, &lo) || lo < 0xDC00 || lo >= 0xE000)
                    goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                goto bad;
            }
            /* \uXXXX is 6 source bytes, at most 4 UTF-8 bytes: the buffer is big enough */
            if (!put_utf8(s, &k, cp))
                goto bad;
            break;
        }
        default:
            goto bad;
        }
    }
    if (j->p >= j->e)
        goto bad;
    j->p++; /* closing quote */
    s[k] = 0;
    *out = s;
    *len = k;
    return TRUE;
bad:
    free(s);
    return FALSE;
}

static BOOL digits_u64(const char *s, size_t n, ULONGLONG *v)
{
    if (n == 0 || n > 20)
        return FALSE;
    ULONGLONG r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return FALSE;
        ULONGLONG next = r * 10 + (ULONGLONG)(s[i] - '0');
        if (next / 10 != r)
            return FALSE; /* overflow */
        r = next;
    }
    *v = r;
    return TRUE;
}

static BOOL jp_value(jp *j, jv *v)
{
    memset(v, 0, sizeof(*v));
    jp_ws(j);
    if (j->p >= j->e)
        return FALSE;
    char c = *j->p;
    if (c == '"') {
        j->p++;
        v->kind = JV_STRING;
        if (!jp_string(j, &v->s, &v->n))
            return FALSE;
        v->uOk = digits_u64(v->s, v->n, &v->u);
        return TRUE;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *start = j->p;
        while (j->p < j->e && (*j->p == '-' || *j->p == '+' || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
                               (*j->p >= '0' && *j->p <= '9')))
            j->p++;
        v->kind = JV_NUMBER;
        v->uOk = digits_u64(start, (size_t)(j->p - start), &v->u);
        return TRUE;
    }
    static const struct { const char *word; int kind; } words[] = {
        { "true", JV_TRUE }, { "false", JV_FALSE }, { "null", JV_NULL },
    };
    for (size_t i = 0; i < ARRAYSIZE(words); i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(j->e - j->p) >= n && memcmp(j->p, words[i].word, n) == 0) {
            j->p += n;
            v->kind = words[i].kind;
            return TRUE;
        }
    }
    return FALSE; /* nested objects and arrays are not part of the format */
}

/* ------------------------------------------------------------------ reading */

enum {
    K_DEVICE, K_SUBTYPE, K_VSIZE, K_PSIZE, K_BLOCK, K_LSECTOR, K_PSECTOR, K_ID, K_VDID, K_TIME, K_PPATH, K_PID,
    K_PTIME, K_SAFE, K_FRAG, K_4K, K_CT, K_CTID, K_STATE, K_MERGED, K_MERGEDINTO, K_LAYOUT, K_COUNT
};
static const char *const KEYS[K_COUNT] = {
    "deviceId", "subtype", "virtualSize", "physicalSize", "blockSize", "logicalSectorSize", "physicalSectorSize",
    "identifier", "virtualDiskId", "timestamp", "parentPath", "parentIdentifier", "parentTimestamp",
    "smallestSafeVirtualSize", "fragmentation", "is4kAligned", "changeTracking", "changeTrackingId", "state",
    "merged", "mergedInto", "diskLayout",
};
static const char *const STATES[] = { "complete", "creating", "incomplete" };

static void jv_free(jv *v)
{
    free(v->s);
    v->s = NULL;
}

/* "diskLayout": an even number of hex digits; anything else is ignored (no layout: a RAW disk). */
static void parse_layout(const char *s, size_t n, sim_meta *m)
{
    if (n == 0 || n % 2)
        return;
    BYTE *b = malloc(n / 2);
    if (!b)
        return;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (v < 0) {
            free(b);
            return;
        }
        b[i / 2] = (BYTE)(i % 2 ? (b[i / 2] << 4) | v : v);
    }
    m->diskLayout = b;
    m->diskLayoutSize = (DWORD)(n / 2);
}

/* The metadata object in `text`; FALSE if the text is not one (ERROR_FILE_CORRUPT in *rc when it claims to be). */
static BOOL parse_meta(const char *text, size_t n, DWORD deviceHint, const BYTE *seed, BOOL *needSeed, sim_meta *m,
                       DWORD *rc)
{
    jv vals[K_COUNT];
    BOOL have[K_COUNT] = { 0 };
    BOOL isMeta = FALSE, ok = FALSE;
    memset(vals, 0, sizeof(vals));
    *rc = ERROR_SUCCESS;
    jp j = { text, text + n };
    if (!jp_char(&j, '{'))
        return FALSE;
    /* the marker must be the first member: anything else starting with '{' is not ours */
    jp probe = j;
    jp_ws(&probe);
    static const char MARK[] = "\"virtdiskSimulator\"";
    if ((size_t)(probe.e - probe.p) < sizeof(MARK) - 1 || memcmp(probe.p, MARK, sizeof(MARK) - 1) != 0)
        return FALSE;
    isMeta = TRUE;
    if (jp_char(&j, '}'))
        goto done;
    for (;;) {
        char *key = NULL;
        size_t keyLen = 0;
        jv v;
        if (!jp_char(&j, '"') || !jp_string(&j, &key, &keyLen))
            goto done;
        if (!jp_char(&j, ':') || !jp_value(&j, &v)) {
            free(key);
            goto done;
        }
        int k = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (strcmp(key, KEYS[i]) == 0)
                k = i;
        free(key);
        if (k >= 0) {
            jv_free(&vals[k]);
            vals[k] = v;
            have[k] = TRUE;
        } else {
            jv_free(&v);
        }
        if (jp_char(&j, ','))
            continue;
        if (!jp_char(&j, '}'))
            goto done;
        break;
    }
    ok = TRUE;
done:
    if (!ok) {
        for (int i = 0; i < K_COUNT; i++)
            jv_free(&vals[i]);
        if (isMeta)
            *rc = ERROR_FILE_CORRUPT;
        return isMeta;
    }

#define NUM(k) (have[k] && vals[k].uOk)
    const BOOL parent = have[K_PPATH] && vals[K_PPATH].kind == JV_STRING;
    DWORD device = NUM(K_DEVICE) ? (DWORD)vals[K_DEVICE].u : deviceHint;
    DWORD subtype = NUM(K_SUBTYPE) ? (DWORD)vals[K_SUBTYPE].u : parent ? SIM_SUBTYPE_DIFFERENCING : SIM_SUBTYPE_DYNAMIC;
    ULONGLONG vsize = NUM(K_VSIZE) ? vals[K_VSIZE].u : 64 * SIM_MIB;
    memset(m, 0, sizeof(*m));
    base_defaults(m, device, subtype, vsize);
    m->hasMetadata = TRUE;
    if (NUM(K_PSIZE)) m->physicalSize = vals[K_PSIZE].u;
    if (NUM(K_BLOCK)) m->blockSize = (DWORD)vals[K_BLOCK].u;
    if (NUM(K_LSECTOR)) m->logicalSectorSize = (DWORD)vals[K_LSECTOR].u;
    if (NUM(K_PSECTOR)) m->physicalSectorSize = (DWORD)vals[K_PSECTOR].u;
    if (NUM(K_TIME)) m->timestamp = (DWORD)vals[K_TIME].u;
    if (NUM(K_PTIME)) m->parentTimestamp = (DWORD)vals[K_PTIME].u;
    if (NUM(K_SAFE)) m->smallestSafeVirtualSize = vals[K_SAFE].u;
    if (NUM(K_FRAG)) m->fragmentation = (DWORD)vals[K_FRAG].u;
    if (have[K_4K]) m->is4kAligned = vals[K_4K].kind == JV_TRUE;
    if (have[K_CT]) m->changeTracking = vals[K_CT].kind == JV_TRUE;
    if (have[K_MERGED]) m->merged = vals[K_MERGED].kind == JV_TRUE;
#undef NUM
    if (parent)
        m->parentPath = utf8_to_wide(vals[K_PPATH].s, vals[K_PPATH].n);
    if (have[K_MERGEDINTO] && vals[K_MERGEDINTO].kind == JV_STRING)
        m->mergedInto = utf8_to_wide(vals[K_MERGEDINTO].s, vals[K_MERGEDINTO].n);
    m->changeTrackingId = have[K_CTID] && vals[K_CTID].kind == JV_STRING
                              ? utf8_to_wide(vals[K_CTID].s, vals[K_CTID].n)
                              : wdup_n(L"", 0);
    if (have[K_STATE] && vals[K_STATE].kind == JV_STRING)
        for (DWORD i = 0; i < ARRAYSIZE(STATES); i++)
            if (strcmp(vals[K_STATE].s, STATES[i]) == 0)
                m->state = i;
    if (have[K_LAYOUT] && vals[K_LAYOUT].kind == JV_STRING)
        parse_layout(vals[K_LAYOUT].s, vals[K_LAYOUT].n, m);
    if (have[K_PID] && vals[K_PID].kind == JV_STRING)
        meta_parse_guid(vals[K_PID].s, vals[K_PID].n, &m->parentIdentifier);
    BOOL idOk = have[K_ID] && vals[K_ID].kind == JV_STRING && meta_parse_guid(vals[K_ID].s, vals[K_ID].n, &m->identifier);
    BOOL vdOk = have[K_VDID] && vals[K_VDID].kind == JV_STRING &&
                meta_parse_guid(vals[K_VDID].s, vals[K_VDID].n, &m->virtualDiskId);
    for (int i = 0; i < K_COUNT; i++)
        jv_free(&vals[i]);
    if (!idOk || !vdOk) {
        if (!seed) {
            *needSeed = TRUE;
        } else {
            if (!idOk)
                derived_guid(&m->identifier, seed, 1);
            if (!vdOk)
                derived_guid(&m->virtualDiskId, seed, 2);
        }
    }
    if (!m->changeTrackingId || (parent && !m->parentPath))
        *rc = ERROR_NOT_ENOUGH_MEMORY;
    return TRUE;
}

DWORD meta_read(const WCHAR *path, DWORD deviceHint, sim_meta *m)
{
    memset(m, 0, sizeof(*m));
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        return e ? e : ERROR_FILE_NOT_FOUND;
    }
    DWORD rc = ERROR_SUCCESS;
    LARGE_INTEGER size;
    char *text = NULL;
    DWORD got = 0;
    if (!GetFileSizeEx(f, &size)) {
        rc = GetLastError() ? GetLastError() : ERROR_READ_FAULT;
        goto out;
    }
    DWORD want = size.QuadPart > META_MAX_FILE ? META_MAX_FILE : (DWORD)size.QuadPart;
    text = malloc((size_t)want + 1);
    if (!text) {
        rc = ERROR_NOT_ENOUGH_MEMORY;
        goto out;
    }
    if (want && !ReadFile(f, text, want, &got, NULL)) {
        rc = GetLastError() ? GetLastError() : ERROR_READ_FAULT;
        goto out;
    }
    BOOL needSeed = FALSE;
    if (parse_meta(text, got, deviceHint, NULL, &needSeed, m, &rc)) {
        if (rc == ERROR_SUCCESS && needSeed) { /* a metadata file without identifiers: derive them like defaults */
            BYTE seed[24];
            ULONGLONG ignored;
            sim_meta tmp;
            meta_free(m);
            rc = meta_file_identity(f, seed, &ignored);
            if (rc == ERROR_SUCCESS && parse_meta(text, got, deviceHint, seed, &needSeed, &tmp, &rc))
                *m = tmp;
        }
        m->fileSize = (ULONGLONG)size.QuadPart;
        goto out;
    }
    /* not a metadata file: the defaults of this file */
    BYTE seed[24];
    ULONGLONG fileSize = (ULONGLONG)size.QuadPart;
    if (deviceHint == VIRTUAL_STORAGE_TYPE_DEVICE_ISO)
        memset(seed, 0, sizeof(seed)); /* an ISO exposes no identifiers */
    else if ((rc = meta_file_identity(f, seed, &fileSize)) != ERROR_SUCCESS)
        goto out;
    meta_defaults(m, deviceHint, seed, fileSize);
    if (!m->changeTrackingId)
        rc = ERROR_NOT_ENOUGH_MEMORY;
out:
    free(text);
    CloseHandle(f);
    if (rc != ERROR_SUCCESS)
        meta_free(m);
    return rc;
}

/* ------------------------------------------------------------------ writing */

void meta_json_members(jbuf *b, const sim_meta *m)
{
    jb_key(b, "deviceId"); jb_u64(b, m->deviceId);
    jb_key(b, "subtype"); jb_u64(b, m->subtype);
    jb_key(b, "virtualSize"); jb_u64str(b, m->virtualSize);
    jb_key(b, "physicalSize"); jb_u64str(b, m->physicalSize);
    jb_key(b, "blockSize"); jb_u64(b, m->blockSize);
    jb_key(b, "logicalSectorSize"); jb_u64(b, m->logicalSectorSize);
    jb_key(b, "physicalSectorSize"); jb_u64(b, m->physicalSectorSize);
    jb_key(b, "identifier"); jb_guid(b, &m->identifier);
    jb_key(b, "virtualDiskId"); jb_guid(b, &m->virtualDiskId);
    jb_key(b, "timestamp"); jb_u64(b, m->timestamp);
    jb_key(b, "parentPath"); jb_wstr(b, m->parentPath);
    jb_key(b, "parentIdentifier");
    if (m->parentPath) jb_guid(b, &m->parentIdentifier); else jb_null(b);
    jb_key(b, "parentTimestamp"); jb_u64(b, m->parentTimestamp);
    jb_key(b, "smallestSafeVirtualSize"); jb_u64str(b, m->smallestSafeVirtualSize);
    jb_key(b, "fragmentation"); jb_u64(b, m->fragmentation);
    jb_key(b, "is4kAligned"); jb_bool(b, m->is4kAligned);
    jb_key(b, "changeTracking"); jb_bool(b, m->changeTracking);
    jb_key(b, "changeTrackingId"); jb_wstr(b, m->changeTrackingId ? m->changeTrackingId : L"");
    jb_key(b, "state"); jb_str(b, m->state < ARRAYSIZE(STATES) ? STATES[m->state] : "complete");
    jb_key(b, "merged"); jb_bool(b, m->merged);
    jb_key(b, "mergedInto"); jb_wstr(b, m->mergedInto);
    if (m->diskLayout) { /* only when there is one: files and SimGetImage answers without one look as before */
        jb_key(b, "diskLayout"); jb_hex(b, m->diskLayout, m->diskLayoutSize);
    }
}

static DWORD write_file(const WCHAR *path, DWORD disposition, const sim_meta *m)
{
    jbuf b;
    jb_init(&b);
    jb_raw(&b, "{\"virtdiskSimulator\":1");
    meta_json_members(&b, m);
    jb_raw(&b, "}\n");
    char *text = jb_take(&b);
    if (!text)
        return ERROR_NOT_ENOUGH_MEMORY;
    DWORD rc = ERROR_SUCCESS, done = 0, n = (DWORD)strlen(text);
    HANDLE f = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           disposition, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        rc = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
    } else {
        if (!WriteFile(f, text, n, &done, NULL) || done != n)
            rc = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
        CloseHandle(f);
    }
    free(text);
    return rc;
}

DWORD meta_write(const WCHAR *path, const sim_meta *m)
{
    return write_file(path, TRUNCATE_EXISTING, m);
}

DWORD meta_create(const WCHAR *path, const sim_meta *m)
{
    return write_file(path, CREATE_NEW, m);
}

void meta_free(sim_meta *m)
{
    free(m->parentPath);
    free(m->changeTrackingId);
    free(m->mergedInto);
    free(m->diskLayout);
    m->parentPath = m->changeTrackingId = m->mergedInto = NULL;
    m->diskLayout = NULL;
    m->diskLayoutSize = 0;
}

BOOL meta_copy(sim_meta *dst, const sim_meta *src)
{
    *dst = *src;
    dst->parentPath = wdup0(src->parentPath);
    dst->changeTrackingId = wdup0(src->changeTrackingId);
    dst->mergedInto = wdup0(src->mergedInto);
    dst->diskLayout = NULL;
    if (src->diskLayout && (dst->diskLayout = malloc(src->diskLayoutSize)))
        memcpy(dst->diskLayout, src->diskLayout, src->diskLayoutSize);
    if ((src->parentPath && !dst->parentPath) || (src->changeTrackingId && !dst->changeTrackingId) ||
        (src->mergedInto && !dst->mergedInto) || (src->diskLayout && !dst->diskLayout)) {
        meta_free(dst);
        return FALSE;
    }
    return TRUE;
}
