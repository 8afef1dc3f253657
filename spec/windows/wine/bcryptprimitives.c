/* Stand-in bcryptprimitives.dll for Wine 8.0, which has none.
 *
 * Go >= 1.22 programs get their randomness from bcryptprimitives.dll!ProcessPrng and abort at start-up with
 * "fatal error: bcryptprimitives.dll not found" without it. esbuild.exe (used by tsx) is such a program.
 * This DLL provides ProcessPrng on top of bcrypt.dll!BCryptGenRandom, which Wine implements.
 * Go loads it with LOAD_LIBRARY_SEARCH_SYSTEM32, so setup.sh copies it into the prefix's system32.
 *
 * Build: x86_64-w64-mingw32-gcc -Os -s -shared -Wall -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt -Wl,--kill-at
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
