/*
 * virtdisk.dll simulator for testing the `virtdisk` TypeScript FFI library on the Windows x64 ABI
 * (under Wine 8.0, where the real provider does not exist).
 *
 * What it models is what the Windows documentation says the provider does (the remarks of
 * AttachVirtualDisk / DetachVirtualDisk / GetVirtualDiskPhysicalPath / OpenVirtualDisk); where the
 * documentation is silent, the choice made here is marked "SIMULATOR CHOICE" and must not be read
 * as a statement about Windows. Nothing is really attached: the state is bookkeeping in this module.
 *
 * Files: this one (handles, images, attachments, the call log, the Sim* controls, Open/Attach/Detach/
 * GetVirtualDiskPhysicalPath); lifecycle.c (CreateVirtualDisk, Get/SetVirtualDiskInformation,
 * GetVirtualDiskOperationProgress, Resize/Compact/Merge/ExpandVirtualDisk and their long operations); meta.c
 * (what an image file contains: meta.h); sim_internal.h (the shared records); virtdisk_sdk.h (SDK types);
 * jsonbuf.c (JSON writer). probe-overlapped.c is a stand-alone Wine probe, not part of the DLL.
 *
 * Images: Windows knows an image by its file, not by the spelling of its path (\\?\ prefix, case,
 * trailing dots, 8.3 names, another drive letter or UNC name for the same folder, links on the way).
 * OpenVirtualDisk opens the file once and reads its volume serial number + file ID; every "same image"
 * decision (already attached, other open handles, detach, permanent attachments) compares that
 * identity, through one image record per file (hash table keyed by the identity).
 *
 * Handles: OpenVirtualDisk (and CreateVirtualDisk) return a REAL kernel handle that supports overlapped
 * I/O: the server end of a duplex message-mode named pipe created with FILE_FLAG_OVERLAPPED, whose client
 * end the simulator keeps. The long operations of lifecycle.c (and AttachVirtualDisk given an OVERLAPPED) issue a
 * real overlapped ReadFile on it with the caller's OVERLAPPED, so that the caller's CancelIoEx, GetOverlappedResult
 * and event waits are Wine's own.
 * Once the caller has closed its handle (kernel32 CloseHandle, and any duplicates), PeekNamedPipe on the
 * client end fails with ERROR_BROKEN_PIPE (verified under Wine 8.0, also for this pipe kind).
 * Closure is noticed lazily: an API call checks the handle it was given and the other handles on
 * that one image (a PeekNamedPipe each, a wineserver round trip under Wine), so its cost does not
 * grow with the number of open handles; the Sim* controls check every handle. Records found closed
 * are forgotten, and non-permanent attachments made through them end. (While a long operation runs, the
 * simulator holds a duplicate of the handle, so a close is only noticed once it has finished.)
 *
 * Test controls (all stdcall, Sim prefix): SimGetLog, SimGetState, SimReset, SimSetFault, SimSetDelay, and
 * those of lifecycle.c (SimSetDuration, SimSetCompletionFault, SimSetInfoFault, SimGetOperations, SimGetImage)
 * and sim_fakedisk.c (SimSetNextFakeDisk).
 *
 * Attached disks as devices: with fakedisk.sys in the prefix (spec/windows/fakedisk), each attached VHD / VHDX /
 * VHD Set gets a simulated disk behind its \\.\PhysicalDriveN, removed (its partition table saved in the image's
 * metadata) when the attachment ends: see sim_fakedisk.c. PhysicalDrive numbers: the lowest free one >= 2.
 * All state is guarded by one CRITICAL_SECTION (koffi's async calls come from several worker
 * threads); configured delays are slept outside of it, so delayed calls overlap. (An AttachVirtualDisk with an
 * OVERLAPPED does not sleep its delay: it returns ERROR_IO_PENDING at once and completes that long after.)
 */
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ------------------------------------------------------------------ state */

const WCHAR *const FN_NAMES_W[FN_COUNT] = {
    L"OpenVirtualDisk", L"AttachVirtualDisk", L"DetachVirtualDisk", L"GetVirtualDiskPhysicalPath",
    L"CreateVirtualDisk", L"GetVirtualDiskInformation", L"SetVirtualDiskInformation",
    L"GetVirtualDiskOperationProgress", L"ResizeVirtualDisk", L"CompactVirtualDisk", L"MergeVirtualDisk",
    L"ExpandVirtualDisk",
};
const char *const FN_NAMES[FN_COUNT] = {
    "OpenVirtualDisk", "AttachVirtualDisk", "DetachVirtualDisk", "GetVirtualDiskPhysicalPath",
    "CreateVirtualDisk", "GetVirtualDiskInformation", "SetVirtualDiskInformation",
    "GetVirtualDiskOperationProgress", "ResizeVirtualDisk", "CompactVirtualDisk", "MergeVirtualDisk",
    "ExpandVirtualDisk",
};

const GUID VENDOR_MICROSOFT = {
    0xEC984AEC, 0xA0F9, 0x47E9, { 0x90, 0x1F, 0x71, 0x41, 0x5A, 0x66, 0x34, 0x5B }
};

sim_globals g;

unsigned long long now_micros(void)
{
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    unsigned long long t = (unsigned long long)c.QuadPart, f = (unsigned long long)g.qpcFreq.QuadPart;
    return (t / f) * 1000000ull + (t % f) * 1000000ull / f;
}

WCHAR *wdup(const WCHAR *s)
{
    size_t n = (wcslen(s) + 1) * sizeof(WCHAR);
    WCHAR *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

WCHAR *full_path(const WCHAR *path)
{
    DWORD n = GetFullPathNameW(path, 0, NULL, NULL);
    if (!n)
        return wdup(path);
    WCHAR *d = malloc((size_t)n * sizeof(WCHAR));
    if (d && !GetFullPathNameW(path, n, d, NULL)) {
        free(d);
        return wdup(path);
    }
    return d;
}

static void append_digits(WCHAR *dst, size_t cap, const WCHAR *prefix, DWORD n)
{
    WCHAR digits[12];
    int k = 0;
    do {
        digits[k++] = (WCHAR)(L'0' + n % 10);
        n /= 10;
    } while (n);
    size_t i = 0;
    for (; prefix[i] && i + 1 < cap; i++)
        dst[i] = prefix[i];
    while (k && i + 1 < cap)
        dst[i++] = digits[--k];
    dst[i] = 0;
}

/* ------------------------------------------------------------------ hash table */

static BOOL ht_init(htable *t, size_t buckets)
{
    t->buckets = calloc(buckets, sizeof(*t->buckets));
    t->mask = t->buckets ? buckets - 1 : 0;
    t->count = 0;
    return t->buckets != NULL;
}

/* The chain that holds `hash` (compare node->hash, then the key). */
static hnode *ht_chain(const htable *t, size_t hash)
{
    return t->buckets ? t->buckets[hash & t->mask] : NULL;
}

/* Doubles the bucket array; on allocation failure the table keeps working with longer chains. */
static void ht_grow(htable *t)
{
    size_t n = (t->mask + 1) * 2;
    hnode **b = calloc(n, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i <= t->mask; i++) {
        for (hnode *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->mask = n - 1;
}

static BOOL ht_insert(htable *t, hnode *n, size_t hash)
{
    if (!t->buckets && !ht_init(t, 64))
        return FALSE;
    if (t->count >= 2 * (t->mask + 1))
        ht_grow(t);
    n->hash = hash;
    n->next = t->buckets[hash & t->mask];
    t->buckets[hash & t->mask] = n;
    t->count++;
    return TRUE;
}

static void ht_remove(htable *t, hnode *n)
{
    for (hnode **pp = &t->buckets[n->hash & t->mask]; *pp; pp = &(*pp)->next) {
        if (*pp == n) {
            *pp = n->next;
            t->count--;
            return;
        }
    }
}

/* Empties the table without freeing the records (the caller owns them). */
static void ht_clear(htable *t)
{
    if (t->buckets)
        memset(t->buckets, 0, (t->mask + 1) * sizeof(*t->buckets));
    t->count = 0;
}

static size_t hash_bytes(const void *p, size_t n) /* FNV-1a */
{
    const BYTE *b = p;
    unsigned long long h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return (size_t)h;
}

static size_t hash_handle(HANDLE h)
{
    return hash_bytes(&h, sizeof(h));
}

/* ------------------------------------------------------------------ image identity */

/* GetLastError() after a failed call, or `otherwise` if the call left it 0. */
DWORD last_error(DWORD otherwise)
{
    DWORD e = GetLastError();
    return e ? e : otherwise;
}

/*
 * Opens the image file the way a provider would look at it and reads what identifies it:
 * GetFileInformationByHandleEx(FileIdInfo) (volume serial + 128-bit file ID), else
 * GetFileInformationByHandle (32-bit volume serial + 64-bit file index). One file always lives on
 * one volume and gets the same method, so the two forms are never compared with each other.
 * (Under Wine 8 both work and agree; each asks mountmgr for the volume serial, about 1-2 ms, so the
 * attributes come from the cheap FileBasicInfo and the fallback is not called when FileIdInfo works.)
 * Returns a Win32 error: 2 / 3 for a missing file or folder, as CreateFileW reports them.
 */
DWORD read_image_id(const WCHAR *path, image_id *id)
{
    HANDLE f = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return last_error(ERROR_FILE_NOT_FOUND);
    DWORD rc = ERROR_SUCCESS;
    FILE_BASIC_INFO basic;
    FILE_ID_INFO fid;
    BY_HANDLE_FILE_INFORMATION info;
    memset(id, 0, sizeof(*id));
    if (!GetFileInformationByHandleEx(f, FileBasicInfo, &basic, sizeof(basic))) {
        rc = last_error(ERROR_INVALID_FUNCTION);
    } else if (basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        rc = ERROR_ACCESS_DENIED; /* SIMULATOR CHOICE: what CreateFileW gives for a directory without BACKUP_SEMANTICS */
    } else if (GetFileInformationByHandleEx(f, FileIdInfo, &fid, sizeof(fid))) {
        id->volume = fid.VolumeSerialNumber;
        memcpy(id->file, fid.FileId.Identifier, sizeof(id->file));
    } else if (GetFileInformationByHandle(f, &info)) {
        ULONGLONG index = ((ULONGLONG)info.nFileIndexHigh << 32) | info.nFileIndexLow;
        id->volume = info.dwVolumeSerialNumber;
        memcpy(id->file, &index, sizeof(index));
    } else {
        rc = last_error(ERROR_INVALID_FUNCTION);
    }
    CloseHandle(f);
    return rc;
}

/* --- images (lock held) */

static image_rec *image_find(const image_id *id)
{
    size_t hash = hash_bytes(id, sizeof(*id));
    for (hnode *n = ht_chain(&g.images, hash); n; n = n->next) {
        image_rec *img = (image_rec *)n;
        if (n->hash == hash && memcmp(&img->id, id, sizeof(*id)) == 0)
            return img;
    }
    return NULL;
}

/* The record of this image, created if needed; NULL when out of memory. */
static image_rec *image_get(const image_id *id)
{
    image_rec *img = image_find(id);
    if (img)
        return img;
    img = calloc(1, sizeof(*img));
    if (!img)
        return NULL;
    img->id = *id;
    if (!ht_insert(&g.images, &img->node, hash_bytes(id, sizeof(*id)))) {
        free(img);
        return NULL;
    }
    return img;
}

/* An image with no open handle and no attachment is forgotten. */
void image_release_if_unused(image_rec *img)
{
    if (img->handles || img->attach || img->opRefs)
        return;
    ht_remove(&g.images, &img->node);
    free(img);
}

/* --- attachments (lock held) */

static void attach_link(attach_rec *a)
{
    a->prev = g.lastAttach;
    a->next = NULL;
    if (g.lastAttach)
        g.lastAttach->next = a;
    else
        g.firstAttach = a;
    g.lastAttach = a;
    a->image->attach = a;
}

static void free_attach(attach_rec *a)
{
    free(a->path);
    free(a->fullPath);
    free(a);
}

/* Ends an attachment. The image record stays: the caller decides when it is released. */
static void remove_attach(attach_rec *a)
{
    fd_detaching(a); /* its disk goes (its layout saved with the image) */
    if (a->prev)
        a->prev->next = a->next;
    else
        g.firstAttach = a->next;
    if (a->next)
        a->next->prev = a->prev;
    else
        g.lastAttach = a->prev;
    a->image->attach = NULL;
    free_attach(a);
}

/* Hooks into the attached-disks section at the end of this file (GetAllAttachedVirtualDiskPhysicalPaths,
   GetStorageDependencyInformation, SimSetNextPhysicalPath, SimSetListStyle). Lock held for all three. */
static BOOL sim_volumes_take_physical_path(WCHAR *out, size_t cap);
static void sim_volumes_reset_locked(void);
static BOOL sim_volumes_set_fault_locked(const WCHAR *function, DWORD code, DWORD count);

void attach_discard(attach_rec *a)
{
    free_attach(a);
}

void attach_undo(attach_rec *a)
{
    remove_attach(a);
}

DWORD attach_commit(attach_rec *a, handle_rec *owner)
{
    if (a->image->attach)
        return ERROR_SHARING_VIOLATION;
    a->owner = owner;
    /* SIMULATOR CHOICE: a disk gets the lowest PhysicalDrive number >= 2 no other attachment has (as Windows numbers
       disks; reused after a detach; sim_fakedisk.c); CD-ROM numbers are never reused until SimReset (CDROM from 1);
       unless SimSetNextPhysicalPath named this attach's device. */
    if (!sim_volumes_take_physical_path(a->physicalPath, ARRAYSIZE(a->physicalPath))) {
        if (a->type.DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO) {
            append_digits(a->physicalPath, ARRAYSIZE(a->physicalPath), L"\\\\.\\CDROM", g.nextCdrom++);
        } else {
            a->diskNumber = fd_number_take();
            a->numberChosen = TRUE;
            append_digits(a->physicalPath, ARRAYSIZE(a->physicalPath), L"\\\\.\\PhysicalDrive", a->diskNumber);
        }
    } else if (a->type.DeviceId != VIRTUAL_STORAGE_TYPE_DEVICE_ISO) {
        a->diskNumber = fd_number_claim(a->physicalPath);
    }
    attach_link(a);
    if (!owner && !a->permanent) { /* the attaching handle is gone (closed while an asynchronous attach ran) */
        remove_attach(a);
        g.autoDetached++;
    } else {
        fd_attached(a); /* a disk behind its physical path, when fakedisk.sys is there */
    }
    return ERROR_SUCCESS;
}

/* --- handles (lock held) */

static handle_rec *handle_find(HANDLE h)
{
    if (!h || h == INVALID_HANDLE_VALUE)
        return NULL;
    size_t hash = hash_handle(h);
    for (hnode *n = ht_chain(&g.handles, hash); n; n = n->next)
        if (n->hash == hash && ((handle_rec *)n)->handle == h)
            return (handle_rec *)n;
    return NULL;
}

static BOOL handle_link(handle_rec *r, image_rec *img)
{
    if (!ht_insert(&g.handles, &r->node, hash_handle(r->handle)))
        return FALSE;
    r->prev = g.lastHandle;
    r->next = NULL;
    if (g.lastHandle)
        g.lastHandle->next = r;
    else
        g.firstHandle = r;
    g.lastHandle = r;
    r->image = img;
    r->imagePrev = NULL;
    r->imageNext = img->handles;
    if (img->handles)
        img->handles->imagePrev = r;
    img->handles = r;
    img->handleCount++;
    return TRUE;
}

static void handle_unlink(handle_rec *r)
{
    ht_remove(&g.handles, &r->node);
    if (r->prev)
        r->prev->next = r->next;
    else
        g.firstHandle = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        g.lastHandle = r->prev;
    image_rec *img = r->image;
    if (r->imagePrev)
        r->imagePrev->imageNext = r->imageNext;
    else
        img->handles = r->imageNext;
    if (r->imageNext)
        r->imageNext->imagePrev = r->imagePrev;
    img->handleCount--;
}

static void free_handle(handle_rec *r)
{
    CloseHandle(r->readEnd);
    free(r->path);
    free(r->fullPath);
    free(r);
}

/* Whether the caller has closed r->handle (and every duplicate of it). */
static BOOL handle_closed(const handle_rec *r)
{
    DWORD avail = 0;
    /* Any failure (normally ERROR_BROKEN_PIPE 109) means no handle to the server end is open any more. */
    return !PeekNamedPipe(r->readEnd, NULL, 0, NULL, &avail, NULL);
}

/* The caller has closed r->handle: forget it, end the non-permanent attachment made through it. */
static void retire_handle(handle_rec *r)
{
    image_rec *img = r->image;
    attach_rec *a = img->attach;
    g.handlesClosed++;
    if (a && a->owner == r) {
        if (a->permanent) {
            a->owner = NULL; /* PERMANENT_LIFETIME: stays attached until DetachVirtualDisk */
        } else {
            remove_attach(a);
            g.autoDetached++;
        }
    }
    lc_handle_retired(r);
    handle_unlink(r);
    free_handle(r);
    image_release_if_unused(img);
}

/* The record of a handle the caller passed in, or NULL if it is unknown or was closed meanwhile. */
handle_rec *live_handle(HANDLE h)
{
    handle_rec *r = handle_find(h);
    if (r && handle_closed(r)) {
        retire_handle(r);
        return NULL;
    }
    return r;
}

/* Checks the other handles on the image of `h` (a live handle, so the image record survives this). */
void sweep_image(handle_rec *h)
{
    for (handle_rec *r = h->image->handles, *next; r; r = next) {
        next = r->imageNext;
        if (r != h && handle_closed(r))
            retire_handle(r);
    }
}

/* Checks every handle: for the Sim* controls only (one PeekNamedPipe per open handle). */
static void sweep_all(void)
{
    for (handle_rec *r = g.firstHandle, *next; r; r = next) {
        next = r->next;
        if (handle_closed(r))
            retire_handle(r);
    }
}

/* ------------------------------------------------------------------ call bracket and log */

/* Returns with the lock HELD; the implementation runs under it. */
void call_begin(call_ctx *c, int fn)
{
    call_begin_ex(c, fn, TRUE);
}

/* sleepDelay FALSE: an AttachVirtualDisk with an OVERLAPPED, whose configured delay is its operation's duration. */
void call_begin_ex(call_ctx *c, int fn, BOOL sleepDelay)
{
    c->fn = fn;
    c->tid = GetCurrentThreadId();
    c->start = now_micros();
    EnterCriticalSection(&g.lock);
    c->seq = ++g.seq;
    c->generation = g.generation;
    c->delayMs = g.delayMs[fn];
    LeaveCriticalSection(&g.lock);

    if (c->delayMs && sleepDelay)
        Sleep(c->delayMs); /* outside the lock: other calls proceed meanwhile */

    EnterCriticalSection(&g.lock);
    c->faulted = FALSE;
    c->faultCode = 0;
    if (g.faultCount[fn]) {
        c->faulted = TRUE;
        c->faultCode = g.faultCode[fn];
        if (g.faultCount[fn] != INFINITE)
            g.faultCount[fn]--;
    }
}

void log_header(jbuf *b, const call_ctx *c, DWORD rc)
{
    jb_raw(b, "{");
    jb_key(b, "seq"); jb_u64(b, c->seq);
    jb_key(b, "fn"); jb_str(b, FN_NAMES[c->fn]);
    jb_key(b, "threadId"); jb_u64(b, c->tid);
    jb_key(b, "start"); jb_ms(b, c->start);
    jb_key(b, "end"); jb_ms(b, now_micros());
    jb_key(b, "delayMs"); jb_u64(b, c->delayMs);
    jb_key(b, "fault"); jb_bool(b, c->faulted);
    jb_key(b, "result"); jb_u64(b, rc);
}

/* Appends the entry (kept sorted by seq, i.e. by call start); takes the lock itself. */
void log_append(const call_ctx *c, jbuf *b)
{
    jb_raw(b, "}");
    char *json = jb_take(b);
    if (!json)
        return;
    EnterCriticalSection(&g.lock);
    if (c->generation != g.generation) { /* SimReset happened while this call ran */
        LeaveCriticalSection(&g.lock);
        free(json);
        return;
    }
    if (g.logLen == g.logCap) {
        size_t cap = g.logCap ? g.logCap * 2 : 64;
        log_rec *p = realloc(g.log, cap * sizeof(*p));
        if (!p) {
            LeaveCriticalSection(&g.lock);
            free(json);
            return;
        }
        g.log = p;
        g.logCap = cap;
    }
    size_t i = g.logLen;
    while (i > 0 && g.log[i - 1].seq > c->seq) {
        g.log[i] = g.log[i - 1];
        i--;
    }
    g.log[i].seq = c->seq;
    g.log[i].json = json;
    g.logLen++;
    LeaveCriticalSection(&g.lock);
}

void jb_handle(jbuf *b, HANDLE h)
{
    jb_u64str(b, (unsigned long long)(ULONG_PTR)h); /* decimal string: String(koffiBigInt) */
}

void jb_storage_type(jbuf *b, const VIRTUAL_STORAGE_TYPE *t)
{
    if (!t) {
        jb_null(b);
        return;
    }
    jb_raw(b, "{");
    jb_key(b, "deviceId"); jb_u64(b, t->DeviceId);
    jb_key(b, "vendorId"); jb_guid(b, &t->VendorId);
    jb_raw(b, "}");
}

void jb_security_descriptor(jbuf *b, PSECURITY_DESCRIPTOR sd)
{
    if (!sd) {
        jb_null(b);
        return;
    }
    BOOL valid = IsValidSecurityDescriptor(sd);
    jb_raw(b, "{");
    jb_key(b, "valid"); jb_bool(b, valid);
    jb_key(b, "length");
    if (valid)
        jb_u64(b, GetSecurityDescriptorLength(sd));
    else
        jb_null(b);
    jb_raw(b, "}");
}

/* "volumeSerial" and "fileId" as hexadecimal numbers (most significant digit first). */
void jb_image_id(jbuf *b, const image_id *id)
{
    BYTE be[16];
    for (int i = 0; i < 8; i++)
        be[i] = (BYTE)(id->volume >> (8 * (7 - i)));
    jb_key(b, "volumeSerial"); jb_hex(b, be, 8);
    for (int i = 0; i < 16; i++)
        be[i] = id->file[15 - i];
    jb_key(b, "fileId"); jb_hex(b, be, 16);
}

/* ------------------------------------------------------------------ OpenVirtualDisk */

/* The argument rules, before the file is looked at. */
static DWORD open_check(PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, POPEN_VIRTUAL_DISK_PARAMETERS params,
                        PHANDLE out)
{
    /* SIMULATOR CHOICE: the SDK marks Parameters _In_opt_; the simulator requires it (87), so a
       library that relies on NULL-means-defaults is caught here. */
    if (!vst || !path || !params || !out)
        return ERROR_INVALID_PARAMETER;

    /* SIMULATOR CHOICE: DEVICE_UNKNOWN/VENDOR_UNKNOWN ("detect from the extension") is not modelled. */
    if (!IsEqualGUID(&vst->VendorId, &VENDOR_MICROSOFT) || vst->DeviceId < VIRTUAL_STORAGE_TYPE_DEVICE_ISO ||
        vst->DeviceId > VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET)
        return SIM_ERROR_VIRTDISK_PROVIDER_NOT_FOUND;

    const BOOL iso = vst->DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO;
    switch (params->Version) {
    case OPEN_VIRTUAL_DISK_VERSION_1:
        /* Version 1 is for ISO and VHD only, with any access mask (unknown bits are not rejected). */
        if (!iso && vst->DeviceId != VIRTUAL_STORAGE_TYPE_DEVICE_VHD)
            return ERROR_INVALID_PARAMETER;
        if (!iso && params->Version1.RWDepth < 1)
            return ERROR_INVALID_PARAMETER;
        break;
    case OPEN_VIRTUAL_DISK_VERSION_2:
    case OPEN_VIRTUAL_DISK_VERSION_3:
        if (access != VIRTUAL_DISK_ACCESS_NONE)
            return ERROR_INVALID_PARAMETER;
        if (iso) /* ISO requires Version 1 */
            return ERROR_INVALID_PARAMETER;
        break;
    default:
        return ERROR_INVALID_PARAMETER;
    }
    if (iso && (access & VIRTUAL_DISK_ACCESS_ATTACH_RW))
        return ERROR_INVALID_PARAMETER;
    /* SIMULATOR CHOICE: OPEN_VIRTUAL_DISK_FLAG_* values are recorded, not validated. */
    return ERROR_SUCCESS;
}

/* A connected pair: *server (overlapped, message mode: the caller's handle) and *client (the simulator's). */
static DWORD create_handle_pipe(HANDLE *server, HANDLE *client)
{
    WCHAR name[80];
    unsigned long long serial = ++g.pipeSerial;
    append_digits(name, ARRAYSIZE(name), L"\\\\.\\pipe\\virtdisk-simulator-", GetCurrentProcessId());
    size_t n = wcslen(name);
    append_digits(name + n, ARRAYSIZE(name) - n, L"-", (DWORD)(serial >> 32));
    n = wcslen(name);
    append_digits(name + n, ARRAYSIZE(name) - n, L"-", (DWORD)serial);
    /* One instance, this process only: nobody else can connect in between. 4 KiB buffers: the simulator's
       (zero-length) messages never block its writes. */
    *server = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0,
                               NULL);
    if (*server == INVALID_HANDLE_VALUE)
        return last_error(ERROR_NOT_ENOUGH_MEMORY);
    *client = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (*client == INVALID_HANDLE_VALUE) {
        DWORD e = last_error(ERROR_NOT_ENOUGH_MEMORY);
        CloseHandle(*server);
        return e;
    }
    return ERROR_SUCCESS;
}

/* A new handle on the image `id`: the server end of a fresh pipe, recorded with the open's arguments. */
DWORD open_register(const image_id *id, PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, DWORD flags,
                    POPEN_VIRTUAL_DISK_PARAMETERS params, PHANDLE out)
{
    HANDLE readEnd, writeEnd;
    DWORD prc = create_handle_pipe(&writeEnd, &readEnd);
    if (prc != ERROR_SUCCESS)
        return prc;
    /* A record with the same value is one the caller closed without any call noticing (value reused).
       Retired before the image record is looked up: retiring may release that record. */
    handle_rec *stale = handle_find(writeEnd);
    if (stale)
        retire_handle(stale);

    handle_rec *r = calloc(1, sizeof(*r));
    if (r) {
        r->handle = writeEnd;
        r->readEnd = readEnd;
        r->path = wdup(path);
        r->fullPath = full_path(path);
    }
    image_rec *img = r && r->path && r->fullPath ? image_get(id) : NULL;
    if (!img || !handle_link(r, img)) {
        CloseHandle(writeEnd);
        if (r)
            free_handle(r); /* closes readEnd */
        else
            CloseHandle(readEnd);
        if (img)
            image_release_if_unused(img);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    r->type = *vst;
    r->version = params->Version;
    r->access = access;
    r->flags = flags;
    if (params->Version == OPEN_VIRTUAL_DISK_VERSION_1) {
        r->rwDepth = params->Version1.RWDepth;
    } else { /* Version2 and Version3 share GetInfoOnly@4 and ReadOnly@8 */
        r->getInfoOnly = params->Version2.GetInfoOnly != 0;
        r->readOnly = params->Version2.ReadOnly != 0;
    }
    g.handlesCreated++;
    *out = writeEnd;
    return ERROR_SUCCESS;
}

/* Runs with the lock held (see call_begin), but leaves it while the file is opened and queried: those
   are file system round trips (under Wine, to the wineserver and mountmgr) that need no shared state. */
static DWORD open_impl(PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, DWORD flags,
                       POPEN_VIRTUAL_DISK_PARAMETERS params, PHANDLE out)
{
    DWORD rc = open_check(vst, path, access, params, out);
    if (rc != ERROR_SUCCESS)
        return rc;
    image_id id;
    LeaveCriticalSection(&g.lock);
    rc = read_image_id(path, &id); /* ERROR_FILE_NOT_FOUND 2, ERROR_PATH_NOT_FOUND 3, ... passed through */
    EnterCriticalSection(&g.lock);
    if (rc != ERROR_SUCCESS)
        return rc;
    return open_register(&id, vst, path, access, flags, params, out);
}

DWORD WINAPI OpenVirtualDisk(PVIRTUAL_STORAGE_TYPE VirtualStorageType, PCWSTR Path,
                             DWORD VirtualDiskAccessMask, DWORD Flags,
                             POPEN_VIRTUAL_DISK_PARAMETERS Parameters, PHANDLE Handle)
{
    call_ctx c;
    call_begin(&c, FN_OPEN);
    /* SIMULATOR CHOICE: on failure *Handle is left untouched. */
    DWORD rc = c.faulted ? c.faultCode
                         : open_impl(VirtualStorageType, Path, VirtualDiskAccessMask, Flags, Parameters, Handle);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "path"); jb_wstr(&b, Path);
    jb_key(&b, "storageType"); jb_storage_type(&b, VirtualStorageType);
    jb_key(&b, "access"); jb_u64(&b, VirtualDiskAccessMask);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "params");
    if (!Parameters) {
        jb_null(&b);
    } else {
        OPEN_VIRTUAL_DISK_PARAMETERS p;
        memcpy(&p, Parameters, sizeof(p));
        jb_raw(&b, "{");
        jb_key(&b, "version"); jb_u64(&b, p.Version);
        jb_key(&b, "raw"); jb_hex(&b, &p, sizeof(p));
        if (p.Version == OPEN_VIRTUAL_DISK_VERSION_1) {
            jb_key(&b, "rwDepth"); jb_u64(&b, p.Version1.RWDepth);
        } else if (p.Version == OPEN_VIRTUAL_DISK_VERSION_2 || p.Version == OPEN_VIRTUAL_DISK_VERSION_3) {
            jb_key(&b, "getInfoOnly"); jb_u64(&b, (DWORD)p.Version2.GetInfoOnly);
            jb_key(&b, "readOnly"); jb_u64(&b, (DWORD)p.Version2.ReadOnly);
            jb_key(&b, "resiliencyGuid"); jb_guid(&b, &p.Version2.ResiliencyGuid);
            if (p.Version == OPEN_VIRTUAL_DISK_VERSION_3) {
                jb_key(&b, "snapshotId"); jb_guid(&b, &p.Version3.SnapshotId);
            }
        }
        jb_raw(&b, "}");
    }
    jb_key(&b, "handlePtr"); jb_bool(&b, Handle != NULL);
    jb_key(&b, "handle");
    if (rc == ERROR_SUCCESS && !c.faulted && Handle)
        jb_handle(&b, *Handle);
    else
        jb_null(&b);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ AttachVirtualDisk */

/*
 * Without an OVERLAPPED the attachment is made inside the call (after the SimSetDelay delay, slept in
 * call_begin). With one ("a pointer to a valid OVERLAPPED structure if asynchronous operation is desired", the
 * AttachVirtualDisk page), the same checks run, then the call returns ERROR_IO_PENDING at once and the attach runs
 * as an operation of lifecycle.c's machinery (see there): a real overlapped ReadFile with the caller's OVERLAPPED
 * on the handle, completed after the SimSetDelay value (SIMULATOR CHOICE: the delay is the asynchronous attach's
 * duration, not slept in the call), so the caller's event, GetOverlappedResult and CancelIoEx are Wine's own.
 * The attachment exists (SimGetState, GetVirtualDiskPhysicalPath, DetachVirtualDisk) only once it has
 * succeeded; cancelled (995), aborted by SimReset (995) or failed (SimSetCompletionFault) it leaves nothing.
 */
static DWORD attach_impl(HANDLE vh, PSECURITY_DESCRIPTOR sd, DWORD flags, PATTACH_VIRTUAL_DISK_PARAMETERS params,
                         LPOVERLAPPED overlapped, DWORD durationMs, unsigned long long *opId)
{
    /* Documented ERROR_INVALID_PARAMETER causes: not a handle from OpenVirtualDisk, unknown Flags,
       unsupported Parameters->Version (the page predates Version 2 and flags above 0x20). */
    handle_rec *h = live_handle(vh);
    if (!h)
        return ERROR_INVALID_PARAMETER;
    if (flags & ~ATTACH_VIRTUAL_DISK_FLAG_ALL_KNOWN)
        return ERROR_INVALID_PARAMETER;
    /* Parameters NULL = Version 1 defaults. */
    const DWORD version = params ? params->Version : ATTACH_VIRTUAL_DISK_VERSION_1;
    if (version != ATTACH_VIRTUAL_DISK_VERSION_1 && version != ATTACH_VIRTUAL_DISK_VERSION_2)
        return ERROR_INVALID_PARAMETER;
    if ((flags & ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE) && version != ATTACH_VIRTUAL_DISK_VERSION_2)
        return ERROR_INVALID_PARAMETER;
    /* SIMULATOR CHOICE: RestrictedOffset/RestrictedLength values are recorded, not validated. */
    if (sd && (flags & ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR))
        return ERROR_INVALID_PARAMETER;
    if (sd && !IsValidSecurityDescriptor(sd))
        return ERROR_INVALID_SECURITY_DESCR;

    const BOOL readOnly = (flags & ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY) != 0;
    if (h->type.DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO && !readOnly)
        return ERROR_INVALID_PARAMETER;

    /* "if the virtual disk is being attached for read/write access, the VirtualDiskHandle parameter
       must have been opened using the VIRTUAL_DISK_ACCESS_ATTACH_RW access flag" */
    if (!readOnly) {
        if (h->version == OPEN_VIRTUAL_DISK_VERSION_1 ? !(h->access & VIRTUAL_DISK_ACCESS_ATTACH_RW)
                                                      : (h->readOnly || h->getInfoOnly))
            return ERROR_ACCESS_DENIED;
    } else {
        /* SIMULATOR CHOICE (per the brief): a v1 handle needs ATTACH_RO itself; ATTACH_RW alone is not enough. */
        if (h->version == OPEN_VIRTUAL_DISK_VERSION_1 ? !(h->access & VIRTUAL_DISK_ACCESS_ATTACH_RO)
                                                      : h->getInfoOnly)
            return ERROR_ACCESS_DENIED;
    }

    /* "This function will fail if ... the VHD image is already attached" (through any handle, any
       spelling of its path). SIMULATOR CHOICE: the code is ERROR_SHARING_VIOLATION (32); Windows' exact
       code cannot be verified here. The image's other handles are checked first: an attachment whose
       non-permanent owner was closed has ended. */
    sweep_image(h);
    if (h->image->attach)
        return ERROR_SHARING_VIOLATION;
    /* An asynchronous attach still running on this image, or another long operation ("The virtual disk cannot be
       attached while this operation is in progress"). SIMULATOR CHOICE: ERROR_VHD_INVALID_STATE (0xC03A001C), as
       for a second long operation; checked after "already attached". */
    if (h->image->busy)
        return SIM_ERROR_VHD_INVALID_STATE;

    attach_rec *a = calloc(1, sizeof(*a));
    if (!a)
        return ERROR_NOT_ENOUGH_MEMORY;
    a->path = wdup(h->path);
    a->fullPath = wdup(h->fullPath);
    if (!a->path || !a->fullPath) {
        free_attach(a);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    a->image = h->image;
    a->type = h->type;
    a->owner = h;
    a->ownerHandle = h->handle;
    a->flags = flags;
    a->permanent = (flags & ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME) != 0;
    a->readOnly = readOnly;
    if (flags & ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE) {
        a->restricted = TRUE;
        a->restrictedOffset = params->Version2.RestrictedOffset;
        a->restrictedLength = params->Version2.RestrictedLength;
    }
    if (overlapped) /* it takes `a`, whatever happens */
        return lc_attach_start(h, a, overlapped, durationMs, opId);
    DWORD rc = attach_commit(a, h);
    if (rc != ERROR_SUCCESS)
        free_attach(a);
    return rc;
}

DWORD WINAPI AttachVirtualDisk(HANDLE VirtualDiskHandle, PSECURITY_DESCRIPTOR SecurityDescriptor, DWORD Flags,
                               ULONG ProviderSpecificFlags, PATTACH_VIRTUAL_DISK_PARAMETERS Parameters,
                               LPOVERLAPPED Overlapped)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    /* With an OVERLAPPED the configured delay is the operation's duration: the call itself returns at once. */
    call_begin_ex(&c, FN_ATTACH, Overlapped == NULL);
    /* ProviderSpecificFlags: recorded only. */
    DWORD rc = c.faulted ? c.faultCode
                         : attach_impl(VirtualDiskHandle, SecurityDescriptor, Flags, Parameters, Overlapped,
                                       c.delayMs, &opId);
    /* A synchronous attach that succeeded: what fakedisk.sys said about its disk (sim_fakedisk.c). */
    BOOL fakeAsked = FALSE;
    DWORD fakeDisk = 0, fakeResult = 0;
    if (rc == ERROR_SUCCESS && !c.faulted && !Overlapped) {
        handle_rec *h = handle_find(VirtualDiskHandle);
        attach_rec *a = h ? h->image->attach : NULL;
        if (a && (a->fakeDisk || a->fakeDiskError)) {
            fakeAsked = TRUE;
            fakeDisk = a->diskNumber;
            fakeResult = a->fakeDisk ? ERROR_SUCCESS : a->fakeDiskError;
        }
    }
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "securityDescriptor"); jb_security_descriptor(&b, SecurityDescriptor);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "providerSpecificFlags"); jb_u64(&b, ProviderSpecificFlags);
    jb_key(&b, "params");
    if (!Parameters) {
        jb_null(&b);
    } else {
        ATTACH_VIRTUAL_DISK_PARAMETERS p;
        memcpy(&p, Parameters, sizeof(p));
        jb_raw(&b, "{");
        jb_key(&b, "version"); jb_u64(&b, p.Version);
        jb_key(&b, "raw"); jb_hex(&b, &p, sizeof(p));
        if (p.Version == ATTACH_VIRTUAL_DISK_VERSION_1) {
            jb_key(&b, "reserved"); jb_u64(&b, p.Version1.Reserved);
        } else if (p.Version == ATTACH_VIRTUAL_DISK_VERSION_2) {
            jb_key(&b, "restrictedOffset"); jb_u64str(&b, p.Version2.RestrictedOffset);
            jb_key(&b, "restrictedLength"); jb_u64str(&b, p.Version2.RestrictedLength);
        }
        jb_raw(&b, "}");
    }
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    jb_key(&b, "fakeDisk");
    if (fakeAsked) {
        jb_raw(&b, "{");
        jb_key(&b, "disk"); jb_u64(&b, fakeDisk);
        jb_key(&b, "result"); jb_u64(&b, fakeResult);
        jb_raw(&b, "}");
    } else {
        jb_null(&b);
    }
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ DetachVirtualDisk */

static DWORD detach_impl(HANDLE vh, DWORD flags)
{
    handle_rec *h = live_handle(vh);
    if (!h)
        return ERROR_INVALID_PARAMETER;
    if (flags != DETACH_VIRTUAL_DISK_FLAG_NONE)
        return ERROR_INVALID_PARAMETER;
    /* "must have been opened using the VIRTUAL_DISK_ACCESS_DETACH flag" (Version 1 access masks;
       Version 2/3 handles are opened with VIRTUAL_DISK_ACCESS_NONE). SIMULATOR CHOICE: parameter
       errors (87) are checked before access (5). */
    if (h->version == OPEN_VIRTUAL_DISK_VERSION_1 && !(h->access & VIRTUAL_DISK_ACCESS_DETACH))
        return ERROR_ACCESS_DENIED;
    /* "All other open handles to the virtual disk must be closed" (handles on the same file, however
       its path was spelled). SIMULATOR CHOICE: the code is ERROR_SHARING_VIOLATION (32), checked before
       "not attached". */
    sweep_image(h);
    if (h->image->handleCount > 1)
        return ERROR_SHARING_VIOLATION;
    /* "fail ... if the image is not attached". SIMULATOR CHOICE: ERROR_NOT_READY (21). */
    attach_rec *a = h->image->attach;
    if (!a)
        return ERROR_NOT_READY;
    remove_attach(a); /* whatever its lifetime; the image record stays with h */
    return ERROR_SUCCESS;
}

DWORD WINAPI DetachVirtualDisk(HANDLE VirtualDiskHandle, DWORD Flags, ULONG ProviderSpecificFlags)
{
    call_ctx c;
    call_begin(&c, FN_DETACH);
    DWORD rc = c.faulted ? c.faultCode : detach_impl(VirtualDiskHandle, Flags);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "providerSpecificFlags"); jb_u64(&b, ProviderSpecificFlags);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ GetVirtualDiskPhysicalPath */

static DWORD physical_path_impl(HANDLE vh, PULONG size, PWSTR out)
{
    handle_rec *h = live_handle(vh);
    if (!h)
        return ERROR_INVALID_PARAMETER;
    if (!size)
        return ERROR_INVALID_PARAMETER;
    /* "A handle to the open virtual disk, which must have been opened using the
       VIRTUAL_DISK_ACCESS_GET_INFO flag" (GetVirtualDiskPhysicalPath page; Version 1 access masks). */
    if (h->version == OPEN_VIRTUAL_DISK_VERSION_1 && !(h->access & VIRTUAL_DISK_ACCESS_GET_INFO))
        return ERROR_ACCESS_DENIED;
    /* "the virtual disk ... must be attached" (through any handle on the same file).
       SIMULATOR CHOICE: ERROR_DEV_NOT_EXIST (55). */
    sweep_image(h);
    attach_rec *a = h->image->attach;
    if (!a)
        return ERROR_DEV_NOT_EXIST;
    const ULONG need = (ULONG)((wcslen(a->physicalPath) + 1) * sizeof(WCHAR));
    if (*size < need) {
        *size = need;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    if (!out) /* SIMULATOR CHOICE: a big enough size with no buffer */
        return ERROR_INVALID_PARAMETER;
    memcpy(out, a->physicalPath, need);
    *size = need;
    return ERROR_SUCCESS;
}

DWORD WINAPI GetVirtualDiskPhysicalPath(HANDLE VirtualDiskHandle, PULONG DiskPathSizeInBytes, PWSTR DiskPath)
{
    call_ctx c;
    call_begin(&c, FN_PHYSICAL_PATH);
    const BOOL sizePtr = DiskPathSizeInBytes != NULL;
    const ULONG sizeIn = sizePtr ? *DiskPathSizeInBytes : 0;
    DWORD rc = c.faulted ? c.faultCode : physical_path_impl(VirtualDiskHandle, DiskPathSizeInBytes, DiskPath);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "sizePtr"); jb_bool(&b, sizePtr);
    jb_key(&b, "sizeIn");
    if (sizePtr) jb_u64(&b, sizeIn); else jb_null(&b);
    jb_key(&b, "bufferPtr"); jb_bool(&b, DiskPath != NULL);
    jb_key(&b, "sizeOut");
    if (sizePtr) jb_u64(&b, *DiskPathSizeInBytes); else jb_null(&b);
    jb_key(&b, "physicalPath");
    if (rc == ERROR_SUCCESS && !c.faulted && DiskPath) jb_wstr(&b, DiskPath); else jb_null(&b);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ test controls */

/* Size protocol as GetVirtualDiskPhysicalPath: *size in bytes including the terminating NUL. */
DWORD sim_emit(char *json, char *buf, DWORD *size)
{
    if (!json)
        return ERROR_NOT_ENOUGH_MEMORY;
    size_t need = strlen(json) + 1;
    DWORD rc;
    if (need > MAXDWORD) {
        rc = ERROR_NOT_ENOUGH_MEMORY;
    } else if (*size < need) {
        *size = (DWORD)need;
        rc = ERROR_INSUFFICIENT_BUFFER;
    } else if (!buf) {
        rc = ERROR_INVALID_PARAMETER;
    } else {
        memcpy(buf, json, need);
        *size = (DWORD)need;
        rc = ERROR_SUCCESS;
    }
    free(json);
    return rc;
}

DWORD WINAPI SimGetLog(char *buf, DWORD *size)
{
    if (!size)
        return ERROR_INVALID_PARAMETER;
    jbuf b;
    jb_init(&b);
    EnterCriticalSection(&g.lock);
    sweep_all();
    jb_raw(&b, "[");
    for (size_t i = 0; i < g.logLen; i++) {
        jb_sep(&b);
        jb_raw(&b, g.log[i].json);
    }
    jb_raw(&b, "]");
    LeaveCriticalSection(&g.lock);
    return sim_emit(jb_take(&b), buf, size);
}

DWORD WINAPI SimGetState(char *buf, DWORD *size)
{
    if (!size)
        return ERROR_INVALID_PARAMETER;
    jbuf b;
    jb_init(&b);
    EnterCriticalSection(&g.lock);
    sweep_all();
    jb_raw(&b, "{");
    jb_key(&b, "handles");
    jb_raw(&b, "[");
    for (handle_rec *r = g.firstHandle; r; r = r->next) {
        jb_sep(&b);
        jb_raw(&b, "{");
        jb_key(&b, "handle"); jb_handle(&b, r->handle);
        jb_key(&b, "path"); jb_wstr(&b, r->path);
        jb_key(&b, "fullPath"); jb_wstr(&b, r->fullPath);
        jb_image_id(&b, &r->image->id);
        jb_key(&b, "storageType"); jb_storage_type(&b, &r->type);
        jb_key(&b, "version"); jb_u64(&b, r->version);
        jb_key(&b, "access"); jb_u64(&b, r->access);
        jb_key(&b, "flags"); jb_u64(&b, r->flags);
        jb_key(&b, "rwDepth");
        if (r->version == OPEN_VIRTUAL_DISK_VERSION_1) jb_u64(&b, r->rwDepth); else jb_null(&b);
        jb_key(&b, "readOnly"); jb_bool(&b, r->readOnly);
        jb_key(&b, "getInfoOnly"); jb_bool(&b, r->getInfoOnly);
        jb_key(&b, "created"); jb_bool(&b, r->created);
        jb_raw(&b, "}");
    }
    jb_raw(&b, "]");
    jb_key(&b, "attached");
    jb_raw(&b, "[");
    for (attach_rec *a = g.firstAttach; a; a = a->next) {
        jb_sep(&b);
        jb_raw(&b, "{");
        jb_key(&b, "path"); jb_wstr(&b, a->path);
        jb_key(&b, "fullPath"); jb_wstr(&b, a->fullPath);
        jb_image_id(&b, &a->image->id);
        jb_key(&b, "storageType"); jb_storage_type(&b, &a->type);
        jb_key(&b, "physicalPath"); jb_wstr(&b, a->physicalPath);
        jb_key(&b, "permanent"); jb_bool(&b, a->permanent);
        jb_key(&b, "readOnly"); jb_bool(&b, a->readOnly);
        jb_key(&b, "flags"); jb_u64(&b, a->flags);
        jb_key(&b, "handle"); jb_handle(&b, a->ownerHandle);
        jb_key(&b, "handleOpen"); jb_bool(&b, a->owner != NULL);
        jb_key(&b, "restrictedOffset");
        if (a->restricted) jb_u64str(&b, a->restrictedOffset); else jb_null(&b);
        jb_key(&b, "restrictedLength");
        if (a->restricted) jb_u64str(&b, a->restrictedLength); else jb_null(&b);
        jb_key(&b, "fakeDisk"); jb_bool(&b, a->fakeDisk);
        jb_key(&b, "fakeDiskError"); jb_u64(&b, a->fakeDiskError);
        jb_raw(&b, "}");
    }
    jb_raw(&b, "]");
    jb_key(&b, "handlesCreated"); jb_u64(&b, g.handlesCreated);
    jb_key(&b, "handlesClosed"); jb_u64(&b, g.handlesClosed);
    jb_key(&b, "autoDetached"); jb_u64(&b, g.autoDetached);
    lc_state_members(&b);
    fd_state_members(&b);
    jb_raw(&b, "}");
    LeaveCriticalSection(&g.lock);
    return sim_emit(jb_take(&b), buf, size);
}

static void reset_locked(void)
{
    lc_reset_locked(); /* operation records first: they point at handles and images */
    for (handle_rec *r = g.firstHandle, *next; r; r = next) {
        next = r->next;
        free_handle(r);
    }
    for (attach_rec *a = g.firstAttach, *next; a; a = next) {
        next = a->next;
        fd_detaching(a); /* its disk goes (its layout saved with the image) */
        free_attach(a);
    }
    /* every image record has a handle or an attachment: free them through the table's chains */
    for (size_t i = 0; g.images.buckets && i <= g.images.mask; i++) {
        for (hnode *n = g.images.buckets[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    }
    ht_clear(&g.images);
    ht_clear(&g.handles);
    g.firstHandle = g.lastHandle = NULL;
    g.firstAttach = g.lastAttach = NULL;
    for (size_t i = 0; i < g.logLen; i++)
        free(g.log[i].json);
    free(g.log);
    g.log = NULL;
    g.logLen = g.logCap = 0;
    for (int i = 0; i < FN_COUNT; i++)
        g.faultCode[i] = g.faultCount[i] = g.delayMs[i] = 0;
    g.seq = 0;
    g.generation++;
    g.nextCdrom = 1;
    g.handlesCreated = g.handlesClosed = g.autoDetached = 0;
    sim_volumes_reset_locked();
    fd_reset_locked();
}

/* Forgets everything (no sweep needed: every record goes, its client end closed; nothing counts as "seen closed").
   Running long operations are aborted first (as if cancelled: status 995, the caller's OVERLAPPED completed). */
void WINAPI SimReset(void)
{
    lc_abort_all_and_wait(); /* running operations end (status 995) before their records go */
    EnterCriticalSection(&g.lock);
    reset_locked();
    LeaveCriticalSection(&g.lock);
}

int fn_index(const WCHAR *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < FN_COUNT; i++)
        if (wcscmp(name, FN_NAMES_W[i]) == 0)
            return i;
    return -1;
}

/* The next `count` calls of `function` return `code` (after logging) without doing anything.
   count 0 clears; count INFINITE (0xFFFFFFFF) never runs out. Unknown names are ignored. */
void WINAPI SimSetFault(const WCHAR *function, DWORD code, DWORD count)
{
    int i = fn_index(function);
    if (i < 0) {
        EnterCriticalSection(&g.lock);
        sim_volumes_set_fault_locked(function, code, count);
        LeaveCriticalSection(&g.lock);
        return;
    }
    EnterCriticalSection(&g.lock);
    sweep_all();
    g.faultCode[i] = code;
    g.faultCount[i] = count;
    LeaveCriticalSection(&g.lock);
}

/* `function` sleeps `ms` (outside the simulator's lock) before doing its work; 0 clears. */
void WINAPI SimSetDelay(const WCHAR *function, DWORD ms)
{
    int i = fn_index(function);
    if (i < 0)
        return;
    EnterCriticalSection(&g.lock);
    sweep_all();
    g.delayMs[i] = ms;
    LeaveCriticalSection(&g.lock);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        InitializeCriticalSection(&g.lock);
        QueryPerformanceFrequency(&g.qpcFreq);
        ht_init(&g.handles, 256); /* on failure the first insert tries again */
        ht_init(&g.images, 256);
        g.nextCdrom = 1;
        lc_init();
    } else if (reason == DLL_PROCESS_DETACH) {
        /* ExitProcess (reserved non-NULL): the other threads are gone; if one of them held the lock, nothing is
         * saved. FreeLibrary (reserved NULL: koffi unloads its libraries when node.exe ends its event loop without
         * process.exit): the other threads still run, so the lock is waited for. Either way the disks this process
         * still has attached (permanent ones included) save their layouts before the driver removes them. */
        if (reserved ? TryEnterCriticalSection(&g.lock) : (EnterCriticalSection(&g.lock), TRUE)) {
            for (attach_rec *a = g.firstAttach; a; a = a->next)
                fd_process_exit(a);
            LeaveCriticalSection(&g.lock);
        }
    }
    return TRUE;
}

/* ==================================================================================================
 * Attached disks (issue 8): GetAllAttachedVirtualDiskPhysicalPaths, GetStorageDependencyInformation,
 * and their controls SimSetNextPhysicalPath, SimSetListStyle. Faults: SimSetFault with either name.
 *
 * GetAllAttachedVirtualDiskPhysicalPaths has no reference page: SimSetListStyle chooses what its strings
 * are, the image files' full paths (0, the default: what Microsoft's sample and third-party users read them
 * as) or the disks' physical paths (1), so that a library can be tested against both readings.
 * GetStorageDependencyInformation identifies the disk the caller opened by asking IOCTL_STORAGE_GET_DEVICE_NUMBER
 * on the handle (a real device: under Wine \\.\PhysicalDrive0 or a cdrom drive's \\.\CdRom0, which is what
 * SimSetNextPhysicalPath lets an attachment be), and answers with the SDK's layouts: TYPE_2 entries whose four
 * strings point into the caller's buffer, after the entries.
 * ================================================================================================== */
#include <winioctl.h>

#define SIM_GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE 0x2u
#define SIM_DEPENDENT_DISK_FLAG_READ_ONLY 0x4u
#define SIM_DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER 0x80u
#define SIM_DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME 0x400u
#define SIM_STORAGE_DEPENDENCY_INFO_VERSION_1 1u
#define SIM_STORAGE_DEPENDENCY_INFO_VERSION_2 2u
#define SIM_ERROR_VIRTDISK_NOT_VIRTUAL_DISK ((DWORD)0xC03A0015u)
/* SIMULATOR CHOICE: the level reported for the attached image itself (undocumented: "The ancestor level"). */
#define SIM_IMAGE_ANCESTOR_LEVEL 1u

/* virtdisk.h (SDK 10.0.22000): STORAGE_DEPENDENCY_INFO is { DWORD Version; ULONG NumberEntries; union of
   flexible arrays } with sizeof 8; the entries start at offset 8. */
typedef struct SIM_STORAGE_DEPENDENCY_INFO_TYPE_1 {
    DWORD DependencyTypeFlags; /* DEPENDENT_DISK_FLAG */
    ULONG ProviderSpecificFlags;
    VIRTUAL_STORAGE_TYPE VirtualStorageType;
} SIM_STORAGE_DEPENDENCY_INFO_TYPE_1;

typedef struct SIM_STORAGE_DEPENDENCY_INFO_TYPE_2 {
    DWORD DependencyTypeFlags;
    ULONG ProviderSpecificFlags;
    VIRTUAL_STORAGE_TYPE VirtualStorageType;
    ULONG AncestorLevel;
    PWSTR DependencyDeviceName;
    PWSTR HostVolumeName;
    PWSTR DependentVolumeName;
    PWSTR DependentVolumeRelativePath;
} SIM_STORAGE_DEPENDENCY_INFO_TYPE_2;

#define SIM_STORAGE_DEPENDENCY_INFO_ENTRIES 8u

_Static_assert(sizeof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_1) == 28, "STORAGE_DEPENDENCY_INFO_TYPE_1 size");
_Static_assert(sizeof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_2) == 64, "STORAGE_DEPENDENCY_INFO_TYPE_2 size");
_Static_assert(offsetof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_2, AncestorLevel) == 28, "TYPE_2 AncestorLevel");
_Static_assert(offsetof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_2, DependencyDeviceName) == 32, "TYPE_2 DependencyDeviceName");
_Static_assert(offsetof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_2, DependentVolumeRelativePath) == 56, "TYPE_2 DependentVolumeRelativePath");
_Static_assert(sizeof(STORAGE_DEVICE_NUMBER) == 12, "STORAGE_DEVICE_NUMBER size");

enum { FNV_ALL_ATTACHED, FNV_DEPENDENCY, FNV_COUNT };
static const WCHAR *const FNV_NAMES_W[FNV_COUNT] = { L"GetAllAttachedVirtualDiskPhysicalPaths", L"GetStorageDependencyInformation" };
static const char *const FNV_NAMES[FNV_COUNT] = { "GetAllAttachedVirtualDiskPhysicalPaths", "GetStorageDependencyInformation" };

static struct {
    BOOL hasNextPhysicalPath;
    WCHAR nextPhysicalPath[40];
    DWORD listStyle; /* 0: image files' full paths, 1: physical paths */
    DWORD faultCode[FNV_COUNT], faultCount[FNV_COUNT];
} gv;

static BOOL sim_volumes_take_physical_path(WCHAR *out, size_t cap)
{
    if (!gv.hasNextPhysicalPath || wcslen(gv.nextPhysicalPath) + 1 > cap)
        return FALSE;
    wcscpy(out, gv.nextPhysicalPath);
    gv.hasNextPhysicalPath = FALSE;
    return TRUE;
}

static void sim_volumes_reset_locked(void)
{
    memset(&gv, 0, sizeof(gv));
}

static BOOL sim_volumes_set_fault_locked(const WCHAR *function, DWORD code, DWORD count)
{
    for (int i = 0; function && i < FNV_COUNT; i++) {
        if (wcscmp(function, FNV_NAMES_W[i]) == 0) {
            gv.faultCode[i] = code;
            gv.faultCount[i] = count;
            return TRUE;
        }
    }
    return FALSE;
}

/* The call bracket of this section: returns with the lock HELD (as call_begin does). */
static void vcall_begin(call_ctx *c, int fn)
{
    memset(c, 0, sizeof(*c));
    c->fn = fn;
    c->tid = GetCurrentThreadId();
    c->start = now_micros();
    EnterCriticalSection(&g.lock);
    c->seq = ++g.seq;
    c->generation = g.generation;
    if (gv.faultCount[fn]) {
        c->faulted = TRUE;
        c->faultCode = gv.faultCode[fn];
        if (gv.faultCount[fn] != INFINITE)
            gv.faultCount[fn]--;
    }
}

static void vlog_header(jbuf *b, const call_ctx *c, DWORD rc)
{
    jb_raw(b, "{");
    jb_key(b, "seq"); jb_u64(b, c->seq);
    jb_key(b, "fn"); jb_str(b, FNV_NAMES[c->fn]);
    jb_key(b, "threadId"); jb_u64(b, c->tid);
    jb_key(b, "start"); jb_ms(b, c->start);
    jb_key(b, "end"); jb_ms(b, now_micros());
    jb_key(b, "delayMs"); jb_u64(b, 0);
    jb_key(b, "fault"); jb_bool(b, c->faulted);
    jb_key(b, "result"); jb_u64(b, rc);
}

static const WCHAR *listed_name(const attach_rec *a)
{
    return gv.listStyle == 1 ? a->physicalPath : a->fullPath;
}

DWORD WINAPI GetAllAttachedVirtualDiskPhysicalPaths(PULONG PathsBufferSizeInBytes, PWSTR PathsBuffer)
{
    call_ctx c;
    vcall_begin(&c, FNV_ALL_ATTACHED);
    const BOOL sizePtr = PathsBufferSizeInBytes != NULL;
    const ULONG sizeIn = sizePtr ? *PathsBufferSizeInBytes : 0;
    const DWORD style = gv.listStyle;
    DWORD rc, count = 0;
    if (c.faulted) {
        rc = c.faultCode;
    } else if (!sizePtr) {
        rc = ERROR_INVALID_PARAMETER;
    } else {
        sweep_all(); /* attachments whose handle was closed have ended */
        size_t need = sizeof(WCHAR); /* the list's closing NUL */
        for (attach_rec *a = g.firstAttach; a; a = a->next, count++)
            need += (wcslen(listed_name(a)) + 1) * sizeof(WCHAR);
        if (count == 0)
            need = 2 * sizeof(WCHAR); /* SIMULATOR CHOICE: no disk = an empty MULTI_SZ, two NULs */
        if (*PathsBufferSizeInBytes < need) {
            *PathsBufferSizeInBytes = (ULONG)need;
            rc = ERROR_INSUFFICIENT_BUFFER;
        } else if (!PathsBuffer) {
            rc = ERROR_INVALID_PARAMETER;
        } else {
            WCHAR *w = PathsBuffer;
            for (attach_rec *a = g.firstAttach; a; a = a->next) {
                size_t n = wcslen(listed_name(a)) + 1;
                memcpy(w, listed_name(a), n * sizeof(WCHAR));
                w += n;
            }
            *w++ = 0;
            if (count == 0)
                *w = 0;
            *PathsBufferSizeInBytes = (ULONG)need;
            rc = ERROR_SUCCESS;
        }
    }
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    vlog_header(&b, &c, rc);
    jb_key(&b, "sizePtr"); jb_bool(&b, sizePtr);
    jb_key(&b, "sizeIn"); if (sizePtr) jb_u64(&b, sizeIn); else jb_null(&b);
    jb_key(&b, "bufferPtr"); jb_bool(&b, PathsBuffer != NULL);
    jb_key(&b, "sizeOut"); if (sizePtr) jb_u64(&b, *PathsBufferSizeInBytes); else jb_null(&b);
    jb_key(&b, "style"); jb_str(&b, style == 1 ? "physicalPaths" : "imagePaths");
    jb_key(&b, "count"); jb_u64(&b, count);
    log_append(&c, &b);
    return rc;
}

/* What the dependency entry of one attachment says, copied out under the lock. */
typedef struct dep_source {
    WCHAR physicalPath[40];
    WCHAR *fullPath;
    VIRTUAL_STORAGE_TYPE type;
    DWORD flags;
} dep_source;

static DWORD dependency_source(HANDLE object, STORAGE_DEVICE_NUMBER *number, dep_source *src)
{
    DWORD got = 0;
    if (!DeviceIoControl(object, IOCTL_STORAGE_GET_DEVICE_NUMBER, NULL, 0, number, sizeof(*number), &got, NULL) ||
        got < sizeof(*number))
        return last_error(ERROR_INVALID_HANDLE);
    WCHAR name[40];
    append_digits(name, ARRAYSIZE(name), number->DeviceType == FILE_DEVICE_CD_ROM ? L"\\\\.\\CDROM" : L"\\\\.\\PhysicalDrive",
                  number->DeviceNumber);
    DWORD rc = SIM_ERROR_VIRTDISK_NOT_VIRTUAL_DISK; /* SIMULATOR CHOICE: a disk no image is attached as */
    EnterCriticalSection(&g.lock);
    sweep_all();
    for (attach_rec *a = g.firstAttach; a; a = a->next) {
        if (_wcsicmp(a->physicalPath, name) != 0)
            continue;
        wcscpy(src->physicalPath, a->physicalPath);
        src->fullPath = wdup(a->fullPath);
        src->type = a->type;
        src->flags = (a->readOnly ? SIM_DEPENDENT_DISK_FLAG_READ_ONLY : 0) |
                     (a->permanent ? SIM_DEPENDENT_DISK_FLAG_PERMANENT_LIFETIME : 0) |
                     ((a->flags & ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER) ? SIM_DEPENDENT_DISK_FLAG_NO_DRIVE_LETTER : 0);
        rc = src->fullPath ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
        break;
    }
    LeaveCriticalSection(&g.lock);
    return rc;
}

static DWORD dependency_impl(HANDLE object, DWORD flags, ULONG size, BYTE *info, PULONG sizeUsed, STORAGE_DEVICE_NUMBER *number,
                             DWORD *entries)
{
    if (!info)
        return ERROR_INVALID_PARAMETER;
    if (size < SIM_STORAGE_DEPENDENCY_INFO_ENTRIES) {
        if (sizeUsed)
            *sizeUsed = SIM_STORAGE_DEPENDENCY_INFO_ENTRIES;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    DWORD version;
    memcpy(&version, info, sizeof(version));
    /* SIMULATOR CHOICE: the caller must have written Version (1 or 2) into the buffer: 87 otherwise. */
    if (version != SIM_STORAGE_DEPENDENCY_INFO_VERSION_1 && version != SIM_STORAGE_DEPENDENCY_INFO_VERSION_2)
        return ERROR_INVALID_PARAMETER;
    if (!(flags & SIM_GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE)) {
        /* SIMULATOR CHOICE: a volume or root-directory handle is answered as Wine's builtin does: no entries. */
        ULONG none = 0;
        memcpy(info + 4, &none, sizeof(none));
        if (sizeUsed)
            *sizeUsed = SIM_STORAGE_DEPENDENCY_INFO_ENTRIES;
        return ERROR_SUCCESS;
    }
    dep_source src;
    memset(&src, 0, sizeof(src));
    DWORD rc = dependency_source(object, number, &src);
    if (rc != ERROR_SUCCESS)
        return rc;

    /* The host volume and the path on it: GetVolumePathNameW + GetVolumeNameForVolumeMountPointW. */
    WCHAR root[MAX_PATH + 1] = { 0 }, host[64] = { 0 };
    const WCHAR *relative = src.fullPath;
    if (GetVolumePathNameW(src.fullPath, root, ARRAYSIZE(root)) && GetVolumeNameForVolumeMountPointW(root, host, ARRAYSIZE(host))) {
        size_t n = wcslen(root);
        if (_wcsnicmp(src.fullPath, root, n) == 0)
            relative = src.fullPath + n; /* no leading backslash: HostVolumeName ends in one */
    } else {
        host[0] = 0;
    }
    const WCHAR *strings[4] = { src.physicalPath, host, L"", relative };
    const BOOL v2 = version == SIM_STORAGE_DEPENDENCY_INFO_VERSION_2;
    size_t need = SIM_STORAGE_DEPENDENCY_INFO_ENTRIES +
                  (v2 ? sizeof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_2) : sizeof(SIM_STORAGE_DEPENDENCY_INFO_TYPE_1));
    if (v2)
        for (int i = 0; i < 4; i++)
            need += (wcslen(strings[i]) + 1) * sizeof(WCHAR);
    if (size < need) {
        if (sizeUsed)
            *sizeUsed = (ULONG)need;
        free(src.fullPath);
        return ERROR_INSUFFICIENT_BUFFER;
    }
    ULONG one = 1;
    memcpy(info + 4, &one, sizeof(one));
    if (v2) {
        SIM_STORAGE_DEPENDENCY_INFO_TYPE_2 e;
        memset(&e, 0, sizeof(e));
        e.DependencyTypeFlags = src.flags;
        e.VirtualStorageType = src.type;
        e.AncestorLevel = SIM_IMAGE_ANCESTOR_LEVEL;
        size_t at = SIM_STORAGE_DEPENDENCY_INFO_ENTRIES + sizeof(e);
        PWSTR *fields[4] = { &e.DependencyDeviceName, &e.HostVolumeName, &e.DependentVolumeName, &e.DependentVolumeRelativePath };
        for (int i = 0; i < 4; i++) {
            size_t n = (wcslen(strings[i]) + 1) * sizeof(WCHAR);
            memcpy(info + at, strings[i], n);
            *fields[i] = (PWSTR)(info + at); /* into the caller's buffer */
            at += n;
        }
        memcpy(info + SIM_STORAGE_DEPENDENCY_INFO_ENTRIES, &e, sizeof(e));
    } else {
        SIM_STORAGE_DEPENDENCY_INFO_TYPE_1 e;
        memset(&e, 0, sizeof(e));
        e.DependencyTypeFlags = src.flags;
        e.VirtualStorageType = src.type;
        memcpy(info + SIM_STORAGE_DEPENDENCY_INFO_ENTRIES, &e, sizeof(e));
    }
    if (sizeUsed)
        *sizeUsed = (ULONG)need;
    *entries = 1;
    free(src.fullPath);
    return ERROR_SUCCESS;
}

DWORD WINAPI GetStorageDependencyInformation(HANDLE ObjectHandle, DWORD Flags, ULONG StorageDependencyInfoSize,
                                             void *StorageDependencyInfo, PULONG SizeUsed)
{
    call_ctx c;
    vcall_begin(&c, FNV_DEPENDENCY);
    LeaveCriticalSection(&g.lock); /* the device is asked without it; dependency_source takes it */
    BYTE *info = StorageDependencyInfo;
    DWORD versionIn = 0;
    const BOOL readable = info && StorageDependencyInfoSize >= sizeof(DWORD);
    if (readable)
        memcpy(&versionIn, info, sizeof(versionIn));
    STORAGE_DEVICE_NUMBER number;
    memset(&number, 0xff, sizeof(number));
    DWORD entries = 0;
    DWORD rc = c.faulted ? c.faultCode
                         : dependency_impl(ObjectHandle, Flags, StorageDependencyInfoSize, info, SizeUsed, &number, &entries);

    jbuf b;
    jb_init(&b);
    vlog_header(&b, &c, rc);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "size"); jb_u64(&b, StorageDependencyInfoSize);
    jb_key(&b, "versionIn"); if (readable) jb_u64(&b, versionIn); else jb_null(&b);
    jb_key(&b, "sizeUsedPtr"); jb_bool(&b, SizeUsed != NULL);
    jb_key(&b, "sizeUsed"); if (SizeUsed) jb_u64(&b, *SizeUsed); else jb_null(&b);
    jb_key(&b, "device");
    if (number.DeviceType != 0xffffffffu) {
        jb_raw(&b, "{");
        jb_key(&b, "type"); jb_u64(&b, number.DeviceType);
        jb_key(&b, "number"); jb_u64(&b, number.DeviceNumber);
        jb_raw(&b, "}");
    } else {
        jb_null(&b);
    }
    jb_key(&b, "entries"); jb_u64(&b, entries);
    log_append(&c, &b);
    return rc;
}

/* The next successful AttachVirtualDisk gets this physical path (e.g. \\.\PhysicalDrive0, a disk Wine has);
   NULL or "" clears. One-shot. */
void WINAPI SimSetNextPhysicalPath(const WCHAR *path)
{
    EnterCriticalSection(&g.lock);
    gv.hasNextPhysicalPath = path && path[0] && wcslen(path) < ARRAYSIZE(gv.nextPhysicalPath);
    if (gv.hasNextPhysicalPath)
        wcscpy(gv.nextPhysicalPath, path);
    LeaveCriticalSection(&g.lock);
}

/* What GetAllAttachedVirtualDiskPhysicalPaths lists: 0 image files' full paths (default), 1 physical paths. */
void WINAPI SimSetListStyle(DWORD style)
{
    EnterCriticalSection(&g.lock);
    gv.listStyle = style == 1 ? 1 : 0;
    LeaveCriticalSection(&g.lock);
}
