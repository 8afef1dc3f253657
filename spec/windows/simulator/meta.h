/*
 * Image metadata of the virtdisk.dll simulator: what a virtual-disk file "contains", kept IN the file so that
 * it survives closing and reopening the image (and is visible to every handle on it).
 *
 * File format (SIMULATOR CHOICE, nothing like a real VHD/VHDX): the whole file is one UTF-8 JSON object,
 *   {"virtdiskSimulator":1,"deviceId":3,"subtype":3,"virtualSize":"67108864",...}
 * with the fields of sim_meta below under the names meta_write_json() gives them (64-bit sizes as decimal
 * strings, GUIDs as "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", paths as strings). Missing fields take the
 * defaults of meta_defaults(); unknown fields are ignored, so a spec may write a partial object
 * (spec/windows/simulator.ts writeImage()).
 *
 * Any file that does not start with '{' + that key (the specs' 512 zero bytes, a real VHD) reads as a DEFAULT
 * image: a dynamic disk of 64 MiB, logical sector 512, physical sector 4096 (VHDX) or 512 (VHD), block 32 MiB
 * (VHDX) or 2 MiB (VHD), identifiers derived from the file's volume serial + file ID (stable for that file),
 * and some data in it (12 MiB physical for VHDX, so that compacting visibly shrinks it). An ISO reads as its
 * real file size.
 */
#ifndef SIM_META_H
#define SIM_META_H

#include "virtdisk_sdk.h"
#include "jsonbuf.h"

#define SIM_MIB (1024ull * 1024ull)
#define SIM_MIN_SIZE (3ull * SIM_MIB)                 /* CreateVirtualDisk page: MaximumSize >= 3 MB */
#define SIM_VHD_MAX_SIZE (2040ull * 1024ull * SIM_MIB)  /* 2040 GB */
#define SIM_VHDX_MAX_SIZE (64ull * 1024ull * 1024ull * SIM_MIB) /* 64 TB */

/* sim_meta.state */
enum { META_COMPLETE, META_CREATING, META_INCOMPLETE };

typedef struct sim_meta {
    BOOL hasMetadata;          /* the file held simulator metadata (else: defaults) */
    DWORD deviceId;            /* VIRTUAL_STORAGE_TYPE_DEVICE_* */
    DWORD subtype;             /* SIM_SUBTYPE_FIXED / DYNAMIC / DIFFERENCING (0 for ISO) */
    ULONGLONG virtualSize, physicalSize;
    DWORD blockSize, logicalSectorSize, physicalSectorSize;
    GUID identifier, virtualDiskId;
    DWORD timestamp;           /* seconds since 2000-01-01 00:00 UTC (the VHD footer's convention) */
    WCHAR *parentPath;         /* differencing disks: the parent's full path (malloc'd), else NULL */
    GUID parentIdentifier;     /* the parent's identifier when the link was made */
    DWORD parentTimestamp;     /* the parent's timestamp when the link was made */
    ULONGLONG smallestSafeVirtualSize;
    DWORD fragmentation;       /* percent */
    BOOL is4kAligned;
    BOOL changeTracking;
    WCHAR *changeTrackingId;   /* malloc'd, never NULL after meta_read/meta_defaults */
    DWORD state;               /* META_* */
    BOOL merged;               /* merged into an ancestor by MergeVirtualDisk (the file stays, invalid) */
    WCHAR *mergedInto;         /* that ancestor's path (malloc'd) or NULL */
    ULONGLONG fileSize;        /* the real file's size (not stored) */
    BYTE *diskLayout;          /* the attached disk's partition table as fakedisk.sys saved it at the last detach
                                  (FAKEDISK_SAVED_LAYOUT bytes, malloc'd; stored as "diskLayout": hex), or NULL */
    DWORD diskLayoutSize;
} sim_meta;

/* The file's identity (volume serial + file ID) and size, from an open handle. */
DWORD meta_file_identity(HANDLE file, BYTE seed[24], ULONGLONG *size);

/* A new empty image (what CreateVirtualDisk makes before the caller's parameters are applied): the format's
   block and sector sizes, no data, random identifier and virtual disk ID, timestamp now. */
BOOL meta_new(sim_meta *m, DWORD deviceId, DWORD subtype, ULONGLONG virtualSize);

/* Defaults for an image of `deviceId` whose file has identity `seed` (24 bytes) and size `fileSize`. */
void meta_defaults(sim_meta *m, DWORD deviceId, const BYTE seed[24], ULONGLONG fileSize);

/* Reads the metadata of the image file at `path` (defaults for a file without metadata: see above).
   `deviceHint` is the storage type to assume for such a file. Returns a Win32 error (2/3 when missing). */
DWORD meta_read(const WCHAR *path, DWORD deviceHint, sim_meta *m);

/* Writes `m` over the file at `path` (which must exist). */
DWORD meta_write(const WCHAR *path, const sim_meta *m);

/* Creates the file at `path` (CREATE_NEW: 80 ERROR_FILE_EXISTS if it exists, 3 if the folder is missing) with `m`. */
DWORD meta_create(const WCHAR *path, const sim_meta *m);

/* The fields as JSON members (no braces), the names the file uses. */
void meta_json_members(jbuf *b, const sim_meta *m);

void meta_free(sim_meta *m);
/* Deep copy; FALSE when out of memory (dst is then empty). */
BOOL meta_copy(sim_meta *dst, const sim_meta *src);

/* Storage type guessed from a path's extension: .iso 1, .vhd 2, .vhds 4, anything else 3 (VHDX). */
DWORD meta_device_from_extension(const WCHAR *path);

/* Fixed overhead of the format in the physical size (headers, BAT, footers). */
ULONGLONG meta_overhead(DWORD deviceId, DWORD subtype, ULONGLONG virtualSize, DWORD blockSize);

/* A random version-4 GUID. */
void meta_random_guid(GUID *g);
/* Seconds since 2000-01-01 00:00 UTC. */
DWORD meta_now_timestamp(void);
/* "{XXXXXXXX-...}" (braces optional, any case) -> GUID. */
BOOL meta_parse_guid(const char *s, size_t n, GUID *g);

#endif
