/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), which has none: Rust's std
 * has drawn its random numbers from ProcessPrng in this DLL since 1.78, so
 * without it no Rust program starts there. Built with mingw-w64 and put
 * next to the .exe files (the program's own folder is searched first),
 * it answers ProcessPrng from RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has, as Windows itself did before ProcessPrng existed.
 * For the tests under Wine only; Windows has the real DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG part = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, part))
            return FALSE;
        data += part;
        length -= part;
    }
    return TRUE;
}
