/*
 * The attached disks as devices: the simulator's side of fakedisk.sys (spec/windows/fakedisk, README.md there).
 *
 * Wine 8 answers ERROR_NOT_SUPPORTED to the disk IOCTLs. When the Wine tier's prefix has fakedisk.sys (setup.sh
 * installs it), every successful attach of a VHD, VHDX or VHD Set (not an ISO) adds a disk to it through
 * \\.\FakeDiskControl, numbered like the physical path GetVirtualDiskPhysicalPath reports (\\.\PhysicalDriveN,
 * STORAGE_DEVICE_NUMBER N), so that a caller opening that path reaches a disk answering the disk IOCTLs:
 *   DiskSize            the image's virtual size; sector sizes: the image's logical / physical sector sizes
 *   Flags               NO_DRIVE_LETTER when attached with ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, READ_ONLY when
 *                       attached read-only, plus what SimSetNextFakeDisk asked for (OFFLINE, READ_ONLY)
 *   BackingFolder       "<the image's full path>.fakedisk-volume", next to the image (the volume's files live there)
 *   SavedLayout         the image's "diskLayout" metadata (meta.h): what GET_SAVED_LAYOUT gave at its last detach;
 *                       none (a RAW disk) on the first attach
 * Every end of an attachment (DetachVirtualDisk, the auto-detach when the attaching handle of a non-permanent
 * attachment is closed, the rollback of an asynchronous attach, SimReset) asks GET_SAVED_LAYOUT, stores the bytes
 * in the image's metadata when they changed (so that another process attaching the image later gets its partition
 * table, volume, letter and files back), then REMOVE_DISK. When the process exits (ExitProcess) with disks still
 * attached, DllMain saves their layouts the same way (when the simulator's lock is free: ExitProcess has ended the
 * other threads first) and the driver removes the disks as the control handle closes; a process that is killed
 * (TerminateProcess) saves nothing, its disks go all the same.
 *
 * Disk numbers (SIMULATOR CHOICE, as Windows numbers disks): the lowest number >= 2 that no attachment of this
 * process uses, reused after a detach; when fakedisk.sys says the number is taken (183: another process's disk), the
 * next free one. fakedisk.sys takes 1..99 and 16 disks at once: an attach beyond that (or one whose ADD_DISK fails
 * for another reason, or one without the driver) still succeeds, without a device behind its physical path, and
 * SimGetState's fakeDisk.events records why. A physical path set with SimSetNextPhysicalPath is used as given; it
 * gets a disk when it names a \\.\PhysicalDriveN (1..99) no attachment of this process uses.
 *
 * One control handle per process, opened at the first attach (GENERIC_READ | GENERIC_WRITE); when it does not open
 * (no driver: the wine-builtin run, a prefix without it) it is not asked again and attaches work as before.
 * Every call here is made with the simulator's lock held and costs one or two driver round trips (O(1)).
 */
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <winioctl.h>

#include "fakedisk.h"

#define FD_NUMBERS 4096  /* physical-drive numbers tracked in the bitmap (0 and 1 are never handed out) */
#define FD_EVENTS 64     /* events SimGetState lists (the last ones) */
#define FD_ALLOWED_NEXT_FLAGS (FAKEDISK_ADD_NO_DRIVE_LETTER | FAKEDISK_ADD_READ_ONLY | FAKEDISK_ADD_OFFLINE)

typedef struct fd_event {
    unsigned long long seq;
    const char *op;   /* "add", "save", "remove", "open" */
    DWORD disk, result;
    WCHAR path[MAX_PATH];
} fd_event;

static struct {
    HANDLE control;
    BOOL tried;       /* CreateFileW was attempted (once per process) */
    DWORD openError;  /* its error when it failed */
    ULONGLONG used[FD_NUMBERS / 64];
    DWORD overflowNext;
    BOOL hasNext;
    DWORD nextFlags, nextDelayMs;
    WCHAR nextLetter;
    unsigned long long added, removed, addFailed, saved, seq;
    fd_event events[FD_EVENTS];
} fd;

static void fd_event_add(const char *op, DWORD disk, DWORD result, const WCHAR *path)
{
    fd_event *e = &fd.events[fd.seq % FD_EVENTS];
    e->seq = ++fd.seq;
    e->op = op;
    e->disk = disk;
    e->result = result;
    e->path[0] = 0;
    if (path) {
        wcsncpy(e->path, path, MAX_PATH - 1);
        e->path[MAX_PATH - 1] = 0;
    }
}

/* ------------------------------------------------------------------ numbers */

static void number_mark(DWORD n, BOOL on)
{
    if (n >= FD_NUMBERS)
        return;
    if (on)
        fd.used[n / 64] |= 1ull << (n % 64);
    else
        fd.used[n / 64] &= ~(1ull << (n % 64));
}

static BOOL number_used(DWORD n)
{
    return n < FD_NUMBERS && (fd.used[n / 64] >> (n % 64)) & 1;
}

/* The lowest free number above `after` (>= 2), marked used. */
static DWORD number_take_after(DWORD after)
{
    DWORD from = after + 1 < 2 ? 2 : after + 1;
    for (DWORD w = from / 64; w < FD_NUMBERS / 64; w++) {
        ULONGLONG free_ = ~fd.used[w];
        if (w == from / 64)
            free_ &= ~0ull << (from % 64);
        if (free_) {
            DWORD n = w * 64 + (DWORD)__builtin_ctzll(free_);
            number_mark(n, TRUE);
            return n;
        }
    }
    if (fd.overflowNext < FD_NUMBERS)
        fd.overflowNext = FD_NUMBERS;
    return fd.overflowNext++; /* more than FD_NUMBERS - 2 attachments at once: no reuse beyond the bitmap */
}

DWORD fd_number_take(void)
{
    return number_take_after(1);
}

/* "\\.\PhysicalDriveN" -> N, or 0 when `path` is no such name (or N is outside 1..99). */
static DWORD physical_drive_number(const WCHAR *path)
{
    static const WCHAR PREFIX[] = L"\\\\.\\PhysicalDrive";
    const size_t n = ARRAYSIZE(PREFIX) - 1;
    if (_wcsnicmp(path, PREFIX, n) != 0 || !path[n])
        return 0;
    DWORD v = 0;
    for (const WCHAR *p = path + n; *p; p++) {
        if (*p < L'0' || *p > L'9' || v > FAKEDISK_MAX_NUMBER)
            return 0;
        v = v * 10 + (DWORD)(*p - L'0');
    }
    return v >= 1 && v <= FAKEDISK_MAX_NUMBER ? v : 0;
}

DWORD fd_number_claim(const WCHAR *physicalPath)
{
    DWORD n = physical_drive_number(physicalPath);
    if (!n || number_used(n))
        return 0;
    number_mark(n, TRUE);
    return n;
}

/* ------------------------------------------------------------------ the driver */

static HANDLE control(void)
{
    if (!fd.tried) {
        fd.tried = TRUE;
        HANDLE h = CreateFileW(FAKEDISK_CONTROL_DOS_NAME, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) {
            fd.openError = last_error(ERROR_FILE_NOT_FOUND);
            fd_event_add("open", 0, fd.openError, NULL);
        } else {
            fd.control = h;
        }
    }
    return fd.control;
}

static DWORD fd_ioctl(DWORD code, void *in, DWORD inSize, void *out, DWORD outSize, DWORD *got)
{
    DWORD ignored;
    if (!DeviceIoControl(fd.control, code, in, inSize, out, outSize, got ? got : &ignored, NULL))
        return last_error(ERROR_GEN_FAILURE);
    return ERROR_SUCCESS;
}

static BOOL layout_blank(const BYTE *b, DWORD n)
{
    /* a RAW table (PartitionStyle 2 at 32) and no persistent attributes: what a never-partitioned disk saves */
    if (n < sizeof(FAKEDISK_SAVED_LAYOUT) + 4)
        return FALSE;
    ULONGLONG attributes;
    DWORD style;
    memcpy(&attributes, b + 16, sizeof(attributes));
    memcpy(&style, b + 32, sizeof(style));
    return style == 2 && attributes == 0;
}

void fd_attached(attach_rec *a)
{
    if (!a->diskNumber || a->type.DeviceId == VIRTUAL_STORAGE_TYPE_DEVICE_ISO || !control())
        return;
    sim_meta m;
    DWORD rc = meta_read(a->fullPath, a->type.DeviceId, &m);
    if (rc != ERROR_SUCCESS) {
        fd_event_add("add", a->diskNumber, rc, a->fullPath);
        fd.addFailed++;
        return;
    }
    static const WCHAR SUFFIX[] = L".fakedisk-volume";
    const size_t pathChars = wcslen(a->fullPath);
    const DWORD folderBytes = (DWORD)((pathChars + ARRAYSIZE(SUFFIX) - 1) * sizeof(WCHAR));
    const DWORD layoutBytes = m.diskLayout ? m.diskLayoutSize : 0;
    const DWORD total = (DWORD)sizeof(FAKEDISK_ADD_DISK_INPUT) + layoutBytes + folderBytes;
    BYTE *buf = calloc(1, total);
    if (!buf) {
        meta_free(&m);
        return;
    }
    FAKEDISK_ADD_DISK_INPUT *in = (FAKEDISK_ADD_DISK_INPUT *)buf;
    in->Version = FAKEDISK_INTERFACE_VERSION;
    in->DiskSize = m.virtualSize;
    in->LogicalSectorSize = m.logicalSectorSize;
    in->PhysicalSectorSize = m.physicalSectorSize;
    in->Flags = ((a->flags & ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER) ? FAKEDISK_ADD_NO_DRIVE_LETTER : 0) |
                (a->readOnly ? FAKEDISK_ADD_READ_ONLY : 0);
    if (fd.hasNext) { /* SimSetNextFakeDisk: this disk */
        in->Flags |= fd.nextFlags;
        in->ArrivalDelayMs = fd.nextDelayMs;
        in->FirstDriveLetter = fd.nextLetter;
        fd.hasNext = FALSE;
    }
    if (layoutBytes) {
        in->SavedLayoutOffset = sizeof(*in);
        in->SavedLayoutLength = layoutBytes;
        memcpy(buf + sizeof(*in), m.diskLayout, layoutBytes);
    }
    in->BackingFolderOffset = sizeof(*in) + layoutBytes;
    in->BackingFolderLength = folderBytes;
    memcpy(buf + in->BackingFolderOffset, a->fullPath, pathChars * sizeof(WCHAR));
    memcpy(buf + in->BackingFolderOffset + pathChars * sizeof(WCHAR), SUFFIX, sizeof(SUFFIX) - sizeof(WCHAR));
    meta_free(&m);

    for (;;) {
        in->DiskNumber = a->diskNumber;
        rc = a->diskNumber <= FAKEDISK_MAX_NUMBER ? fd_ioctl(IOCTL_FAKEDISK_ADD_DISK, buf, total, NULL, 0, NULL)
                                                  : ERROR_INVALID_PARAMETER;
        fd_event_add("add", a->diskNumber, rc, a->fullPath);
        /* the number is another process's disk: as Windows would, the next free one (only for numbers we chose) */
        if (rc != ERROR_ALREADY_EXISTS || !a->numberChosen || a->diskNumber >= FAKEDISK_MAX_NUMBER)
            break;
        DWORD next = number_take_after(a->diskNumber);
        number_mark(a->diskNumber, FALSE);
        a->diskNumber = next;
        swprintf(a->physicalPath, ARRAYSIZE(a->physicalPath), L"\\\\.\\PhysicalDrive%lu", (unsigned long)next);
    }
    free(buf);
    if (rc == ERROR_SUCCESS) {
        a->fakeDisk = TRUE;
        fd.added++;
    } else {
        a->fakeDiskError = rc;
        fd.addFailed++;
    }
}

/* GET_SAVED_LAYOUT into a malloc'd buffer (*out), growing it on 234. */
static DWORD saved_layout(DWORD disk, BYTE **out, DWORD *size)
{
    DWORD cap = 4096, got = 0, rc;
    BYTE *b = NULL;
    for (int tries = 0; tries < 3; tries++) {
        BYTE *nb = realloc(b, cap);
        if (!nb) {
            free(b);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        b = nb;
        rc = fd_ioctl(IOCTL_FAKEDISK_GET_SAVED_LAYOUT, &disk, sizeof(disk), b, cap, &got);
        if (rc == ERROR_MORE_DATA && got >= sizeof(FAKEDISK_SAVED_LAYOUT)) {
            cap = ((FAKEDISK_SAVED_LAYOUT *)b)->Size;
            continue;
        }
        break;
    }
    if (rc != ERROR_SUCCESS) {
        free(b);
        return rc;
    }
    *out = b;
    *size = got;
    return ERROR_SUCCESS;
}

/* GET_SAVED_LAYOUT, and the bytes into the image's metadata when they changed. */
static void save_layout(attach_rec *a)
{
    BYTE *layout = NULL;
    DWORD size = 0, rc = saved_layout(a->diskNumber, &layout, &size);
    if (rc == ERROR_SUCCESS) {
        sim_meta m;
        rc = meta_read(a->fullPath, a->type.DeviceId, &m);
        if (rc == ERROR_SUCCESS) {
            const BOOL same = m.diskLayout ? m.diskLayoutSize == size && memcmp(m.diskLayout, layout, size) == 0
                                           : layout_blank(layout, size);
            if (!same) { /* written only when it changed: an image never partitioned keeps its file as it was */
                free(m.diskLayout);
                m.diskLayout = layout;
                m.diskLayoutSize = size;
                layout = NULL;
                rc = meta_write(a->fullPath, &m);
                if (rc == ERROR_SUCCESS)
                    fd.saved++;
                fd_event_add("save", a->diskNumber, rc, a->fullPath);
            }
            meta_free(&m);
        } else {
            fd_event_add("save", a->diskNumber, rc, a->fullPath);
        }
        free(layout);
    } else {
        fd_event_add("save", a->diskNumber, rc, a->fullPath);
    }
}

void fd_detaching(attach_rec *a)
{
    if (a->fakeDisk && fd.control) {
        save_layout(a);
        DWORD disk = a->diskNumber;
        DWORD rc = fd_ioctl(IOCTL_FAKEDISK_REMOVE_DISK, &disk, sizeof(disk), NULL, 0, NULL);
        fd_event_add("remove", a->diskNumber, rc, a->fullPath);
        if (rc == ERROR_SUCCESS)
            fd.removed++;
        a->fakeDisk = FALSE;
    }
    if (a->diskNumber)
        number_mark(a->diskNumber, FALSE);
    a->diskNumber = 0;
}

void fd_process_exit(attach_rec *a)
{
    if (a->fakeDisk && fd.control)
        save_layout(a); /* the driver removes the disk itself when the process's control handle closes */
}

void fd_reset_locked(void)
{
    memset(fd.used, 0, sizeof(fd.used));
    fd.overflowNext = FD_NUMBERS;
    fd.hasNext = FALSE;
    fd.added = fd.removed = fd.addFailed = fd.saved = 0;
}

void fd_state_members(jbuf *b)
{
    jb_key(b, "fakeDisk");
    jb_raw(b, "{");
    jb_key(b, "control"); jb_bool(b, fd.control != NULL);
    jb_key(b, "openError"); jb_u64(b, fd.openError);
    jb_key(b, "added"); jb_u64(b, fd.added);
    jb_key(b, "removed"); jb_u64(b, fd.removed);
    jb_key(b, "addFailed"); jb_u64(b, fd.addFailed);
    jb_key(b, "layoutsSaved"); jb_u64(b, fd.saved);
    jb_key(b, "next");
    if (fd.hasNext) {
        jb_raw(b, "{");
        jb_key(b, "flags"); jb_u64(b, fd.nextFlags);
        jb_key(b, "arrivalDelayMs"); jb_u64(b, fd.nextDelayMs);
        jb_key(b, "firstDriveLetter"); jb_u64(b, fd.nextLetter);
        jb_raw(b, "}");
    } else {
        jb_null(b);
    }
    jb_key(b, "events");
    jb_raw(b, "[");
    unsigned long long first = fd.seq > FD_EVENTS ? fd.seq - FD_EVENTS + 1 : 1;
    for (unsigned long long s = first; s <= fd.seq; s++) {
        const fd_event *e = &fd.events[(s - 1) % FD_EVENTS];
        jb_sep(b);
        jb_raw(b, "{");
        jb_key(b, "seq"); jb_u64(b, e->seq);
        jb_key(b, "op"); jb_str(b, e->op);
        jb_key(b, "disk"); jb_u64(b, e->disk);
        jb_key(b, "result"); jb_u64(b, e->result);
        jb_key(b, "path"); jb_wstr(b, e->path);
        jb_raw(b, "}");
    }
    jb_raw(b, "]");
    jb_raw(b, "}");
}

/* The next attach that adds a disk adds it with these FAKEDISK_ADD_* flags (NO_DRIVE_LETTER 0x1, READ_ONLY 0x2,
   OFFLINE 0x8; others are ignored), ArrivalDelayMs and FirstDriveLetter ('D'..'Y'; 0 = the driver's 'Q').
   One-shot; SimReset clears it. */
void WINAPI SimSetNextFakeDisk(DWORD flags, DWORD arrivalDelayMs, DWORD firstDriveLetter)
{
    EnterCriticalSection(&g.lock);
    fd.hasNext = TRUE;
    fd.nextFlags = flags & FD_ALLOWED_NEXT_FLAGS;
    fd.nextDelayMs = arrivalDelayMs;
    fd.nextLetter = (WCHAR)firstDriveLetter;
    LeaveCriticalSection(&g.lock);
}
