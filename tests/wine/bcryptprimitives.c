/*
 * A stand-in for bcryptprimitives.dll, which Wine 8 lacks and Rust's standard library imports
 * ProcessPrng from. It forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Built by scripts/wine for the Windows test leg only, placed beside the .exe under test; never
 * shipped (real Windows has the DLL since Windows 10).
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
