/*
 * Shared state of the virtdisk.dll simulator: virtdisk.c (handles, images, attachments, the call log, the
 * Sim* controls, Open/Attach/Detach/GetVirtualDiskPhysicalPath) and lifecycle.c (Create, Get/Set information,
 * progress, Resize/Compact/Merge/Expand and their long operations). One lock (g.lock) guards all of it.
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "virtdisk_sdk.h"
#include "jsonbuf.h"
#include "meta.h"

enum {
    FN_OPEN, FN_ATTACH, FN_DETACH, FN_PHYSICAL_PATH,
    FN_CREATE, FN_GET_INFO, FN_SET_INFO, FN_PROGRESS, FN_RESIZE, FN_COMPACT, FN_MERGE, FN_EXPAND,
    FN_COUNT
};
/* The functions that run as long operations (OVERLAPPED, progress, duration, failure at completion). */
#define FN_IS_LONG(fn) ((fn) == FN_CREATE || (fn) == FN_RESIZE || (fn) == FN_COMPACT || (fn) == FN_MERGE || (fn) == FN_EXPAND)
/* The functions that can run as an operation record (lifecycle.c's machinery): the long operations, and
   AttachVirtualDisk when it is given an OVERLAPPED (its duration is its SimSetDelay value, not SimSetDuration's;
   SimSetCompletionFault applies to it). */
#define FN_IS_OPERATION(fn) (FN_IS_LONG(fn) || (fn) == FN_ATTACH)

extern const WCHAR *const FN_NAMES_W[FN_COUNT];
extern const char *const FN_NAMES[FN_COUNT];

/* VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT {EC984AEC-A0F9-47E9-901F-71415A66345B} */
extern const GUID VENDOR_MICROSOFT;

/* Intrusive chained hash table: the node is the first member of a record, the caller hashes the key. */
typedef struct hnode {
    struct hnode *next;
    size_t hash;
} hnode;

typedef struct htable {
    hnode **buckets;
    size_t mask; /* bucket count - 1 (a power of two) */
    size_t count;
} htable;

/* What identifies an image file (same file <=> same identity, whatever path reached it). */
typedef struct image_id {
    ULONGLONG volume; /* volume serial number */
    BYTE file[16];    /* file ID; a 64-bit file index fills the low 8 bytes */
} image_id;

struct handle_rec;
struct attach_rec;
struct op_rec;

/* One per image file that has an open handle, an attachment or a running operation. */
typedef struct image_rec {
    hnode node; /* in g.images, keyed by id */
    image_id id;
    struct handle_rec *handles; /* open on this image (imagePrev/imageNext) */
    size_t handleCount;
    struct attach_rec *attach; /* NULL when not attached */
    struct op_rec *busy;       /* the long operation running on this image, or NULL */
    size_t opRefs;             /* running operations that reference this record */
} image_rec;

typedef struct handle_rec {
    hnode node;                        /* in g.handles, keyed by `handle` */
    struct handle_rec *prev, *next;    /* every handle, in creation order (SimGetState) */
    struct handle_rec *imagePrev, *imageNext;
    image_rec *image;
    HANDLE handle;   /* server end of a duplex overlapped named pipe: what the caller got */
    HANDLE readEnd;  /* client end of that pipe: kept to notice when the caller has closed `handle` */
    WCHAR *path;     /* as passed to OpenVirtualDisk / CreateVirtualDisk */
    WCHAR *fullPath; /* GetFullPathNameW(path), for information only (images are identified by image_id) */
    VIRTUAL_STORAGE_TYPE type;
    DWORD version, access, flags, rwDepth;
    BOOL readOnly, getInfoOnly; /* Version2/3 fields; FALSE for Version1 handles */
    BOOL created;               /* returned by CreateVirtualDisk */
    struct op_rec *ops;         /* operations started on this handle, newest first (lifecycle.c) */
    unsigned opCount;
} handle_rec;

typedef struct attach_rec {
    struct attach_rec *prev, *next; /* every attachment, in attach order (SimGetState) */
    image_rec *image;
    WCHAR *path, *fullPath; /* of the attaching handle */
    VIRTUAL_STORAGE_TYPE type;
    handle_rec *owner; /* attaching handle; NULL once it was closed (permanent attachments only) */
    HANDLE ownerHandle;
    DWORD flags;
    BOOL permanent, readOnly, restricted;
    ULONGLONG restrictedOffset, restrictedLength;
    WCHAR physicalPath[40];
    DWORD diskNumber;    /* N of \\.\PhysicalDriveN while this attachment holds the number (sim_fakedisk.c), else 0 */
    BOOL numberChosen;   /* the simulator chose it (not SimSetNextPhysicalPath) */
    BOOL fakeDisk;       /* fakedisk.sys has a disk for it */
    DWORD fakeDiskError; /* why it has none (ADD_DISK's error), 0 if it has one or none was asked for */
} attach_rec;

typedef struct log_rec {
    unsigned long long seq;
    char *json;
} log_rec;

typedef struct sim_globals {
    CRITICAL_SECTION lock;
    LARGE_INTEGER qpcFreq;
    unsigned long long generation; /* bumped by SimReset: in-flight calls then do not log */
    unsigned long long seq;
    htable handles, images;
    handle_rec *firstHandle, *lastHandle;
    attach_rec *firstAttach, *lastAttach;
    log_rec *log;
    size_t logLen, logCap;
    DWORD faultCode[FN_COUNT], faultCount[FN_COUNT], delayMs[FN_COUNT];
    DWORD nextCdrom;
    unsigned long long handlesCreated, handlesClosed, autoDetached;
    unsigned long long pipeSerial;
} sim_globals;

extern sim_globals g;

/* --- call bracket and log (virtdisk.c) */
typedef struct call_ctx {
    int fn;
    unsigned long long seq, generation, start;
    DWORD tid, delayMs, faultCode;
    BOOL faulted;
} call_ctx;

void call_begin(call_ctx *c, int fn); /* returns with the lock HELD */
/* The same; with sleepDelay FALSE the configured delay is recorded in c->delayMs but not slept. */
void call_begin_ex(call_ctx *c, int fn, BOOL sleepDelay);
void log_header(jbuf *b, const call_ctx *c, DWORD rc);
void log_append(const call_ctx *c, jbuf *b); /* takes the lock itself */
void jb_handle(jbuf *b, HANDLE h);
void jb_storage_type(jbuf *b, const VIRTUAL_STORAGE_TYPE *t);
void jb_security_descriptor(jbuf *b, PSECURITY_DESCRIPTOR sd); /* null | {valid, length} */
void jb_image_id(jbuf *b, const image_id *id);

/* --- helpers (virtdisk.c) */
unsigned long long now_micros(void);
WCHAR *wdup(const WCHAR *s);
WCHAR *full_path(const WCHAR *path);
DWORD last_error(DWORD otherwise);
DWORD read_image_id(const WCHAR *path, image_id *id);

/* --- records (virtdisk.c; lock held) */
handle_rec *live_handle(HANDLE h);     /* NULL if unknown or closed meanwhile */
void sweep_image(handle_rec *h);       /* checks the other handles on h's image */
void image_release_if_unused(image_rec *img);
/* Registers a new handle on image `id` (like OpenVirtualDisk with these arguments); *out gets it. */
DWORD open_register(const image_id *id, PVIRTUAL_STORAGE_TYPE vst, PCWSTR path, DWORD access, DWORD flags,
                    POPEN_VIRTUAL_DISK_PARAMETERS params, PHANDLE out);

/* --- attachments (virtdisk.c; lock held) */
/* Makes the prepared (unlinked) attachment `a` the attachment of its image: its physical path is numbered then.
   `owner` is the attaching handle's record, NULL if that handle is gone (a non-permanent attachment then ends at
   once, counted in autoDetached). Fails with ERROR_SHARING_VIOLATION if the image is attached meanwhile; `a` is
   the caller's again then. On success `a` belongs to the image (or is freed, when it ended at once). */
DWORD attach_commit(attach_rec *a, handle_rec *owner);
void attach_undo(attach_rec *a);    /* ends a committed attachment that is still its image's */
void attach_discard(attach_rec *a); /* frees a prepared attachment that was never committed */

/* --- the attached disks as devices (sim_fakedisk.c; lock held) */
DWORD fd_number_take(void);                   /* the lowest free PhysicalDrive number >= 2, now used */
DWORD fd_number_claim(const WCHAR *physicalPath); /* its N (1..99) now used, or 0 (no such name, or in use) */
void fd_attached(attach_rec *a);  /* a committed attachment: its fakedisk.sys disk (may renumber a->physicalPath) */
void fd_detaching(attach_rec *a); /* an attachment ending: saves its layout in the image, removes its disk, frees N */
void fd_process_exit(attach_rec *a); /* the process is exiting: saves its layout (the driver removes the disk) */
void fd_reset_locked(void);
void fd_state_members(jbuf *b);   /* SimGetState's "fakeDisk" member */

/* --- Sim* control helpers (virtdisk.c) */
DWORD sim_emit(char *json, char *buf, DWORD *size); /* the Sim*(buf, &size) protocol; frees json */
int fn_index(const WCHAR *name);                    /* FN_* of an API function name, -1 if unknown */

/* --- lifecycle.c hooks */
void lc_init(void);
void lc_handle_retired(handle_rec *h); /* lock held: h is about to be freed */
void lc_abort_all_and_wait(void);      /* lock NOT held: ends every running operation (SimReset) */
void lc_reset_locked(void);            /* lock held: forgets every operation record and control */
void lc_state_members(jbuf *b);        /* lock held: counters for SimGetState */
/* lock held: an asynchronous AttachVirtualDisk of the prepared attachment `a` on handle `h` with the caller's
   OVERLAPPED `ov`, running `durationMs`. It takes `a` (committed at successful completion, freed otherwise).
   Returns ERROR_IO_PENDING, or the error that kept it from starting. */
DWORD lc_attach_start(handle_rec *h, attach_rec *a, LPOVERLAPPED ov, DWORD durationMs, unsigned long long *opId);
/* Log members shared by the functions that take an OVERLAPPED (lifecycle.c). */
void jb_overlapped(jbuf *b, const OVERLAPPED *ov, HANDLE hEvent); /* null | {address, hEvent} */
void jb_op_id(jbuf *b, unsigned long long id);                    /* the operation's id, or null */

#endif
