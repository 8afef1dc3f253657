/*
 * probe-overlapped.c -- what Wine 8.0 does with the simulator's handle kind (the server end of a duplex,
 * overlapped, message-mode named pipe) for the long operations of lifecycle.c. Not part of the DLL.
 * Build: x86_64-w64-mingw32-gcc -std=gnu11 -Wall -O0 -o probe-overlapped.exe probe-overlapped.c
 * Run:   wine64 probe-overlapped.exe   (output of a run under Wine 8.0~repack-4: probe-overlapped.out)
 *
 * Part 1: the raw facts (RtlNtStatusToDosError of the codes the simulator writes; zero-length messages in byte
 *         and message mode; a read issued by another thread with a swapped event; CancelIoEx; a message left by
 *         a lost race; the issuing thread exiting; the caller closing its handle; duplicates; hEvent NULL).
 * Part 2: the simulator's exact scheme (read issued on a DUPLICATE by another thread; the caller's CancelIoEx
 *         on its own handle; completion by a zero-length message; signalling the handle with an event-less read;
 *         draining a lost race; self-cancel + overwrite of Internal; closing the caller's handle meanwhile).
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

typedef ULONG (WINAPI *RTLNT)(LONG);
static void out(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); fflush(stdout); }

static int seq;
static BOOL make_pair(HANDLE *srv, HANDLE *cli, DWORD type)
{
    WCHAR name[128];
    swprintf(name, 128, L"\\\\.\\pipe\\simprobe-%lu-%d", GetCurrentProcessId(), ++seq);
    *srv = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                            type | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, NULL);
    if (*srv == INVALID_HANDLE_VALUE) { out("CreateNamedPipeW gle=%lu\n", GetLastError()); return FALSE; }
    *cli = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (*cli == INVALID_HANDLE_VALUE) { out("CreateFileW gle=%lu\n", GetLastError()); return FALSE; }
    return TRUE;
}

static BOOL write_msg(HANDLE cli, DWORD n)
{
    OVERLAPPED w; memset(&w, 0, sizeof w); w.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    char b[4] = "x";
    DWORD done = 0;
    BOOL ok = WriteFile(cli, b, n, NULL, &w);
    DWORD gle = GetLastError();
    BOOL r = GetOverlappedResult(cli, &w, &done, TRUE);
    out("  write %lu bytes: WriteFile=%d gle=%lu GOR=%d done=%lu\n", n, ok, ok ? 0 : gle, r, done);
    CloseHandle(w.hEvent);
    return r;
}

struct issue { HANDLE srv; OVERLAPPED *ov; HANDLE priv; HANDLE issued; HANDLE stop; BOOL ok; DWORD gle; char buf[8]; };
static DWORD WINAPI issuer(void *p)
{
    struct issue *is = p;
    HANDLE callerEvent = is->ov->hEvent;
    if (is->priv) is->ov->hEvent = is->priv;
    is->ok = ReadFile(is->srv, is->buf, sizeof is->buf, NULL, is->ov);
    is->gle = GetLastError();
    if (is->priv) is->ov->hEvent = callerEvent;
    SetEvent(is->issued);
    WaitForSingleObject(is->stop, INFINITE);
    return 0;
}

static HANDLE start_issue(struct issue *is, HANDLE srv, OVERLAPPED *ov, HANDLE priv)
{
    memset(is, 0, sizeof *is);
    is->srv = srv; is->ov = ov; is->priv = priv;
    is->issued = CreateEventW(NULL, TRUE, FALSE, NULL);
    is->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, issuer, is, 0, NULL);
    WaitForSingleObject(is->issued, INFINITE);
    out("  issued on thread: ReadFile=%d gle=%lu Internal=0x%llx\n", is->ok, is->gle, (unsigned long long)ov->Internal);
    return t;
}

static int part1(void)
{
    RTLNT map = (RTLNT)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "RtlNtStatusToDosError");
    LONG st[] = { (LONG)0x80070070, (LONG)0xC0070070, (LONG)0x800703E3, (LONG)0xC03A001B, (LONG)0xC03A0014,
                  (LONG)0xC0000120, (LONG)0xC000014B, (LONG)0xC00000B0, (LONG)0xE03A001B, (LONG)0x80070005, (LONG)0x8007001F,
                  (LONG)0xC0000022, (LONG)0xC000000D };
    for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++)
        out("RtlNtStatusToDosError(0x%08lx) = %lu (0x%lx)\n", (unsigned long)st[i], map(st[i]), map(st[i]));

    HANDLE srv, cli;
    DWORD n, gle; BOOL ok;
    char buf[8];

    for (int mode = 0; mode < 2; mode++) {
        DWORD type = mode ? (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE) : PIPE_TYPE_BYTE;
        out("== %s mode\n", mode ? "message" : "byte");
        if (!make_pair(&srv, &cli, type)) return 1;
        /* P2: zero-length write completes a pending read? */
        OVERLAPPED ov; memset(&ov, 0, sizeof ov); ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok = ReadFile(srv, buf, sizeof buf, NULL, &ov); gle = GetLastError();
        out(" P2 ReadFile=%d gle=%lu\n", ok, gle);
        write_msg(cli, 0);
        Sleep(50);
        out(" P2 after 0-byte write: Internal=0x%llx InternalHigh=%llu event=%lu\n", (unsigned long long)ov.Internal,
            (unsigned long long)ov.InternalHigh, WaitForSingleObject(ov.hEvent, 0));
        if (ov.Internal == 0x103) { write_msg(cli, 1); Sleep(20); out(" P2 after 1-byte write: Internal=0x%llx InternalHigh=%llu\n", (unsigned long long)ov.Internal, (unsigned long long)ov.InternalHigh); }
        CloseHandle(srv); CloseHandle(cli);
    }

    /* P3/P4: read issued on another thread with a swapped private event; cancel from main thread */
    out("== P3 swap + complete by message\n");
    make_pair(&srv, &cli, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        HANDLE callerEv = CreateEventW(NULL, TRUE, TRUE, NULL); /* start signalled: see if anything resets it */
        HANDLE priv = CreateEventW(NULL, TRUE, FALSE, NULL);
        ov.hEvent = callerEv;
        struct issue is; HANDLE t = start_issue(&is, srv, &ov, priv);
        out("  hEvent restored=%d callerEvent=%lu priv=%lu\n", ov.hEvent == callerEv, WaitForSingleObject(callerEv, 0), WaitForSingleObject(priv, 0));
        ResetEvent(callerEv);
        ok = GetOverlappedResult(srv, &ov, &n, FALSE); out("  GOR(FALSE) pending=%d gle=%lu\n", ok, GetLastError());
        write_msg(cli, 0);
        DWORD w = WaitForSingleObject(priv, 2000);
        out("  priv wait=%lu Internal=0x%llx InternalHigh=%llu callerEvent=%lu\n", w, (unsigned long long)ov.Internal, (unsigned long long)ov.InternalHigh, WaitForSingleObject(callerEv, 0));
        SetEvent(is.stop); WaitForSingleObject(t, INFINITE);
        SetLastError(0);
        ok = CancelIoEx(srv, &ov); out("  CancelIoEx after completion=%d gle=%lu\n", ok, GetLastError());
        /* P7: overwrite Internal with a failure, GetOverlappedResult */
        ULONG_PTR vals[] = { 0x80070070, 0xC03A001B, 0xC0000120 };
        for (int i = 0; i < 3; i++) {
            ov.Internal = vals[i]; ov.InternalHigh = 0; SetEvent(callerEv);
            SetLastError(0); ok = GetOverlappedResult(srv, &ov, &n, TRUE);
            out("  Internal=0x%llx -> GOR=%d gle=%lu (0x%lx)\n", (unsigned long long)vals[i], ok, GetLastError(), GetLastError());
        }
    }
    out("== P4 swap + cancel from main thread\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        HANDLE callerEv = CreateEventW(NULL, TRUE, FALSE, NULL);
        HANDLE priv = CreateEventW(NULL, TRUE, FALSE, NULL);
        ov.hEvent = callerEv;
        struct issue is; HANDLE t = start_issue(&is, srv, &ov, priv);
        SetLastError(0); ok = CancelIoEx(srv, &ov); out("  CancelIoEx=%d gle=%lu\n", ok, GetLastError());
        DWORD w = WaitForSingleObject(priv, 2000);
        out("  priv wait=%lu Internal=0x%llx callerEvent=%lu\n", w, (unsigned long long)ov.Internal, WaitForSingleObject(callerEv, 0));
        SetEvent(callerEv);
        SetLastError(0); ok = GetOverlappedResult(srv, &ov, &n, TRUE); out("  GOR=%d gle=%lu n=%lu\n", ok, GetLastError(), n);
        /* P10: a write after cancel stays in the pipe */
        write_msg(cli, 0);
        DWORD avail = 99, msgLeft = 99;
        ok = PeekNamedPipe(srv, NULL, 0, NULL, &avail, &msgLeft);
        out("  P10 peek srv after stale write: ok=%d avail=%lu left=%lu\n", ok, avail, msgLeft);
        OVERLAPPED o2; memset(&o2, 0, sizeof o2); o2.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok = ReadFile(srv, buf, sizeof buf, NULL, &o2); gle = GetLastError();
        out("  P10 next read=%d gle=%lu Internal=0x%llx\n", ok, ok ? 0 : gle, (unsigned long long)o2.Internal);
        if (!ok) { CancelIoEx(srv, &o2); GetOverlappedResult(srv, &o2, &n, TRUE); }
        SetEvent(is.stop); WaitForSingleObject(t, INFINITE);
    }
    out("== P8 issuing thread exits while its read is pending\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        HANDLE priv = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct issue is; HANDLE t = start_issue(&is, srv, &ov, priv);
        SetEvent(is.stop); WaitForSingleObject(t, INFINITE);
        Sleep(50);
        out("  after thread exit: Internal=0x%llx priv=%lu\n", (unsigned long long)ov.Internal, WaitForSingleObject(priv, 0));
        if (ov.Internal == 0x103) { write_msg(cli, 0); Sleep(50); out("  after write: Internal=0x%llx priv=%lu\n", (unsigned long long)ov.Internal, WaitForSingleObject(priv, 0)); }
    }
    out("== P5 caller closes the server end while a read is pending\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        HANDLE priv = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct issue is; HANDLE t = start_issue(&is, srv, &ov, priv);
        CloseHandle(srv);
        DWORD w = WaitForSingleObject(priv, 500);
        out("  after close: wait=%lu Internal=0x%llx\n", w, (unsigned long long)ov.Internal);
        DWORD avail = 0;
        SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL); out("  PeekNamedPipe(cli)=%d gle=%lu\n", ok, GetLastError());
        if (w) { write_msg(cli, 0); w = WaitForSingleObject(priv, 500); out("  after write: wait=%lu Internal=0x%llx\n", w, (unsigned long long)ov.Internal);
                 SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL); out("  PeekNamedPipe(cli)=%d gle=%lu\n", ok, GetLastError()); }
        SetEvent(is.stop); WaitForSingleObject(t, INFINITE);
        CloseHandle(cli);
    }
    out("== P6 close with nothing pending; duplicate\n");
    {
        make_pair(&srv, &cli, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
        HANDLE dup; DuplicateHandle(GetCurrentProcess(), srv, GetCurrentProcess(), &dup, 0, FALSE, DUPLICATE_SAME_ACCESS);
        CloseHandle(srv);
        DWORD avail = 0;
        SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL); out("  dup open: Peek=%d gle=%lu\n", ok, GetLastError());
        CloseHandle(dup);
        SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL); out("  all closed: Peek=%d gle=%lu\n", ok, GetLastError());
        CloseHandle(cli);
    }
    out("== P9 hEvent NULL: handle signalled?\n");
    {
        make_pair(&srv, &cli, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE);
        out("  fresh handle signalled=%lu\n", WaitForSingleObject(srv, 0));
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        ok = ReadFile(srv, buf, sizeof buf, NULL, &ov);
        out("  pending: read=%d handle=%lu\n", ok, WaitForSingleObject(srv, 0));
        write_msg(cli, 0); Sleep(20);
        out("  completed: Internal=0x%llx handle=%lu\n", (unsigned long long)ov.Internal, WaitForSingleObject(srv, 0));
        OVERLAPPED o2; memset(&o2, 0, sizeof o2); o2.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        ReadFile(srv, buf, sizeof buf, NULL, &o2);
        out("  event-read pending: handle=%lu\n", WaitForSingleObject(srv, 0));
        CancelIoEx(srv, &o2); GetOverlappedResult(srv, &o2, &n, TRUE);
        memset(&ov, 0, sizeof ov);
        ReadFile(srv, buf, sizeof buf, NULL, &ov);
        out("  null-event read pending again: handle=%lu\n", WaitForSingleObject(srv, 0));
        write_msg(cli, 0); Sleep(20);
        memset(&o2, 0, sizeof o2);
        write_msg(cli, 0);
        ok = ReadFile(srv, buf, sizeof buf, NULL, &o2);
        out("  immediate read with null event: ok=%d handle=%lu Internal=0x%llx\n", ok, WaitForSingleObject(srv, 0), (unsigned long long)o2.Internal);
    }
    out("# done\n");
    return 0;
}

/* ------------------------------------------------------------------ part 2 */
static void make_pair2(HANDLE *srv, HANDLE *cli)
{
    WCHAR name[128];
    swprintf(name, 128, L"\\\\.\\pipe\\simprobe-b-%lu-%d", GetCurrentProcessId(), ++seq);
    *srv = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, NULL);
    *cli = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
}
static void zmsg(HANDLE cli)
{
    OVERLAPPED w; memset(&w, 0, sizeof w); w.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    DWORD n; char b = 0; WriteFile(cli, &b, 0, NULL, &w); GetOverlappedResult(cli, &w, &n, TRUE); CloseHandle(w.hEvent);
}
struct op2 { HANDLE dup; OVERLAPPED *ov; HANDLE priv, issued, go; BOOL ok; DWORD gle; char buf[4]; };
static DWORD WINAPI thr(void *p)
{
    struct op2 *o = p;
    HANDLE ce = o->ov->hEvent;
    o->ov->hEvent = o->priv;
    o->ok = ReadFile(o->dup, o->buf, sizeof o->buf, NULL, o->ov);
    o->gle = GetLastError();
    o->ov->hEvent = ce;
    SetEvent(o->issued);
    WaitForSingleObject(o->priv, INFINITE);
    WaitForSingleObject(o->go, INFINITE);
    return 0;
}
static HANDLE start2(struct op2 *o, HANDLE srv, OVERLAPPED *ov)
{
    memset(o, 0, sizeof *o);
    DuplicateHandle(GetCurrentProcess(), srv, GetCurrentProcess(), &o->dup, 0, FALSE, DUPLICATE_SAME_ACCESS);
    o->ov = ov; o->priv = CreateEventW(NULL, TRUE, FALSE, NULL); o->issued = CreateEventW(NULL, TRUE, FALSE, NULL);
    o->go = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, thr, o, 0, NULL);
    WaitForSingleObject(o->issued, INFINITE);
    out("  issued: ok=%d gle=%lu Internal=0x%llx\n", o->ok, o->gle, (unsigned long long)ov->Internal);
    return t;
}
struct gor { HANDLE h; OVERLAPPED *ov; BOOL ok; DWORD gle, n, at; };
static DWORD WINAPI gorthr(void *p) { struct gor *g = p; g->ok = GetOverlappedResult(g->h, g->ov, &g->n, TRUE); g->gle = GetLastError(); g->at = GetTickCount(); return 0; }

static int part2(void)
{
    HANDLE srv, cli; DWORD n; BOOL ok;
    make_pair2(&srv, &cli);
    out("== A: CancelIoEx(caller handle) cancels the read issued on the duplicate by another thread\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov); ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct op2 o; HANDLE t = start2(&o, srv, &ov);
        SetLastError(0); ok = CancelIoEx(srv, &ov); out("  CancelIoEx(srv,&ov)=%d gle=%lu\n", ok, GetLastError());
        DWORD pw = WaitForSingleObject(o.priv, 1000);
        DWORD ce = WaitForSingleObject(ov.hEvent, 0);
        out("  priv=%lu Internal=0x%llx callerEvent=%lu\n", pw, (unsigned long long)ov.Internal, ce);
        SetEvent(o.go); WaitForSingleObject(t, INFINITE); CloseHandle(o.dup);
    }
    out("== B: completion by a zero-length message; caller handle with hEvent NULL; then an aux null-event read on the dup signals the handle\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov);
        struct op2 o; HANDLE t = start2(&o, srv, &ov);
        out("  caller handle signalled while pending=%lu\n", WaitForSingleObject(srv, 0));
        struct gor g = { srv, &ov, 0, 0, 0, 0 };
        HANDLE gt = CreateThread(NULL, 0, gorthr, &g, 0, NULL);
        Sleep(50);
        DWORD t0 = GetTickCount();
        zmsg(cli);
        DWORD pw = WaitForSingleObject(o.priv, 1000);
        DWORD hs = WaitForSingleObject(srv, 0);
        DWORD gd = WaitForSingleObject(gt, 100);
        out("  priv=%lu Internal=0x%llx InternalHigh=%llu handle=%lu GOR-thread done=%lu\n", pw, (unsigned long long)ov.Internal, (unsigned long long)ov.InternalHigh, hs, gd);
        ov.Internal = 0xC0070070; /* simulate the injected failure overwrite */
        Sleep(100);
        DWORD t1 = GetTickCount();
        zmsg(cli);
        OVERLAPPED aux; memset(&aux, 0, sizeof aux);
        ok = ReadFile(o.dup, o.buf, sizeof o.buf, NULL, &aux);
        hs = WaitForSingleObject(srv, 0);
        out("  aux read ok=%d Internal=0x%llx handle=%lu\n", ok, (unsigned long long)aux.Internal, hs);
        gd = WaitForSingleObject(gt, 1000);
        out("  GOR thread: wait=%lu ok=%d gle=%lu, %ld ms after the aux read started (t0 %lu)\n", gd, g.ok, g.gle, (long)(g.at - t1), t0);
        SetEvent(o.go); WaitForSingleObject(t, INFINITE); CloseHandle(o.dup);
    }
    out("== C: lost race (cancel, then our message) and drain through the dup\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov); ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct op2 o; HANDLE t = start2(&o, srv, &ov);
        CancelIoEx(srv, &ov);
        zmsg(cli);
        WaitForSingleObject(o.priv, 1000);
        out("  Internal=0x%llx (cancel won)\n", (unsigned long long)ov.Internal);
        OVERLAPPED d; memset(&d, 0, sizeof d); d.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok = ReadFile(o.dup, o.buf, sizeof o.buf, NULL, &d);
        out("  drain read ok=%d gle=%lu\n", ok, ok ? 0 : GetLastError());
        OVERLAPPED e; memset(&e, 0, sizeof e); e.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok = ReadFile(o.dup, o.buf, sizeof o.buf, NULL, &e);
        out("  next read ok=%d gle=%lu (997 = nothing stale)\n", ok, ok ? 0 : GetLastError());
        CancelIoEx(o.dup, &e); GetOverlappedResult(o.dup, &e, &n, TRUE);
        SetEvent(o.go); WaitForSingleObject(t, INFINITE); CloseHandle(o.dup);
    }
    out("== D: self-cancel through the dup, then overwrite\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov); ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct op2 o; HANDLE t = start2(&o, srv, &ov);
        SetLastError(0); ok = CancelIoEx(o.dup, &ov); out("  CancelIoEx(dup)=%d gle=%lu\n", ok, GetLastError());
        WaitForSingleObject(o.priv, 1000);
        out("  Internal=0x%llx\n", (unsigned long long)ov.Internal);
        ov.Internal = 0xC03A001B; SetEvent(ov.hEvent);
        SetLastError(0); ok = GetOverlappedResult(srv, &ov, &n, TRUE); out("  GOR=%d gle=0x%lx\n", ok, GetLastError());
        SetLastError(0); ok = CancelIoEx(srv, &ov); out("  CancelIoEx after=%d gle=%lu\n", ok, GetLastError());
        SetEvent(o.go); WaitForSingleObject(t, INFINITE); CloseHandle(o.dup);
    }
    out("== E: caller closes its handle while the dup holds a read\n");
    {
        OVERLAPPED ov; memset(&ov, 0, sizeof ov); ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        struct op2 o; HANDLE t = start2(&o, srv, &ov);
        CloseHandle(srv);
        DWORD avail; SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL);
        DWORD gle2 = GetLastError();
        DWORD pw = WaitForSingleObject(o.priv, 200);
        out("  priv=%lu Internal=0x%llx Peek(cli)=%d gle=%lu\n", pw, (unsigned long long)ov.Internal, ok, gle2);
        zmsg(cli);
        pw = WaitForSingleObject(o.priv, 1000);
        out("  after msg: priv=%lu Internal=0x%llx\n", pw, (unsigned long long)ov.Internal);
        SetEvent(o.go); WaitForSingleObject(t, INFINITE); CloseHandle(o.dup);
        SetLastError(0); ok = PeekNamedPipe(cli, NULL, 0, NULL, &avail, NULL);
        out("  dup closed: Peek(cli)=%d gle=%lu\n", ok, GetLastError());
    }
    out("# done\n");
    return 0;
}

int main(void)
{
    out("######## part 1\n");
    part1();
    out("######## part 2\n");
    return part2();
}
