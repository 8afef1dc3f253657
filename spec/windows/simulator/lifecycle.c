/*
 * The virtual-disk lifecycle functions of the virtdisk.dll simulator: CreateVirtualDisk,
 * GetVirtualDiskInformation, SetVirtualDiskInformation, GetVirtualDiskOperationProgress, ResizeVirtualDisk,
 * CompactVirtualDisk, MergeVirtualDisk, ExpandVirtualDisk (prototypes: SDK 10.0.22000 um/virtdisk.h).
 *
 * What an image "contains" lives in its file (meta.h), so it survives closing and reopening.
 *
 * Long operations (Create, Resize, Compact, Merge, Expand). Each runs for a configurable duration
 * (SimSetDuration, default 50 ms) in OP_STEPS steps; progress goes from 0 to CompletionValue and only up
 * (CompletionValue: the new virtual size in MiB for create/resize/expand, the physical size in MiB for compact,
 * the leaf's virtual size in MiB for merge). The result is applied to the metadata when it succeeds.
 * AttachVirtualDisk with an OVERLAPPED runs through the same machinery (lc_attach_start; the checks are
 * virtdisk.c's attach_impl): its duration is the SimSetDelay value of AttachVirtualDisk (SIMULATOR CHOICE: one
 * knob for "how long an attach takes", slept inside a synchronous call, the time to completion of an
 * asynchronous one; SimSetDuration ignores AttachVirtualDisk), SimSetCompletionFault applies to it, its result
 * is the attachment, made only at successful completion (a cancel, SimReset or an injected failure leaves
 * nothing attached), and progress goes 0..100 (SIMULATOR CHOICE: CompletionValue 100; whether Windows answers
 * GetVirtualDiskOperationProgress for an attach's OVERLAPPED at all is an open question). A synchronous attach is
 * no operation: no record, no progress, no SimSetCompletionFault.
 *   - Without an OVERLAPPED the calling thread does the work and the function returns the result.
 *   - With an OVERLAPPED the function returns ERROR_IO_PENDING at once. A simulator thread issues a REAL
 *     overlapped ReadFile with the caller's OVERLAPPED on (a duplicate of) the caller's virtual-disk handle,
 *     which is the server end of an overlapped named pipe (virtdisk.c). Wine sets OVERLAPPED.Internal to
 *     STATUS_PENDING. While the ReadFile call is made, hEvent is swapped for a private event of the operation
 *     (restored before the function returns), so Wine signals the private event and the simulator signals the
 *     caller's event itself, after the operation's final state is recorded:
 *       success: the metadata is written, then a zero-length message to the pipe's client end completes the
 *         read: Wine writes Internal = 0 (STATUS_SUCCESS), InternalHigh = 0 (if the caller's CancelIoEx won that
 *         race after all, the metadata is put back and the message read away: the operation was cancelled);
 *       the caller's CancelIoEx(handle, ov) (or CancelIoEx(handle, NULL)): Wine cancels the read, Internal =
 *         0xC0000120 STATUS_CANCELLED; the operation stops, records 995 and applies nothing;
 *       an injected failure (SimSetCompletionFault): the simulator cancels the read itself, then overwrites
 *         Internal with the failure's NTSTATUS (0xC0070000 | code for codes below 0x10000, else the code
 *         itself) before the event is signalled;
 *       SimReset: like a cancel (995).
 *     Then the caller's event is signalled (SetEvent; with hEvent NULL, a second, immediately completing
 *     read without an event signals the handle itself, as Windows signals a file handle). GetOverlappedResult
 *     is Wine's own: TRUE for success, FALSE with RtlNtStatusToDosError(Internal) otherwise (995; 317 under
 *     Wine for 0xC03A.... codes, which Wine's table does not map). The issuing thread lives until the read
 *     completes: Wine cancels a read whose issuing thread exits (probed). Verified under Wine 8.0 with
 *     probe-overlapped.c (see its .out).
 *     Order: Internal is final before the event is signalled. For success and cancel Wine writes it, so it is
 *     final at once, and the simulator records the status right after (a progress query in that instant still
 *     answers 997). For injected failures a window remains between Wine's completion of the self-cancelled
 *     read and the simulator's overwrite (microseconds) where Internal reads STATUS_CANCELLED; the event is not
 *     signalled yet, so only a caller that polls Internal / GetOverlappedResult(bWait=FALSE) could see it.
 *   GetVirtualDiskOperationProgress(handle, ov) answers OperationStatus 997 until the final state is recorded,
 *   then the final code; it knows the operations started on that handle (the last OP_KEEP_PER_HANDLE finished
 *   ones too) and answers ERROR_NOT_FOUND for another OVERLAPPED.
 *   While an operation runs, the simulator holds duplicates of the handle's pipe ends: a caller that closes
 *   its handle meanwhile does not cancel it (SIMULATOR CHOICE); the close is noticed once it has finished.
 *
 * One long operation per image at a time (SIMULATOR CHOICE: another one, SetVirtualDiskInformation or an
 * AttachVirtualDisk gets ERROR_VHD_INVALID_STATE 0xC03A001C meanwhile).
 *
 * Every call is logged like the functions of virtdisk.c (see spec/windows/simulator.ts for the record shapes).
 * Where Windows' behaviour or code is not documented, the choice is marked SIMULATOR CHOICE.
 */
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define OP_STEPS 10
#define OP_DEFAULT_DURATION_MS 50
#define OP_KEEP_FINISHED 256   /* finished operations SimGetOperations still lists */
#define OP_KEEP_PER_HANDLE 16  /* finished operations GetVirtualDiskOperationProgress still knows, per handle */
#define CHAIN_MAX 64           /* differencing chain depth the simulator follows */
#define INFO_VERSIONS 32       /* GET_VIRTUAL_DISK_INFO versions SimSetInfoFault can target (0..31) */

#define SIM_STATUS_CANCELLED 0xC0000120u
#define ATTACH_COMPLETION 100  /* SIMULATOR CHOICE: an asynchronous attach's CompletionValue (a percentage) */

/* ------------------------------------------------------------------ records */

typedef struct meta_edit {
    WCHAR *path;
    sim_meta before, after;
    BOOL written;
} meta_edit;

typedef struct op_rec {
    struct op_rec *prev, *next;   /* lc.first .. lc.last: every operation kept */
    struct op_rec *hprev, *hnext; /* handle->ops, newest first */
    struct op_rec *fprev, *fnext; /* lc.ffirst .. lc.flast: the finished ones, in finishing order */
    BOOL inFinished;
    handle_rec *handle;           /* NULL once unlinked from its handle */
    LONG refs;                    /* the list, the issuing thread, the API call */
    BOOL listed;                  /* still in lc's list (SimReset forgets it) */
    unsigned long long id;
    int fn;
    HANDLE handleValue;           /* the caller's handle (for the listing) */
    WCHAR *path;                  /* the image file */
    DWORD deviceId;               /* the handle's storage type: for files without metadata */
    image_rec *image;             /* referenced (image->opRefs) while running */
    OVERLAPPED *ov;               /* the caller's; NULL for a synchronous operation */
    HANDLE callerEvent;           /* ov->hEvent when the operation started */
    HANDLE server, client;        /* duplicates of the handle's pipe ends (asynchronous only) */
    HANDLE privEvent, wakeEvent, issued, thread;
    BOOL running, threadDone, referencesOverlapped, cancelled, aborted;
    DWORD status, issueError, durationMs;
    BOOL failInjected;
    DWORD failCode;
    ULONGLONG current, completion;
    unsigned long long start, end;
    /* what the operation does */
    DWORD flags;
    ULONGLONG newSize;                 /* resize, expand */
    DWORD mergeSource, mergeTarget;    /* merge: depths from the leaf (1) */
    sim_meta createMeta;               /* create: the metadata of the finished image */
    BOOL hasCreateMeta;
    meta_edit *edits;                  /* commit / rollback */
    size_t editCount;
    attach_rec *attach;                /* attach: prepared, made the image's at commit (then NULL) */
    attach_rec *attached;              /* attach: committed and still to be undone by a rollback */
    char buf[8];
} op_rec;

static struct {
    op_rec *first, *last;
    op_rec *ffirst, *flast; /* finished operations still listed, oldest first (trimmed from the front) */
    size_t finished;
    unsigned long long nextId, started;
    DWORD running, overlappedReferenced;
    DWORD threads; /* operation threads that have not released their kernel objects yet (not reset) */
    DWORD durationMs[FN_COUNT];
    DWORD completionFaultCode[FN_COUNT], completionFaultCount[FN_COUNT];
    DWORD infoFaultCode[INFO_VERSIONS], infoFaultCount[INFO_VERSIONS];
    ULONG(WINAPI *ntStatusToDosError)(LONG);
} lc;

static void lc_controls_default(void)
{
    for (int i = 0; i < FN_COUNT; i++) {
        lc.durationMs[i] = FN_IS_LONG(i) ? OP_DEFAULT_DURATION_MS : 0;
        lc.completionFaultCode[i] = lc.completionFaultCount[i] = 0;
    }
    for (int i = 0; i < INFO_VERSIONS; i++)
        lc.infoFaultCode[i] = lc.infoFaultCount[i] = 0;
}

void lc_init(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    lc.ntStatusToDosError = ntdll ? (ULONG(WINAPI *)(LONG))(void *)GetProcAddress(ntdll, "RtlNtStatusToDosError") : NULL;
    lc_controls_default();
}

static DWORD status_to_win32(ULONG_PTR status)
{
    if (status == 0)
        return ERROR_SUCCESS;
    if ((DWORD)status == SIM_STATUS_CANCELLED)
        return ERROR_OPERATION_ABORTED;
    return lc.ntStatusToDosError ? lc.ntStatusToDosError((LONG)status) : (DWORD)status;
}

/* The NTSTATUS the simulator puts in OVERLAPPED.Internal for a failure `code` (SIMULATOR CHOICE). */
static ULONG_PTR win32_to_status(DWORD code)
{
    return (code & 0xFFFF0000u) ? (ULONG_PTR)code : (ULONG_PTR)(0xC0070000u | code);
}

static void edits_free(op_rec *op)
{
    for (size_t i = 0; i < op->editCount; i++) {
        free(op->edits[i].path);
        meta_free(&op->edits[i].before);
        meta_free(&op->edits[i].after);
    }
    free(op->edits);
    op->edits = NULL;
    op->editCount = 0;
}

static void op_free(op_rec *op)
{
    edits_free(op);
    if (op->attach)
        attach_discard(op->attach);
    meta_free(&op->createMeta);
    free(op->path);
    HANDLE hs[] = { op->server, op->client, op->privEvent, op->wakeEvent, op->issued, op->thread };
    for (size_t i = 0; i < ARRAYSIZE(hs); i++)
        if (hs[i])
            CloseHandle(hs[i]);
    free(op);
}

/* lock held */
static void op_release(op_rec *op)
{
    if (--op->refs == 0)
        op_free(op);
}

/* lock held */
static void op_unlink_handle(op_rec *op)
{
    handle_rec *h = op->handle;
    if (!h)
        return;
    if (op->hprev)
        op->hprev->hnext = op->hnext;
    else
        h->ops = op->hnext;
    if (op->hnext)
        op->hnext->hprev = op->hprev;
    op->hprev = op->hnext = NULL;
    op->handle = NULL;
    h->opCount--;
}

/* lock held: leaves the global list (and its handle's). */
static void op_unlist(op_rec *op)
{
    op_unlink_handle(op);
    if (op->prev)
        op->prev->next = op->next;
    else
        lc.first = op->next;
    if (op->next)
        op->next->prev = op->prev;
    else
        lc.last = op->prev;
    op->prev = op->next = NULL;
    op->listed = FALSE;
    if (op->inFinished) {
        if (op->fprev)
            op->fprev->fnext = op->fnext;
        else
            lc.ffirst = op->fnext;
        if (op->fnext)
            op->fnext->fprev = op->fprev;
        else
            lc.flast = op->fprev;
        op->fprev = op->fnext = NULL;
        op->inFinished = FALSE;
        lc.finished--;
    }
    op_release(op);
}

/* lock held: a new operation of `fn` on handle `h` (NULL for a synchronous create) and image file `path`. */
static op_rec *op_new(int fn, handle_rec *h, const WCHAR *path, DWORD deviceId, OVERLAPPED *ov)
{
    op_rec *op = calloc(1, sizeof(*op));
    if (!op)
        return NULL;
    op->path = wdup(path);
    op->wakeEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!op->path || !op->wakeEvent) {
        op_free(op);
        return NULL;
    }
    op->id = ++lc.nextId;
    op->fn = fn;
    op->deviceId = deviceId;
    op->ov = ov;
    op->callerEvent = ov ? ov->hEvent : NULL;
    op->running = TRUE;
    op->status = ERROR_IO_PENDING;
    op->durationMs = lc.durationMs[fn];
    op->start = now_micros();
    if (lc.completionFaultCount[fn]) {
        op->failInjected = TRUE;
        op->failCode = lc.completionFaultCode[fn];
        if (lc.completionFaultCount[fn] != INFINITE)
            lc.completionFaultCount[fn]--;
    }
    /* global list */
    op->refs = 1;
    op->listed = TRUE;
    op->prev = lc.last;
    if (lc.last)
        lc.last->next = op;
    else
        lc.first = op;
    lc.last = op;
    /* its handle's list and its image */
    if (h) {
        op->handle = h;
        op->handleValue = h->handle;
        op->hnext = h->ops;
        if (h->ops)
            h->ops->hprev = op;
        h->ops = op;
        h->opCount++;
        op->image = h->image;
        op->image->busy = op;
        op->image->opRefs++;
    }
    lc.running++;
    lc.started++;
    if (ov) {
        op->referencesOverlapped = TRUE;
        lc.overlappedReferenced++;
    }
    return op;
}

/* lock held: forget the oldest finished operations beyond the limits (O(1): a handle holds at most one running
   operation and OP_KEEP_PER_HANDLE + 1 finished ones; the global excess comes off the finished FIFO's front). */
static void op_trim(handle_rec *h)
{
    if (h && h->opCount > OP_KEEP_PER_HANDLE) {
        unsigned kept = 0;
        for (op_rec *o = h->ops, *next; o; o = next) {
            next = o->hnext;
            if (!o->running && ++kept > OP_KEEP_PER_HANDLE)
                op_unlink_handle(o);
        }
    }
    while (lc.finished > OP_KEEP_FINISHED && lc.ffirst)
        op_unlist(lc.ffirst);
}

/* lock held: the operation's final state. From here on the simulator no longer touches the OVERLAPPED. */
static void op_finish(op_rec *op, DWORD status)
{
    op->status = status;
    op->running = FALSE;
    op->end = now_micros();
    if (op->attach) { /* an attach that did not succeed: nothing was attached */
        attach_discard(op->attach);
        op->attach = NULL;
    }
    op->attached = NULL; /* a successful attach belongs to its image now */
    if (op->image) {
        if (op->image->busy == op)
            op->image->busy = NULL;
        op->image->opRefs--;
        image_release_if_unused(op->image);
        op->image = NULL;
    }
    if (op->listed) {
        lc.running--;
        if (op->referencesOverlapped)
            lc.overlappedReferenced--;
        op->inFinished = TRUE;
        op->fprev = lc.flast;
        op->fnext = NULL;
        if (lc.flast)
            lc.flast->fnext = op;
        else
            lc.ffirst = op;
        lc.flast = op;
        lc.finished++;
    }
    op->referencesOverlapped = FALSE;
    if (op->listed)
        op_trim(op->handle);
}

static void op_progress(op_rec *op, unsigned step)
{
    EnterCriticalSection(&g.lock);
    op->current = op->completion * step / OP_STEPS;
    LeaveCriticalSection(&g.lock);
}

/* ------------------------------------------------------------------ metadata helpers */

static BOOL fully_qualified(const WCHAR *p)
{
    if (!p)
        return FALSE;
    if (((p[0] >= L'A' && p[0] <= L'Z') || (p[0] >= L'a' && p[0] <= L'z')) && p[1] == L':' &&
        (p[2] == L'\\' || p[2] == L'/'))
        return TRUE;
    return (p[0] == L'\\' || p[0] == L'/') && (p[1] == L'\\' || p[1] == L'/');
}

static BOOL is_remote(const WCHAR *p)
{
    if (!p || !((p[0] == L'\\' || p[0] == L'/') && (p[1] == L'\\' || p[1] == L'/')))
        return FALSE;
    if ((p[2] == L'?' || p[2] == L'.') && (p[3] == L'\\' || p[3] == L'/'))
        return _wcsnicmp(p + 4, L"UNC\\", 4) == 0;
    return TRUE;
}

static BOOL is_vhdx_like(DWORD deviceId)
{
    return deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHDX || deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET;
}

static ULONGLONG max_size(DWORD deviceId)
{
    return deviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHD ? SIM_VHD_MAX_SIZE : SIM_VHDX_MAX_SIZE;
}

/* The data part of the physical size (what compaction can shrink, what a merge moves). */
static ULONGLONG meta_data(const sim_meta *m)
{
    ULONGLONG over = meta_overhead(m->deviceId, m->subtype, m->virtualSize, m->blockSize);
    return m->physicalSize > over ? m->physicalSize - over : 0;
}

static void set_physical(sim_meta *m, ULONGLONG data)
{
    m->physicalSize = meta_overhead(m->deviceId, m->subtype, m->virtualSize, m->blockSize) +
                      (m->subtype == SIM_SUBTYPE_FIXED ? m->virtualSize : data);
}

static DWORD hint_for(const WCHAR *path)
{
    return meta_device_from_extension(path);
}

/* The differencing chain from `path` (level 1) down to level `levels` (or its base). */
typedef struct chain {
    WCHAR *paths[CHAIN_MAX];
    sim_meta metas[CHAIN_MAX];
    size_t n;
} chain;

static void chain_free(chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->paths[i]);
        meta_free(&c->metas[i]);
    }
    c->n = 0;
}

/* Reads levels 1..`levels` (fewer if the chain ends at a non-differencing base). Errors: the file's own
   (2/3/...) for level 1; ERROR_VHD_PARENT_VHD_NOT_FOUND for a missing parent; ..._CHAIN_CYCLE_DETECTED. */
static DWORD chain_read(const WCHAR *path, DWORD deviceId, size_t levels, chain *c)
{
    memset(c, 0, sizeof(*c));
    if (levels > CHAIN_MAX)
        levels = CHAIN_MAX;
    WCHAR *cur = full_path(path);
    DWORD hint = deviceId;
    while (cur && c->n < levels) {
        sim_meta m;
        DWORD rc = meta_read(cur, hint, &m);
        if (rc != ERROR_SUCCESS) {
            free(cur);
            if (c->n == 0)
                return rc;
            chain_free(c);
            return rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND ? SIM_ERROR_VHD_PARENT_VHD_NOT_FOUND : rc;
        }
        for (size_t i = 0; i < c->n; i++) {
            if (_wcsicmp(c->paths[i], cur) == 0) {
                meta_free(&m);
                free(cur);
                chain_free(c);
                return SIM_ERROR_VHD_DIFFERENCING_CHAIN_CYCLE_DETECTED;
            }
        }
        c->paths[c->n] = cur;
        c->metas[c->n] = m;
        c->n++;
        cur = NULL;
        if (m.subtype == SIM_SUBTYPE_DIFFERENCING && m.parentPath) {
            cur = full_path(m.parentPath);
            hint = hint_for(m.parentPath);
            if (!cur) {
                chain_free(c);
                return ERROR_NOT_ENOUGH_MEMORY;
            }
        }
    }
    free(cur);
    return ERROR_SUCCESS;
}

/* Adds an edit of `path` (before = its metadata now). lock held or not: file I/O only. */
static meta_edit *edit_add(op_rec *op, const WCHAR *path, const sim_meta *before)
{
    meta_edit *e = realloc(op->edits, (op->editCount + 1) * sizeof(*e));
    if (!e)
        return NULL;
    op->edits = e;
    e = &op->edits[op->editCount];
    memset(e, 0, sizeof(*e));
    e->path = wdup(path);
    if (!e->path || !meta_copy(&e->before, before) || !meta_copy(&e->after, before)) {
        free(e->path);
        meta_free(&e->before);
        return NULL;
    }
    op->editCount++;
    return e;
}

static void op_rollback(op_rec *op)
{
    /* an attach that lost the race against the caller's cancel: the attachment goes again (unless the caller
       detached it in that instant: it is gone then, and another attach cannot have come, the image being busy) */
    if (op->attached) {
        if (op->image && op->image->attach == op->attached)
            attach_undo(op->attached);
        op->attached = NULL;
    }
    for (size_t i = op->editCount; i-- > 0;)
        if (op->edits[i].written)
            meta_write(op->edits[i].path, &op->edits[i].before);
    edits_free(op);
}

/* Computes the operation's result from the files as they are now and writes it (lock held). */
static DWORD op_commit(op_rec *op)
{
    DWORD rc = ERROR_SUCCESS;
    edits_free(op);
    if (op->fn == FN_ATTACH) {
        if (!op->image || !op->attach) /* SimReset forgot the image meanwhile */
            return ERROR_OPERATION_ABORTED;
        /* closed handle (op->handle NULL) and not permanent: the attachment ends at once (attach_commit) */
        attach_rec *a = op->attach;
        BOOL stays = op->handle != NULL || a->permanent;
        rc = attach_commit(a, op->handle);
        if (rc == ERROR_SUCCESS) {
            op->attach = NULL;
            op->attached = stays ? a : NULL;
        }
        return rc;
    }
    if (op->fn == FN_MERGE) {
        chain c;
        rc = chain_read(op->path, op->deviceId, op->mergeTarget, &c);
        if (rc != ERROR_SUCCESS)
            return rc;
        if (c.n < op->mergeTarget) {
            chain_free(&c);
            return SIM_ERROR_VHD_PARENT_VHD_NOT_FOUND;
        }
        ULONGLONG moved = 0;
        for (DWORD lvl = op->mergeSource; lvl < op->mergeTarget && rc == ERROR_SUCCESS; lvl++) {
            meta_edit *e = edit_add(op, c.paths[lvl - 1], &c.metas[lvl - 1]);
            if (!e) {
                rc = ERROR_NOT_ENOUGH_MEMORY;
                break;
            }
            moved += meta_data(&e->before);
            e->after.merged = TRUE;
            free(e->after.mergedInto);
            e->after.mergedInto = wdup(c.paths[op->mergeTarget - 1]);
        }
        meta_edit *t = rc == ERROR_SUCCESS ? edit_add(op, c.paths[op->mergeTarget - 1], &c.metas[op->mergeTarget - 1]) : NULL;
        if (rc == ERROR_SUCCESS && !t)
            rc = ERROR_NOT_ENOUGH_MEMORY;
        if (t && t->after.subtype != SIM_SUBTYPE_FIXED) {
            ULONGLONG data = meta_data(&t->after) + moved;
            set_physical(&t->after, data > t->after.virtualSize ? t->after.virtualSize : data);
        }
        chain_free(&c);
    } else {
        sim_meta now;
        rc = meta_read(op->path, op->deviceId, &now);
        if (rc != ERROR_SUCCESS)
            return rc;
        meta_edit *e = edit_add(op, op->path, &now);
        meta_free(&now);
        if (!e)
            return ERROR_NOT_ENOUGH_MEMORY;
        sim_meta *m = &e->after;
        switch (op->fn) {
        case FN_CREATE:
            meta_free(m);
            if (!meta_copy(m, &op->createMeta))
                rc = ERROR_NOT_ENOUGH_MEMORY;
            else
                m->state = META_COMPLETE;
            break;
        case FN_RESIZE:
        case FN_EXPAND: {
            ULONGLONG data = meta_data(m);
            m->virtualSize = op->newSize;
            set_physical(m, data > op->newSize ? op->newSize : data);
            if (m->smallestSafeVirtualSize > op->newSize)
                m->smallestSafeVirtualSize = op->newSize; /* ALLOW_UNSAFE: what was beyond is gone */
            break;
        }
        case FN_COMPACT:
            /* SIMULATOR CHOICE: compaction frees half of the data part (whole MiB), and defragments. */
            set_physical(m, meta_data(m) / 2 / SIM_MIB * SIM_MIB);
            m->fragmentation = 0;
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < op->editCount && rc == ERROR_SUCCESS; i++) {
        rc = meta_write(op->edits[i].path, &op->edits[i].after);
        op->edits[i].written = rc == ERROR_SUCCESS;
    }
    if (rc != ERROR_SUCCESS)
        op_rollback(op);
    return rc;
}

/* A create that did not finish leaves its file, marked incomplete (the caller deletes it). */
static void op_create_incomplete(op_rec *op)
{
    if (op->fn != FN_CREATE || !op->hasCreateMeta)
        return;
    sim_meta m;
    if (meta_copy(&m, &op->createMeta)) {
        m.state = META_INCOMPLETE;
        meta_write(op->path, &m);
        meta_free(&m);
    }
}

/* ------------------------------------------------------------------ running an operation */

enum { RUN_DONE, RUN_EARLY, RUN_ABORT };

/* Sleeps the duration in OP_STEPS steps, updating the progress. `early` (may be NULL) ends it when signalled. */
static int op_steps(op_rec *op, HANDLE early)
{
    HANDLE waits[2];
    DWORD n = 0;
    if (early)
        waits[n++] = early;
    waits[n++] = op->wakeEvent;
    unsigned long long t0 = now_micros();
    for (unsigned k = 1; k <= OP_STEPS; k++) {
        unsigned long long due = t0 + (unsigned long long)op->durationMs * 1000ull * k / OP_STEPS;
        for (;;) {
            unsigned long long now = now_micros();
            DWORD timeout = now >= due ? 0 : (DWORD)((due - now + 999) / 1000);
            DWORD w = WaitForMultipleObjects(n, waits, FALSE, timeout);
            if (w == WAIT_OBJECT_0 && early)
                return RUN_EARLY;
            if (w == WAIT_OBJECT_0 + n - 1)
                return RUN_ABORT;
            if (w == WAIT_FAILED)
                Sleep(1);
            if (now_micros() >= due)
                break;
        }
        op_progress(op, k);
    }
    return RUN_DONE;
}

/* A zero-length message to the pipe's client end: completes the pending read on the server end. */
static BOOL op_message(op_rec *op)
{
    OVERLAPPED w;
    DWORD n = 0;
    memset(&w, 0, sizeof(w));
    w.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!w.hEvent)
        return FALSE;
    BOOL ok = WriteFile(op->client, op->buf, 0, NULL, &w) || GetLastError() == ERROR_IO_PENDING;
    ok = ok && GetOverlappedResult(op->client, &w, &n, TRUE);
    CloseHandle(w.hEvent);
    return ok;
}

/* Reads the message a lost race left in the pipe (the caller's cancel came first). */
static void op_drain(op_rec *op)
{
    OVERLAPPED r;
    DWORD n;
    memset(&r, 0, sizeof(r));
    r.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!r.hEvent)
        return;
    if (!ReadFile(op->server, op->buf, sizeof(op->buf), NULL, &r) && GetLastError() == ERROR_IO_PENDING) {
        CancelIoEx(op->server, &r); /* nothing was left after all */
        GetOverlappedResult(op->server, &r, &n, TRUE);
    }
    CloseHandle(r.hEvent);
}

/* With hEvent NULL, Windows signals the file handle itself: complete a read without an event on it. */
static void op_signal_handle(op_rec *op)
{
    OVERLAPPED r;
    DWORD n;
    memset(&r, 0, sizeof(r));
    if (!op_message(op))
        return;
    if (!ReadFile(op->server, op->buf, sizeof(op->buf), NULL, &r) && GetLastError() == ERROR_IO_PENDING)
        GetOverlappedResult(op->server, &r, &n, TRUE);
}

/* Ends the pending read by cancelling it, then puts `code` in the OVERLAPPED. */
static void op_complete_with(op_rec *op, DWORD code)
{
    CancelIoEx(op->server, op->ov);
    WaitForSingleObject(op->privEvent, INFINITE);
    if (code != ERROR_OPERATION_ABORTED) {
        op->ov->InternalHigh = 0;
        op->ov->Internal = win32_to_status(code);
    }
}

/* The simulator thread of an asynchronous operation: issues the read, runs, completes. */
static DWORD WINAPI op_thread(void *arg)
{
    op_rec *op = arg;
    HANDLE callerEvent = op->ov->hEvent;
    op->ov->hEvent = op->privEvent;
    BOOL ok = ReadFile(op->server, op->buf, sizeof(op->buf), NULL, op->ov);
    DWORD e = ok ? ERROR_SUCCESS : GetLastError();
    op->ov->hEvent = callerEvent;
    /* TRUE = the read completed at once: a message was left in the pipe, which op_drain prevents. */
    op->issueError = ok ? ERROR_INTERNAL_ERROR : e == ERROR_IO_PENDING ? ERROR_SUCCESS : e;
    SetEvent(op->issued);

    if (op->issueError == ERROR_SUCCESS) {
        DWORD status;
        int how = op_steps(op, op->privEvent);
        if (how == RUN_EARLY) { /* the caller cancelled (nothing else completes this read) */
            status = status_to_win32(op->ov->Internal);
            op->cancelled = TRUE;
        } else if (how == RUN_ABORT) {
            op_complete_with(op, ERROR_OPERATION_ABORTED);
            status = status_to_win32(op->ov->Internal);
            op->aborted = TRUE;
        } else if (op->failInjected) {
            op_complete_with(op, op->failCode);
            status = op->failCode;
        } else {
            EnterCriticalSection(&g.lock);
            status = op_commit(op);
            LeaveCriticalSection(&g.lock);
            if (status != ERROR_SUCCESS) {
                op_complete_with(op, status);
            } else if (!op_message(op)) {
                status = last_error(ERROR_WRITE_FAULT);
                EnterCriticalSection(&g.lock);
                op_rollback(op);
                LeaveCriticalSection(&g.lock);
                op_complete_with(op, status);
            } else {
                WaitForSingleObject(op->privEvent, INFINITE);
                if (op->ov->Internal != 0) { /* the caller's cancel came first: undo, take the message back */
                    status = status_to_win32(op->ov->Internal);
                    op->cancelled = TRUE;
                    EnterCriticalSection(&g.lock);
                    op_rollback(op);
                    LeaveCriticalSection(&g.lock);
                    op_drain(op);
                }
            }
        }
        if (status != ERROR_SUCCESS)
            op_create_incomplete(op);
        EnterCriticalSection(&g.lock);
        op_finish(op, status);
        LeaveCriticalSection(&g.lock);
        /* the caller learns it now: every state it can look at is final */
        if (callerEvent)
            SetEvent((HANDLE)((ULONG_PTR)callerEvent & ~(ULONG_PTR)1));
        else
            op_signal_handle(op);
    }
    EnterCriticalSection(&g.lock);
    /* The record stays (operations() lists it until reset()), its kernel objects go now: a process that
       counts its handles after an operation must find none of the simulator's left. */
    HANDLE done[] = { op->server, op->client, op->privEvent, op->issued, op->wakeEvent, op->thread };
    for (size_t i = 0; i < ARRAYSIZE(done); i++)
        if (done[i])
            CloseHandle(done[i]);
    op->server = op->client = op->privEvent = op->issued = op->wakeEvent = op->thread = NULL;
    op->threadDone = TRUE;
    lc.threads--;
    op_release(op);
    LeaveCriticalSection(&g.lock);
    return 0;
}

/* Runs `op` (lock held, and held again on return). Synchronous: the result. Asynchronous: ERROR_IO_PENDING,
   or the error that kept it from starting (then the OVERLAPPED must be ignored, as after any failure). */
static DWORD op_start(op_rec *op)
{
    if (!op->ov) {
        op->refs++; /* this call's */
        LeaveCriticalSection(&g.lock);
        int how = op_steps(op, NULL);
        EnterCriticalSection(&g.lock);
        DWORD status;
        if (how == RUN_ABORT) {
            status = ERROR_OPERATION_ABORTED;
            op->aborted = TRUE;
        } else if (op->failInjected) {
            status = op->failCode;
        } else {
            status = op_commit(op);
        }
        if (status != ERROR_SUCCESS)
            op_create_incomplete(op);
        op_finish(op, status);
        op_release(op);
        return status;
    }

    handle_rec *h = op->handle;
    DWORD rc = ERROR_SUCCESS;
    op->privEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    op->issued = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!op->privEvent || !op->issued)
        rc = ERROR_NOT_ENOUGH_MEMORY;
    else if (!DuplicateHandle(GetCurrentProcess(), h->handle, GetCurrentProcess(), &op->server, 0, FALSE,
                              DUPLICATE_SAME_ACCESS) ||
             !DuplicateHandle(GetCurrentProcess(), h->readEnd, GetCurrentProcess(), &op->client, 0, FALSE,
                              DUPLICATE_SAME_ACCESS))
        rc = last_error(ERROR_NOT_ENOUGH_MEMORY);
    if (rc == ERROR_SUCCESS) {
        if (op->callerEvent) /* as a starting I/O does */
            ResetEvent((HANDLE)((ULONG_PTR)op->callerEvent & ~(ULONG_PTR)1));
        op->refs += 2; /* the thread's and this call's */
        op->thread = CreateThread(NULL, 64 * 1024, op_thread, op, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        if (!op->thread) {
            rc = last_error(ERROR_NOT_ENOUGH_MEMORY);
            op->refs -= 2;
        } else {
            lc.threads++;
        }
    }
    if (rc != ERROR_SUCCESS) {
        op_finish(op, rc);
        return rc;
    }
    LeaveCriticalSection(&g.lock);
    WaitForSingleObject(op->issued, INFINITE);
    EnterCriticalSection(&g.lock);
    rc = op->issueError;
    if (rc != ERROR_SUCCESS)
        op_finish(op, rc); /* the thread has nothing more to do with it */
    op_release(op);
    return rc == ERROR_SUCCESS ? ERROR_IO_PENDING : rc;
}

/* ------------------------------------------------------------------ hooks for virtdisk.c */

void lc_handle_retired(handle_rec *h)
{
    while (h->ops)
        op_unlink_handle(h->ops);
}

void lc_abort_all_and_wait(void)
{
    HANDLE *wait = NULL;
    size_t n = 0, cap = 0;
    EnterCriticalSection(&g.lock);
    for (op_rec *o = lc.first; o; o = o->next) {
        if (!o->running && (o->threadDone || !o->thread))
            continue;
        if (o->wakeEvent)
            SetEvent(o->wakeEvent);
        if (o->thread && !o->threadDone) {
            if (n == cap) {
                size_t c2 = cap ? cap * 2 : 16;
                HANDLE *p = realloc(wait, c2 * sizeof(*p));
                if (!p)
                    continue;
                wait = p;
                cap = c2;
            }
            /* A duplicate: the thread closes its own handle when it ends. */
            if (DuplicateHandle(GetCurrentProcess(), o->thread, GetCurrentProcess(), &wait[n], SYNCHRONIZE, FALSE, 0))
                n++;
        }
    }
    LeaveCriticalSection(&g.lock);
    for (size_t i = 0; i < n; i++) {
        WaitForSingleObject(wait[i], 10000);
        CloseHandle(wait[i]);
    }
    free(wait);
}

void lc_reset_locked(void)
{
    while (lc.first) {
        op_rec *o = lc.first;
        if (o->image) { /* still running (started during the reset): its image record is about to go */
            o->image = NULL;
        }
        op_unlist(o);
    }
    lc.ffirst = lc.flast = NULL;
    lc.finished = 0;
    lc.running = lc.overlappedReferenced = 0;
    lc.nextId = lc.started = 0;
    lc_controls_default();
}

void lc_state_members(jbuf *b)
{
    jb_key(b, "operationsStarted"); jb_u64(b, lc.started);
    jb_key(b, "operationsRunning"); jb_u64(b, lc.running);
    jb_key(b, "overlappedReferenced"); jb_u64(b, lc.overlappedReferenced);
    jb_key(b, "operationThreads"); jb_u64(b, lc.threads);
}

/* ------------------------------------------------------------------ shared checks */

static BOOL v1(const handle_rec *h)
{
    return h->version == OPEN_VIRTUAL_DISK_VERSION_1;
}

/* The access a metadata-changing call needs: METAOPS on a Version 1 handle ([doc]); a Version 2/3 handle
   must be neither GetInfoOnly ([sample]: "cannot be a 'GetInfoOnly' handle") nor ReadOnly.
   SIMULATOR CHOICE: ERROR_ACCESS_DENIED (5), Windows' code is an open question. */
static DWORD need_metaops(const handle_rec *h)
{
    if (v1(h))
        return (h->access & VIRTUAL_DISK_ACCESS_METAOPS) ? ERROR_SUCCESS : ERROR_ACCESS_DENIED;
    return h->getInfoOnly || h->readOnly ? ERROR_ACCESS_DENIED : ERROR_SUCCESS;
}

static BOOL is_iso(const handle_rec *h)
{
    return h->type.DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO;
}

/* Not while another long operation runs on the image (SIMULATOR CHOICE: ERROR_VHD_INVALID_STATE), nor while
   it is attached ("The virtual disk cannot be attached while this operation is in progress" / the image "can
   not be in use"). SIMULATOR CHOICE: attached -> ERROR_SHARING_VIOLATION (32), what Resize-VHD reports
   (0x80070020) for an attached image; `allowReadOnlyAttach` for compaction ([doc]: FS-aware compaction runs
   on a read-only attachment). */
static DWORD need_idle(handle_rec *h, BOOL allowReadOnlyAttach, BOOL allowAttach)
{
    if (h->image->busy)
        return SIM_ERROR_VHD_INVALID_STATE;
    sweep_image(h);
    attach_rec *a = h->image->attach;
    if (a && !allowAttach && !(allowReadOnlyAttach && a->readOnly))
        return ERROR_SHARING_VIOLATION;
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ logging helpers */

void jb_overlapped(jbuf *b, const OVERLAPPED *ov, HANDLE hEvent)
{
    if (!ov) {
        jb_null(b);
        return;
    }
    jb_raw(b, "{");
    jb_key(b, "address"); jb_u64str(b, (unsigned long long)(ULONG_PTR)ov);
    jb_key(b, "hEvent"); jb_u64str(b, (unsigned long long)(ULONG_PTR)hEvent);
    jb_raw(b, "}");
}

void jb_op_id(jbuf *b, unsigned long long id)
{
    if (id)
        jb_u64(b, id);
    else
        jb_null(b);
}

/* ------------------------------------------------------------------ CreateVirtualDisk */

typedef struct create_args {
    PCWSTR parentPath, sourcePath;
    GUID uniqueId;
    ULONGLONG maximumSize;
    DWORD blockSize, sectorSize, physicalSectorSize, openFlags;
    VIRTUAL_STORAGE_TYPE parentType, sourceType;
    GUID resiliencyGuid;
} create_args;

static DWORD create_check(PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, PSECURITY_DESCRIPTOR sd, DWORD flags,
                          PCREATE_VIRTUAL_DISK_PARAMETERS params, PHANDLE out, create_args *a)
{
    /* [doc] ERROR_INVALID_PARAMETER: VirtualStorageType or Parameters NULL (and Path, Handle: required). */
    if (!vst || !path || !params || !out)
        return ERROR_INVALID_PARAMETER;
    /* SIMULATOR CHOICE, as OpenVirtualDisk: DEVICE_UNKNOWN/VENDOR_UNKNOWN (type from the extension) is not
       modelled. */
    if (!IsEqualGUID(&vst->VendorId, &VENDOR_MICROSOFT) || vst->DeviceId < VIRTUAL_STORAGE_TYPE_DEVICE_ISO ||
        vst->DeviceId > VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET)
        return SIM_ERROR_VIRTDISK_PROVIDER_NOT_FOUND;
    /* [doc] CREATE "not supported for ISO virtual disks". SIMULATOR CHOICE: ERROR_NOT_SUPPORTED (50). */
    if (vst->DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO)
        return ERROR_NOT_SUPPORTED;
    const DWORD version = params->Version;
    const BOOL vhd = vst->DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_VHD;
    /* [doc] Version must be 1 or 2. SIMULATOR CHOICE: 3 and 4 ("intended for internal use") are refused too. */
    if (version != CREATE_VIRTUAL_DISK_VERSION_1 && version != CREATE_VIRTUAL_DISK_VERSION_2)
        return ERROR_INVALID_PARAMETER;
    /* SIMULATOR CHOICE: Version 1 is the Windows 7 VHD form, as OpenVirtualDisk's Version 1. */
    if (version == CREATE_VIRTUAL_DISK_VERSION_1 && !vhd)
        return ERROR_INVALID_PARAMETER;
    /* [doc] Version 2 takes VIRTUAL_DISK_ACCESS_NONE only; any mask: no bits outside ACCESS_ALL. */
    if (version == CREATE_VIRTUAL_DISK_VERSION_2 && access != VIRTUAL_DISK_ACCESS_NONE)
        return ERROR_INVALID_PARAMETER;
    if (access & ~VIRTUAL_DISK_ACCESS_ALL)
        return ERROR_INVALID_PARAMETER;
    /* [doc] lists flags above FULL_PHYSICAL_ALLOCATION as invalid (Windows 7); the header has 0x2..0x400.
       SIMULATOR CHOICE: bits outside the header's are invalid. */
    if (flags & ~CREATE_VIRTUAL_DISK_FLAG_ALL_KNOWN)
        return ERROR_INVALID_PARAMETER;
    if (sd && !IsValidSecurityDescriptor(sd))
        return ERROR_INVALID_SECURITY_DESCR;

    memset(a, 0, sizeof(*a));
    if (version == CREATE_VIRTUAL_DISK_VERSION_1) {
        a->uniqueId = params->Version1.UniqueId;
        a->maximumSize = params->Version1.MaximumSize;
        a->blockSize = params->Version1.BlockSizeInBytes;
        a->sectorSize = params->Version1.SectorSizeInBytes;
        a->parentPath = params->Version1.ParentPath;
        a->sourcePath = params->Version1.SourcePath;
    } else {
        a->uniqueId = params->Version2.UniqueId;
        a->maximumSize = params->Version2.MaximumSize;
        a->blockSize = params->Version2.BlockSizeInBytes;
        a->sectorSize = params->Version2.SectorSizeInBytes;
        a->physicalSectorSize = params->Version2.PhysicalSectorSizeInBytes;
        a->parentPath = params->Version2.ParentPath;
        a->sourcePath = params->Version2.SourcePath;
        a->openFlags = params->Version2.OpenFlags;
        a->parentType = params->Version2.ParentVirtualStorageType;
        a->sourceType = params->Version2.SourceVirtualStorageType;
        a->resiliencyGuid = params->Version2.ResiliencyGuid;
    }
    const BOOL fixed = (flags & CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION) != 0;
    /* [doc] struct page: ParentPath and SourcePath exclusive, both fully qualified; MaximumSize 0 with a
       parent; a differencing disk is never fully allocated. */
    if (a->parentPath && a->sourcePath)
        return ERROR_INVALID_PARAMETER;
    if (a->parentPath && (a->maximumSize != 0 || fixed))
        return ERROR_INVALID_PARAMETER;
    if ((a->parentPath && !fully_qualified(a->parentPath)) || (a->sourcePath && !fully_qualified(a->sourcePath)))
        return ERROR_INVALID_PARAMETER;
    /* [doc] BlockSizeInBytes: Version 1 and VHD 0, 512 KB or 2 MB (fixed VHD: 0); VHDX a multiple of 1 MB
       between 1 and 256 MB (fixed: 0, [sample]). */
    if (vhd) {
        if (a->blockSize != 0 && (fixed || (a->blockSize != 0x80000 && a->blockSize != 0x200000)))
            return ERROR_INVALID_PARAMETER;
    } else if (a->blockSize != 0 && (fixed || a->blockSize % SIM_MIB || a->blockSize > 256 * SIM_MIB)) {
        return ERROR_INVALID_PARAMETER;
    }
    /* [doc] SectorSizeInBytes: Version 1 512; VHD 512; VHDX 512 or 4096 (0 = default). PhysicalSector: VHDX
       512 or 4096, VHD 512 ([sample] table). */
    if (a->sectorSize != 0 && a->sectorSize != 512 && (vhd || a->sectorSize != 4096))
        return ERROR_INVALID_PARAMETER;
    if (a->physicalSectorSize != 0 && a->physicalSectorSize != 512 && (vhd || a->physicalSectorSize != 4096))
        return ERROR_INVALID_PARAMETER;
    /* [doc] MaximumSize: a multiple of 512 (and of the sector size), at least 3 MB, required without a
       parent or source; format limits (VHD 2040 GB, VHDX 64 TB). */
    if (!a->parentPath && !a->sourcePath && a->maximumSize == 0)
        return ERROR_INVALID_PARAMETER;
    if (a->maximumSize != 0) {
        const DWORD sector = a->sectorSize ? a->sectorSize : 512;
        if (a->maximumSize % 512 || a->maximumSize % sector || a->maximumSize < SIM_MIN_SIZE ||
            a->maximumSize > max_size(vst->DeviceId))
            return ERROR_INVALID_PARAMETER;
    }
    return ERROR_SUCCESS;
}

/* The metadata of the new image (file reads only: no lock needed). */
static DWORD create_meta(PVIRTUAL_STORAGE_TYPE vst, DWORD flags, const create_args *a, sim_meta *m)
{
    const DWORD device = vst->DeviceId;
    const BOOL fixed = (flags & CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION) != 0;
    DWORD rc;
    memset(m, 0, sizeof(*m)); /* the caller frees it whatever happens */
    if (a->parentPath) {
        sim_meta pm;
        DWORD hint = a->parentType.DeviceId ? a->parentType.DeviceId : hint_for(a->parentPath);
        /* a missing parent: the file's own error (2 ERROR_FILE_NOT_FOUND / 3 ERROR_PATH_NOT_FOUND) */
        if ((rc = meta_read(a->parentPath, hint, &pm)) != ERROR_SUCCESS)
            return rc;
        /* [doc] logical sector size: a differencing disk takes its parent's. SIMULATOR CHOICE: another one is 87. */
        if (a->sectorSize && a->sectorSize != pm.logicalSectorSize) {
            meta_free(&pm);
            return ERROR_INVALID_PARAMETER;
        }
        if (!meta_new(m, device, SIM_SUBTYPE_DIFFERENCING, pm.virtualSize)) {
            meta_free(&pm);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        m->logicalSectorSize = pm.logicalSectorSize;
        m->parentPath = full_path(a->parentPath);
        m->parentIdentifier = pm.identifier;
        m->parentTimestamp = pm.timestamp;
        m->smallestSafeVirtualSize = pm.smallestSafeVirtualSize;
        meta_free(&pm);
        if (!m->parentPath)
            return ERROR_NOT_ENOUGH_MEMORY;
    } else if (a->sourcePath) {
        sim_meta sm;
        DWORD hint = a->sourceType.DeviceId ? a->sourceType.DeviceId : hint_for(a->sourcePath);
        if ((rc = meta_read(a->sourcePath, hint, &sm)) != ERROR_SUCCESS)
            return rc;
        /* [doc] with SourcePath, MaximumSize 0 = the source's size, else at least the source's size */
        if (a->maximumSize && a->maximumSize < sm.virtualSize) {
            meta_free(&sm);
            return ERROR_INVALID_PARAMETER;
        }
        ULONGLONG size = a->maximumSize ? a->maximumSize : sm.virtualSize;
        if (!meta_new(m, device, fixed ? SIM_SUBTYPE_FIXED : SIM_SUBTYPE_DYNAMIC, size)) {
            meta_free(&sm);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        ULONGLONG data = sm.subtype == SIM_SUBTYPE_FIXED ? sm.virtualSize / 2 : meta_data(&sm);
        if (!a->sectorSize)
            m->logicalSectorSize = sm.logicalSectorSize;
        m->smallestSafeVirtualSize = sm.smallestSafeVirtualSize < size ? sm.smallestSafeVirtualSize : size;
        if (a->blockSize)
            m->blockSize = a->blockSize;
        set_physical(m, data > size ? size : data);
        meta_free(&sm);
    } else if (!meta_new(m, device, fixed ? SIM_SUBTYPE_FIXED : SIM_SUBTYPE_DYNAMIC, a->maximumSize)) {
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    if (a->blockSize) {
        m->blockSize = a->blockSize;
        set_physical(m, meta_data(m));
    }
    if (a->sectorSize)
        m->logicalSectorSize = a->sectorSize;
    if (a->physicalSectorSize)
        m->physicalSectorSize = a->physicalSectorSize;
    /* [doc] UniqueId zero: the system makes one */
    static const GUID zero;
    if (!IsEqualGUID(&a->uniqueId, &zero))
        m->identifier = a->uniqueId;
    return ERROR_SUCCESS;
}

static DWORD create_impl(PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, PSECURITY_DESCRIPTOR sd, DWORD flags,
                         PCREATE_VIRTUAL_DISK_PARAMETERS params, LPOVERLAPPED ov, PHANDLE out,
                         unsigned long long *opId)
{
    create_args a;
    DWORD rc = create_check(vst, path, access, sd, flags, params, out, &a);
    if (rc != ERROR_SUCCESS)
        return rc;

    /* file system work without the lock: nothing shared is involved yet */
    sim_meta m;
    image_id id;
    LeaveCriticalSection(&g.lock);
    rc = create_meta(vst, flags, &a, &m);
    if (rc == ERROR_SUCCESS) {
        m.state = META_CREATING;
        /* 80 ERROR_FILE_EXISTS if it exists, 3 ERROR_PATH_NOT_FOUND if its folder does not */
        rc = meta_create(path, &m);
        m.state = META_COMPLETE;
        if (rc == ERROR_SUCCESS && (rc = read_image_id(path, &id)) != ERROR_SUCCESS)
            DeleteFileW(path);
    }
    EnterCriticalSection(&g.lock);
    if (rc != ERROR_SUCCESS) {
        meta_free(&m);
        return rc;
    }

    /* the handle is the one OpenVirtualDisk would give with the same version */
    OPEN_VIRTUAL_DISK_PARAMETERS op;
    memset(&op, 0, sizeof(op));
    if (params->Version == CREATE_VIRTUAL_DISK_VERSION_1) {
        op.Version = OPEN_VIRTUAL_DISK_VERSION_1;
        op.Version1.RWDepth = 1;
    } else {
        op.Version = OPEN_VIRTUAL_DISK_VERSION_2;
        op.Version2.ResiliencyGuid = a.resiliencyGuid;
    }
    const DWORD openFlags = params->Version == CREATE_VIRTUAL_DISK_VERSION_1 ? 0 : a.openFlags;
    HANDLE h = NULL;
    handle_rec *r = NULL;
    if (ov) { /* the handle comes back at once, with ERROR_IO_PENDING */
        rc = open_register(&id, vst, path, access, openFlags, &op, &h);
        r = rc == ERROR_SUCCESS ? live_handle(h) : NULL;
        if (rc == ERROR_SUCCESS && !r)
            rc = ERROR_NOT_ENOUGH_MEMORY;
        if (r)
            r->created = TRUE;
    }
    op_rec *o = rc == ERROR_SUCCESS ? op_new(FN_CREATE, r, path, vst->DeviceId, ov) : NULL;
    if (rc == ERROR_SUCCESS && !o)
        rc = ERROR_NOT_ENOUGH_MEMORY;
    if (o) {
        o->createMeta = m;
        o->hasCreateMeta = TRUE;
        memset(&m, 0, sizeof(m));
        o->completion = o->createMeta.virtualSize / SIM_MIB;
        *opId = o->id;
        rc = op_start(o);
    }
    meta_free(&m);
    if (ov) {
        if (rc == ERROR_IO_PENDING) {
            *out = h;
            return rc;
        }
        if (h) /* could not start: no handle for the caller (the record goes when the close is noticed) */
            CloseHandle(h);
        DeleteFileW(path);
        return rc;
    }
    if (rc != ERROR_SUCCESS) /* SIMULATOR CHOICE: a failed synchronous create leaves its file, like an async one */
        return rc;
    rc = open_register(&id, vst, path, access, openFlags, &op, &h);
    if (rc == ERROR_SUCCESS) {
        handle_rec *nr = live_handle(h);
        if (nr)
            nr->created = TRUE;
        *out = h;
    }
    return rc;
}

static void jb_create_params(jbuf *b, const CREATE_VIRTUAL_DISK_PARAMETERS *p)
{
    if (!p) {
        jb_null(b);
        return;
    }
    const DWORD v = p->Version;
    const size_t bytes = v == 1 ? SIM_CREATE_V1_BYTES : v == 2 ? SIM_CREATE_V2_BYTES : v == 3 ? SIM_CREATE_V3_BYTES
                         : v == 4 ? SIM_CREATE_V4_BYTES : 8;
    jb_raw(b, "{");
    jb_key(b, "version"); jb_u64(b, v);
    jb_key(b, "raw"); jb_hex(b, p, bytes);
    if (v >= 1 && v <= 4) {
        /* UniqueId, MaximumSize, BlockSizeInBytes, SectorSizeInBytes: same offsets in every version */
        jb_key(b, "uniqueId"); jb_guid(b, &p->Version1.UniqueId);
        jb_key(b, "maximumSize"); jb_u64str(b, p->Version1.MaximumSize);
        jb_key(b, "blockSizeInBytes"); jb_u64(b, p->Version1.BlockSizeInBytes);
        jb_key(b, "sectorSizeInBytes"); jb_u64(b, p->Version1.SectorSizeInBytes);
    }
    if (v == 1) {
        jb_key(b, "parentPath"); jb_wstr(b, p->Version1.ParentPath);
        jb_key(b, "sourcePath"); jb_wstr(b, p->Version1.SourcePath);
    } else if (v >= 2 && v <= 4) {
        jb_key(b, "physicalSectorSizeInBytes"); jb_u64(b, p->Version2.PhysicalSectorSizeInBytes);
        jb_key(b, "parentPath"); jb_wstr(b, p->Version2.ParentPath);
        jb_key(b, "sourcePath"); jb_wstr(b, p->Version2.SourcePath);
        jb_key(b, "openFlags"); jb_u64(b, p->Version2.OpenFlags);
        jb_key(b, "parentVirtualStorageType"); jb_storage_type(b, &p->Version2.ParentVirtualStorageType);
        jb_key(b, "sourceVirtualStorageType"); jb_storage_type(b, &p->Version2.SourceVirtualStorageType);
        jb_key(b, "resiliencyGuid"); jb_guid(b, &p->Version2.ResiliencyGuid);
    }
    if (v == 3 || v == 4) {
        jb_key(b, "sourceLimitPath"); jb_wstr(b, p->Version3.SourceLimitPath);
        jb_key(b, "backingStorageType"); jb_storage_type(b, &p->Version3.BackingStorageType);
    }
    if (v == 4) {
        jb_key(b, "pmemAddressAbstractionType"); jb_guid(b, &p->Version4.PmemAddressAbstractionType);
        jb_key(b, "dataAlignment"); jb_u64str(b, p->Version4.DataAlignment);
    }
    jb_raw(b, "}");
}

DWORD WINAPI CreateVirtualDisk(PVIRTUAL_STORAGE_TYPE VirtualStorageType, PCWSTR Path, DWORD VirtualDiskAccessMask,
                               PSECURITY_DESCRIPTOR SecurityDescriptor, DWORD Flags, ULONG ProviderSpecificFlags,
                               PCREATE_VIRTUAL_DISK_PARAMETERS Parameters, LPOVERLAPPED Overlapped, PHANDLE Handle)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_CREATE);
    /* ProviderSpecificFlags: recorded only. SIMULATOR CHOICE: on failure *Handle is left untouched. */
    DWORD rc = c.faulted ? c.faultCode
                         : create_impl(VirtualStorageType, Path, VirtualDiskAccessMask, SecurityDescriptor, Flags,
                                       Parameters, Overlapped, Handle, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "path"); jb_wstr(&b, Path);
    jb_key(&b, "storageType"); jb_storage_type(&b, VirtualStorageType);
    jb_key(&b, "access"); jb_u64(&b, VirtualDiskAccessMask);
    jb_key(&b, "securityDescriptor"); jb_security_descriptor(&b, SecurityDescriptor);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "providerSpecificFlags"); jb_u64(&b, ProviderSpecificFlags);
    jb_key(&b, "params"); jb_create_params(&b, Parameters);
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "handlePtr"); jb_bool(&b, Handle != NULL);
    jb_key(&b, "handle");
    if ((rc == ERROR_SUCCESS || rc == ERROR_IO_PENDING) && !c.faulted && Handle)
        jb_handle(&b, *Handle);
    else
        jb_null(&b);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ GetVirtualDiskInformation */

/* The answer goes after Version (offset 8 on): a fixed member, or a variable one built in `var`. */
static DWORD get_info_impl(HANDLE vh, PULONG size, PGET_VIRTUAL_DISK_INFO info, PULONG used, BOOL *infoFault)
{
    handle_rec *h = live_handle(vh);
    if (!h)
        return ERROR_INVALID_PARAMETER;
    /* SIMULATOR CHOICE: the Version needs 4 readable bytes; less (or NULL) is 87. */
    if (!size || !info || *size < sizeof(DWORD))
        return ERROR_INVALID_PARAMETER;
    const DWORD version = info->Version;
    /* [doc] 0 "Reserved"; versions past CHANGE_TRACKING_STATE do not exist. */
    if (version < GET_VIRTUAL_DISK_INFO_SIZE || version > GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE)
        return ERROR_INVALID_PARAMETER;
    /* [doc] a Version 1 handle needs VIRTUAL_DISK_ACCESS_GET_INFO */
    if (v1(h) && !(h->access & VIRTUAL_DISK_ACCESS_GET_INFO))
        return ERROR_ACCESS_DENIED;
    /* SIMULATOR CHOICE (per the brief): ISO answers SIZE and VIRTUAL_STORAGE_TYPE only, else 50. */
    if (is_iso(h) && version != GET_VIRTUAL_DISK_INFO_SIZE && version != GET_VIRTUAL_DISK_INFO_VIRTUAL_STORAGE_TYPE)
        return ERROR_NOT_SUPPORTED;
    if (version < INFO_VERSIONS && lc.infoFaultCount[version]) {
        *infoFault = TRUE;
        DWORD code = lc.infoFaultCode[version];
        if (lc.infoFaultCount[version] != INFINITE)
            lc.infoFaultCount[version]--;
        return code;
    }
    sim_meta m;
    DWORD rc = meta_read(h->path, h->type.DeviceId, &m);
    if (rc != ERROR_SUCCESS)
        return rc;

    BYTE fixed[24];
    BYTE *answer = fixed, *var = NULL;
    size_t n = 0;
    const BOOL diff = m.subtype == SIM_SUBTYPE_DIFFERENCING && m.parentPath;
    memset(fixed, 0, sizeof(fixed));
    switch (version) {
    case GET_VIRTUAL_DISK_INFO_SIZE: {
        ULONGLONG vs = m.virtualSize, ps = m.physicalSize;
        DWORD bs = m.blockSize, ss = m.logicalSectorSize;
        memcpy(fixed, &vs, 8); memcpy(fixed + 8, &ps, 8); memcpy(fixed + 16, &bs, 4); memcpy(fixed + 20, &ss, 4);
        n = 24;
        break;
    }
    case GET_VIRTUAL_DISK_INFO_IDENTIFIER:
        memcpy(fixed, &m.identifier, 16); n = 16;
        break;
    case GET_VIRTUAL_DISK_INFO_PARENT_LOCATION:
    case GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER:
    case GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP:
        /* [doc] "Valid only for differencing virtual disks". SIMULATOR CHOICE: ERROR_VHD_INVALID_TYPE. */
        if (!diff) {
            rc = SIM_ERROR_VHD_INVALID_TYPE;
        } else if (version == GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER) {
            memcpy(fixed, &m.parentIdentifier, 16); n = 16;
        } else if (version == GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP) {
            memcpy(fixed, &m.parentTimestamp, 4); n = 4;
        } else {
            /* ParentResolved (BOOL @8) and the text from @12: one path when resolved, else a MULTI_SZ of the
               candidates ([doc]). SIMULATOR CHOICE: resolved = the parent's file exists; the only candidate is
               the recorded path. */
            DWORD attrs = GetFileAttributesW(m.parentPath);
            BOOL resolved = attrs != INVALID_FILE_ATTRIBUTES && !(attrs & FILE_ATTRIBUTE_DIRECTORY);
            size_t chars = wcslen(m.parentPath) + (resolved ? 1 : 2);
            n = 4 + chars * sizeof(WCHAR);
            var = calloc(1, n);
            if (!var) {
                rc = ERROR_NOT_ENOUGH_MEMORY;
            } else {
                memcpy(var, &resolved, 4);
                memcpy(var + 4, m.parentPath, wcslen(m.parentPath) * sizeof(WCHAR));
                answer = var;
            }
        }
        break;
    case GET_VIRTUAL_DISK_INFO_VIRTUAL_STORAGE_TYPE: {
        VIRTUAL_STORAGE_TYPE t = { m.deviceId, VENDOR_MICROSOFT };
        memcpy(fixed, &t, sizeof(t)); n = sizeof(t);
        break;
    }
    case GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE:
        memcpy(fixed, &m.subtype, 4); n = 4;
        break;
    case GET_VIRTUAL_DISK_INFO_IS_4K_ALIGNED:
        memcpy(fixed, &m.is4kAligned, 4); n = 4;
        break;
    case GET_VIRTUAL_DISK_INFO_PHYSICAL_DISK: {
        /* the host disk: SIMULATOR CHOICE 512-byte logical / 4096-byte physical sectors, remote for UNC paths */
        DWORD d[3] = { 512, 4096, (DWORD)is_remote(h->fullPath) };
        memcpy(fixed, d, sizeof(d)); n = sizeof(d);
        break;
    }
    case GET_VIRTUAL_DISK_INFO_VHD_PHYSICAL_SECTOR_SIZE:
        memcpy(fixed, &m.physicalSectorSize, 4); n = 4;
        break;
    case GET_VIRTUAL_DISK_INFO_SMALLEST_SAFE_VIRTUAL_SIZE:
        memcpy(fixed, &m.smallestSafeVirtualSize, 8); n = 8;
        break;
    case GET_VIRTUAL_DISK_INFO_FRAGMENTATION:
        memcpy(fixed, &m.fragmentation, 4); n = 4;
        break;
    case GET_VIRTUAL_DISK_INFO_IS_LOADED: {
        sweep_image(h);
        BOOL loaded = h->image->attach != NULL; /* SIMULATOR CHOICE: loaded = attached */
        memcpy(fixed, &loaded, 4); n = 4;
        break;
    }
    case GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID:
        memcpy(fixed, &m.virtualDiskId, 16); n = 16;
        break;
    case GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE: {
        /* Resilient change tracking is a VHDX feature. SIMULATOR CHOICE: a VHD gets ERROR_VHD_INVALID_TYPE. */
        if (!is_vhdx_like(m.deviceId)) {
            rc = SIM_ERROR_VHD_INVALID_TYPE;
            break;
        }
        const WCHAR *idText = m.changeTrackingId ? m.changeTrackingId : L"";
        size_t chars = wcslen(idText) + 1;
        n = 8 + chars * sizeof(WCHAR);
        var = calloc(1, n);
        if (!var) {
            rc = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
        BOOL enabled = m.changeTracking, newer = FALSE;
        memcpy(var, &enabled, 4);
        memcpy(var + 4, &newer, 4);
        memcpy(var + 8, idText, chars * sizeof(WCHAR));
        answer = var;
        break;
    }
    }
    meta_free(&m);
    if (rc == ERROR_SUCCESS) {
        /* Size protocol ([sample]): *VirtualDiskInfoSize too small -> 122 and the size needed in it. The size
           needed is 8 + the answer's bytes (SIMULATOR CHOICE; sizeof(GET_VIRTUAL_DISK_INFO) = 32 always holds
           the fixed answers). On success *VirtualDiskInfoSize and *SizeUsed get the bytes used (SizeUsed only
           then: on 122 nothing was used). */
        const ULONG need = (ULONG)(8 + n);
        if (*size < need) {
            *size = need;
            rc = ERROR_INSUFFICIENT_BUFFER;
        } else {
            memcpy((BYTE *)info + 8, answer, n);
            *size = need;
            if (used)
                *used = need;
        }
    }
    free(var);
    return rc;
}

DWORD WINAPI GetVirtualDiskInformation(HANDLE VirtualDiskHandle, PULONG VirtualDiskInfoSize,
                                       PGET_VIRTUAL_DISK_INFO VirtualDiskInfo, PULONG SizeUsed)
{
    call_ctx c;
    const BOOL sizePtr = VirtualDiskInfoSize != NULL;
    const ULONG sizeIn = sizePtr ? *VirtualDiskInfoSize : 0;
    const BOOL versionReadable = VirtualDiskInfo && sizePtr && sizeIn >= sizeof(DWORD);
    const DWORD version = versionReadable ? VirtualDiskInfo->Version : 0;
    BOOL infoFault = FALSE;
    call_begin(&c, FN_GET_INFO);
    DWORD rc = c.faulted ? c.faultCode
                         : get_info_impl(VirtualDiskHandle, VirtualDiskInfoSize, VirtualDiskInfo, SizeUsed, &infoFault);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "sizePtr"); jb_bool(&b, sizePtr);
    jb_key(&b, "sizeIn");
    if (sizePtr) jb_u64(&b, sizeIn); else jb_null(&b);
    jb_key(&b, "infoPtr"); jb_bool(&b, VirtualDiskInfo != NULL);
    jb_key(&b, "version");
    if (versionReadable) jb_u64(&b, version); else jb_null(&b);
    jb_key(&b, "infoFault"); jb_bool(&b, infoFault);
    jb_key(&b, "sizeOut");
    if (sizePtr) jb_u64(&b, *VirtualDiskInfoSize); else jb_null(&b);
    jb_key(&b, "sizeUsedPtr"); jb_bool(&b, SizeUsed != NULL);
    jb_key(&b, "sizeUsed");
    if (SizeUsed && rc == ERROR_SUCCESS && !c.faulted) jb_u64(&b, *SizeUsed); else jb_null(&b);
    jb_key(&b, "answer"); /* the bytes written from offset 8 on success (at most 1024) */
    if (rc == ERROR_SUCCESS && !c.faulted && VirtualDiskInfo && *VirtualDiskInfoSize >= 8) {
        size_t n = *VirtualDiskInfoSize - 8;
        jb_hex(&b, (BYTE *)VirtualDiskInfo + 8, n > 1024 ? 1024 : n);
    } else {
        jb_null(&b);
    }
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ SetVirtualDiskInformation */

/* Links the image at `childPath` (metadata `child`) to the parent at `parentPath` and writes it. */
static DWORD set_parent(const WCHAR *childPath, sim_meta *child, const WCHAR *parentPath)
{
    /* [doc] "fails if ... the system cannot resolve the path provided": the parent file's own error */
    if (!fully_qualified(parentPath))
        return ERROR_INVALID_PARAMETER; /* [doc] paths are fully qualified; SIMULATOR CHOICE: 87 */
    sim_meta pm;
    DWORD rc = meta_read(parentPath, hint_for(parentPath), &pm);
    if (rc != ERROR_SUCCESS)
        return rc;
    WCHAR *full = full_path(parentPath);
    if (!full) {
        meta_free(&pm);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    free(child->parentPath);
    child->parentPath = full;
    /* [doc] "Setting the parent also updates the child's parent GUID and timestamp" */
    child->parentIdentifier = pm.identifier;
    child->parentTimestamp = pm.timestamp;
    meta_free(&pm);
    return meta_write(childPath, child);
}

static DWORD set_info_impl(HANDLE vh, PSET_VIRTUAL_DISK_INFO info)
{
    handle_rec *h = live_handle(vh);
    if (!h || !info)
        return ERROR_INVALID_PARAMETER;
    const DWORD version = info->Version;
    /* [doc] 0 "Not used. Will fail the operation" */
    if (version < SET_VIRTUAL_DISK_INFO_PARENT_PATH || version > SET_VIRTUAL_DISK_INFO_PARENT_LOCATOR)
        return ERROR_INVALID_PARAMETER;
    if (is_iso(h))
        return ERROR_NOT_SUPPORTED;
    /* GetInfoOnly / ReadOnly / no METAOPS: see need_metaops (SIMULATOR CHOICE: 5) */
    DWORD rc = need_metaops(h);
    if (rc != ERROR_SUCCESS)
        return rc;
    /* SIMULATOR CHOICE: PARENT_LOCATOR (7) is not modelled. */
    if (version == SET_VIRTUAL_DISK_INFO_PARENT_LOCATOR)
        return ERROR_NOT_SUPPORTED;
    if ((rc = need_idle(h, FALSE, FALSE)) != ERROR_SUCCESS)
        return rc;
    sim_meta m;
    if ((rc = meta_read(h->path, h->type.DeviceId, &m)) != ERROR_SUCCESS)
        return rc;
    const BOOL diff = m.subtype == SIM_SUBTYPE_DIFFERENCING;
    switch (version) {
    case SET_VIRTUAL_DISK_INFO_PARENT_PATH:
        if (!diff)
            rc = SIM_ERROR_VHD_INVALID_TYPE;
        else if (!info->ParentFilePath)
            rc = ERROR_INVALID_PARAMETER;
        else
            rc = set_parent(h->path, &m, info->ParentFilePath);
        break;
    case SET_VIRTUAL_DISK_INFO_PARENT_PATH_WITH_DEPTH: {
        /* ChildDepth: 1 = this image, 2 = its parent, ... ([sample]); that image must be differencing. */
        const DWORD depth = info->ParentPathWithDepthInfo.ChildDepth;
        if (depth == 0 || !info->ParentPathWithDepthInfo.ParentFilePath) {
            rc = ERROR_INVALID_PARAMETER;
        } else if (depth == 1) {
            rc = diff ? set_parent(h->path, &m, info->ParentPathWithDepthInfo.ParentFilePath) : SIM_ERROR_VHD_INVALID_TYPE;
        } else {
            chain c;
            rc = chain_read(h->path, h->type.DeviceId, depth, &c);
            if (rc == ERROR_SUCCESS) {
                if (c.n < depth)
                    rc = ERROR_INVALID_PARAMETER; /* SIMULATOR CHOICE: deeper than the chain */
                else if (c.metas[depth - 1].subtype != SIM_SUBTYPE_DIFFERENCING)
                    rc = SIM_ERROR_VHD_INVALID_TYPE;
                else
                    rc = set_parent(c.paths[depth - 1], &c.metas[depth - 1], info->ParentPathWithDepthInfo.ParentFilePath);
                chain_free(&c);
            }
        }
        break;
    }
    case SET_VIRTUAL_DISK_INFO_IDENTIFIER:
        m.identifier = info->UniqueIdentifier;
        rc = meta_write(h->path, &m);
        break;
    case SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE:
        /* [sample] "will only succeed on VHDX". SIMULATOR CHOICE: ERROR_VHD_INVALID_TYPE; 512 or 4096 else 87. */
        if (!is_vhdx_like(m.deviceId))
            rc = SIM_ERROR_VHD_INVALID_TYPE;
        else if (info->VhdPhysicalSectorSize != 512 && info->VhdPhysicalSectorSize != 4096)
            rc = ERROR_INVALID_PARAMETER;
        else {
            m.physicalSectorSize = info->VhdPhysicalSectorSize;
            rc = meta_write(h->path, &m);
        }
        break;
    case SET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID:
        m.virtualDiskId = info->VirtualDiskId;
        rc = meta_write(h->path, &m);
        break;
    case SET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE:
        if (!is_vhdx_like(m.deviceId)) {
            rc = SIM_ERROR_VHD_INVALID_TYPE;
            break;
        }
        m.changeTracking = info->ChangeTrackingEnabled != 0;
        if (m.changeTracking && (!m.changeTrackingId || !m.changeTrackingId[0])) {
            /* SIMULATOR CHOICE: "rct:" + a new GUID's 32 hex digits */
            static const WCHAR HEX[] = L"0123456789abcdef";
            GUID id;
            BYTE raw[16];
            WCHAR w[40] = L"rct:";
            meta_random_guid(&id);
            memcpy(raw, &id, sizeof(raw));
            for (int i = 0; i < 16; i++) {
                w[4 + 2 * i] = HEX[raw[i] >> 4];
                w[5 + 2 * i] = HEX[raw[i] & 15];
            }
            w[36] = 0;
            WCHAR *copy = wdup(w);
            if (!copy) {
                rc = ERROR_NOT_ENOUGH_MEMORY;
                break;
            }
            free(m.changeTrackingId);
            m.changeTrackingId = copy;
        }
        rc = meta_write(h->path, &m);
        break;
    }
    meta_free(&m);
    return rc;
}

static void jb_set_info(jbuf *b, const SET_VIRTUAL_DISK_INFO *p)
{
    if (!p) {
        jb_null(b);
        return;
    }
    jb_raw(b, "{");
    jb_key(b, "version"); jb_u64(b, p->Version);
    jb_key(b, "raw"); jb_hex(b, p, sizeof(*p));
    switch (p->Version) {
    case SET_VIRTUAL_DISK_INFO_PARENT_PATH:
        jb_key(b, "parentFilePath"); jb_wstr(b, p->ParentFilePath);
        break;
    case SET_VIRTUAL_DISK_INFO_IDENTIFIER:
        jb_key(b, "uniqueIdentifier"); jb_guid(b, &p->UniqueIdentifier);
        break;
    case SET_VIRTUAL_DISK_INFO_PARENT_PATH_WITH_DEPTH:
        jb_key(b, "childDepth"); jb_u64(b, p->ParentPathWithDepthInfo.ChildDepth);
        jb_key(b, "parentFilePath"); jb_wstr(b, p->ParentPathWithDepthInfo.ParentFilePath);
        break;
    case SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE:
        jb_key(b, "vhdPhysicalSectorSize"); jb_u64(b, p->VhdPhysicalSectorSize);
        break;
    case SET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID:
        jb_key(b, "virtualDiskId"); jb_guid(b, &p->VirtualDiskId);
        break;
    case SET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE:
        jb_key(b, "changeTrackingEnabled"); jb_u64(b, (DWORD)p->ChangeTrackingEnabled);
        break;
    case SET_VIRTUAL_DISK_INFO_PARENT_LOCATOR:
        jb_key(b, "linkageId"); jb_guid(b, &p->ParentLocator.LinkageId);
        jb_key(b, "parentFilePath"); jb_wstr(b, p->ParentLocator.ParentFilePath);
        break;
    }
    jb_raw(b, "}");
}

DWORD WINAPI SetVirtualDiskInformation(HANDLE VirtualDiskHandle, PSET_VIRTUAL_DISK_INFO VirtualDiskInfo)
{
    call_ctx c;
    call_begin(&c, FN_SET_INFO);
    DWORD rc = c.faulted ? c.faultCode : set_info_impl(VirtualDiskHandle, VirtualDiskInfo);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "info"); jb_set_info(&b, VirtualDiskInfo);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ GetVirtualDiskOperationProgress */

static DWORD progress_impl(HANDLE vh, LPOVERLAPPED ov, PVIRTUAL_DISK_PROGRESS progress, unsigned long long *opId)
{
    handle_rec *h = live_handle(vh);
    if (!h || !ov || !progress)
        return ERROR_INVALID_PARAMETER;
    for (op_rec *o = h->ops; o; o = o->hnext) {
        if (o->ov == ov) {
            *opId = o->id;
            progress->OperationStatus = o->status;
            progress->CurrentValue = o->current;
            progress->CompletionValue = o->completion;
            return ERROR_SUCCESS;
        }
    }
    /* SIMULATOR CHOICE: an OVERLAPPED no operation on this handle used: ERROR_NOT_FOUND (1168), what
       CancelIoEx answers for it. */
    return ERROR_NOT_FOUND;
}

DWORD WINAPI GetVirtualDiskOperationProgress(HANDLE VirtualDiskHandle, LPOVERLAPPED Overlapped,
                                             PVIRTUAL_DISK_PROGRESS Progress)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_PROGRESS);
    DWORD rc = c.faulted ? c.faultCode : progress_impl(VirtualDiskHandle, Overlapped, Progress, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "progressPtr"); jb_bool(&b, Progress != NULL);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    jb_key(&b, "progress");
    if (rc == ERROR_SUCCESS && !c.faulted && Progress) {
        jb_raw(&b, "{");
        jb_key(&b, "operationStatus"); jb_u64(&b, Progress->OperationStatus);
        jb_key(&b, "currentValue"); jb_u64str(&b, Progress->CurrentValue);
        jb_key(&b, "completionValue"); jb_u64str(&b, Progress->CompletionValue);
        jb_raw(&b, "}");
    } else {
        jb_null(&b);
    }
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ Resize / Expand / Compact / Merge */

/* The common start of an operation on handle `h` whose metadata is `m` (consumed). */
static DWORD start_handle_op(int fn, handle_rec *h, sim_meta *m, LPOVERLAPPED ov, unsigned long long *opId,
                             op_rec **made)
{
    op_rec *o = op_new(fn, h, h->path, h->type.DeviceId, ov);
    if (!o) {
        meta_free(m);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    o->completion = m->virtualSize / SIM_MIB;
    meta_free(m);
    *opId = o->id;
    *made = o;
    return ERROR_SUCCESS;
}

static DWORD resize_impl(HANDLE vh, DWORD flags, PRESIZE_VIRTUAL_DISK_PARAMETERS params, LPOVERLAPPED ov,
                         unsigned long long *opId)
{
    handle_rec *h = live_handle(vh);
    if (!h || !params || params->Version != RESIZE_VIRTUAL_DISK_VERSION_1)
        return ERROR_INVALID_PARAMETER;
    if (flags & ~(RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE | RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE))
        return ERROR_INVALID_PARAMETER;
    if (is_iso(h))
        return ERROR_NOT_SUPPORTED;
    /* [sample] "Only V2 handles can be used to resize". SIMULATOR CHOICE: a Version 1 handle gets 87. */
    if (v1(h))
        return ERROR_INVALID_PARAMETER;
    DWORD rc = need_metaops(h);
    if (rc != ERROR_SUCCESS)
        return rc;
    const BOOL toSmallest = (flags & RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE) != 0;
    /* [doc] RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE requires NewSize 0; without it, 0 is no size */
    if (toSmallest != (params->Version1.NewSize == 0))
        return ERROR_INVALID_PARAMETER;
    if ((rc = need_idle(h, FALSE, FALSE)) != ERROR_SUCCESS)
        return rc;
    sim_meta m;
    if ((rc = meta_read(h->path, h->type.DeviceId, &m)) != ERROR_SUCCESS)
        return rc;
    /* SIMULATOR CHOICE: a differencing disk keeps its parent's size: ERROR_VHD_INVALID_TYPE. */
    if (m.subtype == SIM_SUBTYPE_DIFFERENCING)
        rc = SIM_ERROR_VHD_INVALID_TYPE;
    ULONGLONG target = toSmallest ? m.smallestSafeVirtualSize : params->Version1.NewSize;
    if (rc == ERROR_SUCCESS && toSmallest && m.virtualSize <= m.smallestSafeVirtualSize)
        rc = SIM_ERROR_VHD_ALREADY_AT_OR_BELOW_MINIMUM_VIRTUAL_SIZE;
    /* SIMULATOR CHOICE: the create rules on the size (sector multiple, >= 3 MB, format maximum): 87 */
    if (rc == ERROR_SUCCESS && (target % (m.logicalSectorSize ? m.logicalSectorSize : 512) || target < SIM_MIN_SIZE ||
                                target > max_size(m.deviceId)))
        rc = ERROR_INVALID_PARAMETER;
    if (rc == ERROR_SUCCESS && target < m.virtualSize) {
        /* SIMULATOR CHOICE: only VHDX shrinks (as Resize-VHD): a VHD gets ERROR_VHD_INVALID_TYPE. */
        if (!is_vhdx_like(m.deviceId))
            rc = SIM_ERROR_VHD_INVALID_TYPE;
        /* [sample] NONE refuses to shrink below SmallestSafeVirtualSize: ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA */
        else if (target < m.smallestSafeVirtualSize && !(flags & RESIZE_VIRTUAL_DISK_FLAG_ALLOW_UNSAFE_VIRTUAL_SIZE))
            rc = SIM_ERROR_VHD_RESIZE_WOULD_TRUNCATE_DATA;
    }
    if (rc != ERROR_SUCCESS) {
        meta_free(&m);
        return rc;
    }
    op_rec *o;
    if ((rc = start_handle_op(FN_RESIZE, h, &m, ov, opId, &o)) != ERROR_SUCCESS)
        return rc;
    o->flags = flags;
    o->newSize = target;
    o->completion = target / SIM_MIB;
    return op_start(o);
}

static DWORD expand_impl(HANDLE vh, DWORD flags, PEXPAND_VIRTUAL_DISK_PARAMETERS params, LPOVERLAPPED ov,
                         unsigned long long *opId)
{
    handle_rec *h = live_handle(vh);
    if (!h || !params || params->Version != EXPAND_VIRTUAL_DISK_VERSION_1)
        return ERROR_INVALID_PARAMETER;
    /* [doc] Flags "Must be EXPAND_VIRTUAL_DISK_FLAG_NONE"; the header adds NOTIFY_CHANGE (1). */
    if (flags & ~EXPAND_VIRTUAL_DISK_FLAG_NOTIFY_CHANGE)
        return ERROR_INVALID_PARAMETER;
    if (is_iso(h))
        return ERROR_NOT_SUPPORTED;
    DWORD rc = need_metaops(h);
    if (rc != ERROR_SUCCESS)
        return rc;
    /* [doc] "requires that the virtual disk be detached during the operation" */
    if ((rc = need_idle(h, FALSE, FALSE)) != ERROR_SUCCESS)
        return rc;
    sim_meta m;
    if ((rc = meta_read(h->path, h->type.DeviceId, &m)) != ERROR_SUCCESS)
        return rc;
    const ULONGLONG target = params->Version1.NewSize;
    /* [doc] "valid only for fixed and expandable virtual disks". SIMULATOR CHOICE: ERROR_VHD_INVALID_TYPE. */
    if (m.subtype == SIM_SUBTYPE_DIFFERENCING)
        rc = SIM_ERROR_VHD_INVALID_TYPE;
    /* SIMULATOR CHOICE: expanding means growing (87 otherwise), sector multiple, format maximum */
    else if (target <= m.virtualSize || target % (m.logicalSectorSize ? m.logicalSectorSize : 512) ||
             target > max_size(m.deviceId))
        rc = ERROR_INVALID_PARAMETER;
    if (rc != ERROR_SUCCESS) {
        meta_free(&m);
        return rc;
    }
    op_rec *o;
    if ((rc = start_handle_op(FN_EXPAND, h, &m, ov, opId, &o)) != ERROR_SUCCESS)
        return rc;
    o->flags = flags;
    o->newSize = target;
    o->completion = target / SIM_MIB;
    return op_start(o);
}

static DWORD compact_impl(HANDLE vh, DWORD flags, PCOMPACT_VIRTUAL_DISK_PARAMETERS params, LPOVERLAPPED ov,
                          unsigned long long *opId)
{
    handle_rec *h = live_handle(vh);
    if (!h)
        return ERROR_INVALID_PARAMETER;
    /* [doc] Parameters is optional; Flags: the page says NONE, the header has NO_ZERO_SCAN | NO_BLOCK_MOVES. */
    if (params && params->Version != COMPACT_VIRTUAL_DISK_VERSION_1)
        return ERROR_INVALID_PARAMETER;
    if (flags & ~(COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN | COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES))
        return ERROR_INVALID_PARAMETER;
    if (is_iso(h))
        return ERROR_NOT_SUPPORTED;
    DWORD rc = need_metaops(h);
    if (rc != ERROR_SUCCESS)
        return rc;
    /* [doc] file-system-aware compaction runs on a read-only attachment; a read/write one refuses */
    if ((rc = need_idle(h, TRUE, FALSE)) != ERROR_SUCCESS)
        return rc;
    sim_meta m;
    if ((rc = meta_read(h->path, h->type.DeviceId, &m)) != ERROR_SUCCESS)
        return rc;
    /* [doc] "Only dynamically expandable or differencing disks". SIMULATOR CHOICE: ERROR_VHD_INVALID_TYPE. */
    if (m.subtype == SIM_SUBTYPE_FIXED) {
        meta_free(&m);
        return SIM_ERROR_VHD_INVALID_TYPE;
    }
    op_rec *o;
    const ULONGLONG physical = m.physicalSize;
    if ((rc = start_handle_op(FN_COMPACT, h, &m, ov, opId, &o)) != ERROR_SUCCESS)
        return rc;
    o->flags = flags;
    o->completion = physical / SIM_MIB ? physical / SIM_MIB : 1;
    return op_start(o);
}

static DWORD merge_impl(HANDLE vh, DWORD flags, PMERGE_VIRTUAL_DISK_PARAMETERS params, LPOVERLAPPED ov,
                        unsigned long long *opId)
{
    handle_rec *h = live_handle(vh);
    if (!h || !params)
        return ERROR_INVALID_PARAMETER;
    if (params->Version != MERGE_VIRTUAL_DISK_VERSION_1 && params->Version != MERGE_VIRTUAL_DISK_VERSION_2)
        return ERROR_INVALID_PARAMETER;
    if (flags != MERGE_VIRTUAL_DISK_FLAG_NONE) /* [doc] NONE only */
        return ERROR_INVALID_PARAMETER;
    if (is_iso(h))
        return ERROR_NOT_SUPPORTED;
    DWORD rc = need_metaops(h);
    if (rc != ERROR_SUCCESS)
        return rc;
    /* Depths from the leaf (1). Version 1: MergeDepth parents merged = leaf .. MergeDepth into MergeDepth+1. */
    DWORD source, target;
    if (params->Version == MERGE_VIRTUAL_DISK_VERSION_1) {
        source = 1;
        target = params->Version1.MergeDepth + 1;
        if (params->Version1.MergeDepth == 0)
            return ERROR_INVALID_PARAMETER;
    } else {
        source = params->Version2.MergeSourceDepth;
        target = params->Version2.MergeTargetDepth;
        if (source == 0 || target <= source)
            return ERROR_INVALID_PARAMETER;
    }
    /* [doc] a Version 1 open's RWDepth must be greater than MergeDepth (here: target - 1).
       SIMULATOR CHOICE: ERROR_INVALID_PARAMETER. */
    if (v1(h) && h->rwDepth <= target - 1)
        return ERROR_INVALID_PARAMETER;
    /* [doc] the disks must be detached (Version 1); [sample] Version 2 "allows merging of VHDs/VHDXs in use" */
    if ((rc = need_idle(h, FALSE, params->Version == MERGE_VIRTUAL_DISK_VERSION_2)) != ERROR_SUCCESS)
        return rc;
    chain c;
    if ((rc = chain_read(h->path, h->type.DeviceId, target, &c)) != ERROR_SUCCESS)
        return rc;
    /* [doc] merging needs a differencing disk. SIMULATOR CHOICE: ERROR_VHD_INVALID_TYPE; a depth beyond the
       chain: ERROR_INVALID_PARAMETER. */
    if (c.metas[0].subtype != SIM_SUBTYPE_DIFFERENCING)
        rc = SIM_ERROR_VHD_INVALID_TYPE;
    else if (c.n < target)
        rc = ERROR_INVALID_PARAMETER;
    sim_meta leaf;
    BOOL haveLeaf = rc == ERROR_SUCCESS && meta_copy(&leaf, &c.metas[0]);
    chain_free(&c);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (!haveLeaf)
        return ERROR_NOT_ENOUGH_MEMORY;
    op_rec *o;
    if ((rc = start_handle_op(FN_MERGE, h, &leaf, ov, opId, &o)) != ERROR_SUCCESS)
        return rc;
    o->flags = flags;
    o->mergeSource = source;
    o->mergeTarget = target;
    return op_start(o);
}

/* ------------------------------------------------------------------ AttachVirtualDisk with an OVERLAPPED */

DWORD lc_attach_start(handle_rec *h, attach_rec *a, LPOVERLAPPED ov, DWORD durationMs, unsigned long long *opId)
{
    op_rec *o = op_new(FN_ATTACH, h, h->path, h->type.DeviceId, ov);
    if (!o) {
        attach_discard(a);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    o->attach = a; /* op_finish / op_free discard it unless op_commit made it the image's */
    o->durationMs = durationMs;
    o->flags = a->flags;
    o->completion = ATTACH_COMPLETION;
    *opId = o->id;
    return op_start(o);
}

static void jb_size_params(jbuf *b, DWORD version, const void *p, ULONGLONG newSize)
{
    if (!p) {
        jb_null(b);
        return;
    }
    jb_raw(b, "{");
    jb_key(b, "version"); jb_u64(b, version);
    jb_key(b, "raw"); jb_hex(b, p, 16);
    jb_key(b, "newSize"); jb_u64str(b, newSize);
    jb_raw(b, "}");
}

DWORD WINAPI ResizeVirtualDisk(HANDLE VirtualDiskHandle, DWORD Flags, PRESIZE_VIRTUAL_DISK_PARAMETERS Parameters,
                               LPOVERLAPPED Overlapped)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_RESIZE);
    DWORD rc = c.faulted ? c.faultCode : resize_impl(VirtualDiskHandle, Flags, Parameters, Overlapped, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "params");
    jb_size_params(&b, Parameters ? Parameters->Version : 0, Parameters, Parameters ? Parameters->Version1.NewSize : 0);
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    log_append(&c, &b);
    return rc;
}

DWORD WINAPI ExpandVirtualDisk(HANDLE VirtualDiskHandle, DWORD Flags, PEXPAND_VIRTUAL_DISK_PARAMETERS Parameters,
                               LPOVERLAPPED Overlapped)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_EXPAND);
    DWORD rc = c.faulted ? c.faultCode : expand_impl(VirtualDiskHandle, Flags, Parameters, Overlapped, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "params");
    jb_size_params(&b, Parameters ? Parameters->Version : 0, Parameters, Parameters ? Parameters->Version1.NewSize : 0);
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    log_append(&c, &b);
    return rc;
}

DWORD WINAPI CompactVirtualDisk(HANDLE VirtualDiskHandle, DWORD Flags, PCOMPACT_VIRTUAL_DISK_PARAMETERS Parameters,
                                LPOVERLAPPED Overlapped)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_COMPACT);
    DWORD rc = c.faulted ? c.faultCode : compact_impl(VirtualDiskHandle, Flags, Parameters, Overlapped, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "params");
    if (!Parameters) {
        jb_null(&b);
    } else {
        jb_raw(&b, "{");
        jb_key(&b, "version"); jb_u64(&b, Parameters->Version);
        jb_key(&b, "raw"); jb_hex(&b, Parameters, sizeof(*Parameters));
        jb_key(&b, "reserved"); jb_u64(&b, Parameters->Version1.Reserved);
        jb_raw(&b, "}");
    }
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    log_append(&c, &b);
    return rc;
}

DWORD WINAPI MergeVirtualDisk(HANDLE VirtualDiskHandle, DWORD Flags, PMERGE_VIRTUAL_DISK_PARAMETERS Parameters,
                              LPOVERLAPPED Overlapped)
{
    call_ctx c;
    unsigned long long opId = 0;
    HANDLE ovEvent = Overlapped ? Overlapped->hEvent : NULL;
    call_begin(&c, FN_MERGE);
    DWORD rc = c.faulted ? c.faultCode : merge_impl(VirtualDiskHandle, Flags, Parameters, Overlapped, &opId);
    LeaveCriticalSection(&g.lock);

    jbuf b;
    jb_init(&b);
    log_header(&b, &c, rc);
    jb_key(&b, "handle"); jb_handle(&b, VirtualDiskHandle);
    jb_key(&b, "flags"); jb_u64(&b, Flags);
    jb_key(&b, "params");
    if (!Parameters) {
        jb_null(&b);
    } else {
        jb_raw(&b, "{");
        jb_key(&b, "version"); jb_u64(&b, Parameters->Version);
        jb_key(&b, "raw"); jb_hex(&b, Parameters, sizeof(*Parameters));
        if (Parameters->Version == MERGE_VIRTUAL_DISK_VERSION_1) {
            jb_key(&b, "mergeDepth"); jb_u64(&b, Parameters->Version1.MergeDepth);
        } else if (Parameters->Version == MERGE_VIRTUAL_DISK_VERSION_2) {
            jb_key(&b, "mergeSourceDepth"); jb_u64(&b, Parameters->Version2.MergeSourceDepth);
            jb_key(&b, "mergeTargetDepth"); jb_u64(&b, Parameters->Version2.MergeTargetDepth);
        }
        jb_raw(&b, "}");
    }
    jb_key(&b, "overlapped"); jb_overlapped(&b, Overlapped, ovEvent);
    jb_key(&b, "operation"); jb_op_id(&b, opId);
    log_append(&c, &b);
    return rc;
}

/* ------------------------------------------------------------------ test controls */

/* `function` (a long operation) runs `ms` milliseconds; unknown or other functions are ignored. */
void WINAPI SimSetDuration(const WCHAR *function, DWORD ms)
{
    int i = fn_index(function);
    if (i < 0 || !FN_IS_LONG(i))
        return;
    EnterCriticalSection(&g.lock);
    lc.durationMs[i] = ms;
    LeaveCriticalSection(&g.lock);
}

/* The next `count` operations of `function` that start run their duration and then fail with `code`
   (nothing applied; a create leaves its file, marked incomplete). count 0 clears; INFINITE never runs out.
   AttachVirtualDisk: its asynchronous calls only (a synchronous attach is no operation: SimSetFault fails it). */
void WINAPI SimSetCompletionFault(const WCHAR *function, DWORD code, DWORD count)
{
    int i = fn_index(function);
    if (i < 0 || !FN_IS_OPERATION(i))
        return;
    EnterCriticalSection(&g.lock);
    lc.completionFaultCode[i] = code;
    lc.completionFaultCount[i] = count;
    LeaveCriticalSection(&g.lock);
}

/* The next `count` GetVirtualDiskInformation calls asking `version` return `code` (after the handle, size and
   access checks). count 0 clears; INFINITE never runs out. */
void WINAPI SimSetInfoFault(DWORD version, DWORD code, DWORD count)
{
    if (version >= INFO_VERSIONS)
        return;
    EnterCriticalSection(&g.lock);
    lc.infoFaultCode[version] = code;
    lc.infoFaultCount[version] = count;
    LeaveCriticalSection(&g.lock);
}

/* Every operation kept (running ones and the last OP_KEEP_FINISHED finished ones), in start order. */
DWORD WINAPI SimGetOperations(char *buf, DWORD *size)
{
    if (!size)
        return ERROR_INVALID_PARAMETER;
    jbuf b;
    jb_init(&b);
    EnterCriticalSection(&g.lock);
    jb_raw(&b, "[");
    for (op_rec *o = lc.first; o; o = o->next) {
        jb_sep(&b);
        jb_raw(&b, "{");
        jb_key(&b, "id"); jb_u64(&b, o->id);
        jb_key(&b, "fn"); jb_str(&b, FN_NAMES[o->fn]);
        jb_key(&b, "handle");
        if (o->handleValue) jb_handle(&b, o->handleValue); else jb_null(&b);
        jb_key(&b, "path"); jb_wstr(&b, o->path);
        jb_key(&b, "overlapped");
        if (o->ov) jb_u64str(&b, (unsigned long long)(ULONG_PTR)o->ov); else jb_null(&b);
        jb_key(&b, "hEvent");
        if (o->ov) jb_u64str(&b, (unsigned long long)(ULONG_PTR)o->callerEvent); else jb_null(&b);
        jb_key(&b, "synchronous"); jb_bool(&b, o->ov == NULL);
        jb_key(&b, "running"); jb_bool(&b, o->running);
        jb_key(&b, "status"); jb_u64(&b, o->status);
        jb_key(&b, "currentValue"); jb_u64str(&b, o->current);
        jb_key(&b, "completionValue"); jb_u64str(&b, o->completion);
        jb_key(&b, "durationMs"); jb_u64(&b, o->durationMs);
        jb_key(&b, "injectedFailure");
        if (o->failInjected) jb_u64(&b, o->failCode); else jb_null(&b);
        jb_key(&b, "cancelled"); jb_bool(&b, o->cancelled);
        jb_key(&b, "aborted"); jb_bool(&b, o->aborted);
        jb_key(&b, "referencesOverlapped"); jb_bool(&b, o->referencesOverlapped);
        jb_key(&b, "flags"); jb_u64(&b, o->flags);
        jb_key(&b, "newSize");
        if (o->fn == FN_RESIZE || o->fn == FN_EXPAND) jb_u64str(&b, o->newSize); else jb_null(&b);
        jb_key(&b, "mergeSourceDepth");
        if (o->fn == FN_MERGE) jb_u64(&b, o->mergeSource); else jb_null(&b);
        jb_key(&b, "mergeTargetDepth");
        if (o->fn == FN_MERGE) jb_u64(&b, o->mergeTarget); else jb_null(&b);
        jb_key(&b, "start"); jb_ms(&b, o->start);
        jb_key(&b, "end");
        if (o->running) jb_null(&b); else jb_ms(&b, o->end);
        jb_raw(&b, "}");
    }
    jb_raw(&b, "]");
    LeaveCriticalSection(&g.lock);
    return sim_emit(jb_take(&b), buf, size);
}

/* The metadata of the image file at `path` as the simulator reads it (defaults for a file without any; the
   storage type of such a file is guessed from its extension). Returns the file's error (2, 3, ...) if any. */
DWORD WINAPI SimGetImage(const WCHAR *path, char *buf, DWORD *size)
{
    if (!path || !size)
        return ERROR_INVALID_PARAMETER;
    sim_meta m;
    DWORD rc = meta_read(path, meta_device_from_extension(path), &m);
    if (rc != ERROR_SUCCESS)
        return rc;
    jbuf b;
    jb_init(&b);
    jb_raw(&b, "{");
    jb_key(&b, "path"); jb_wstr(&b, path);
    jb_key(&b, "hasMetadata"); jb_bool(&b, m.hasMetadata);
    meta_json_members(&b, &m);
    jb_key(&b, "fileSize"); jb_u64str(&b, m.fileSize);
    jb_raw(&b, "}");
    meta_free(&m);
    return sim_emit(jb_take(&b), buf, size);
}
