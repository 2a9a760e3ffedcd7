/*
 * Wine 8.0 (Debian 12) has no bcryptprimitives.dll, which Bun's Windows runtime imports for
 * ProcessPrng (Windows 10+: the system's random bytes). Without it tp-net.exe stops before its
 * first line (status c0000135). This stand-in, put next to the .exe, takes the bytes from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. Tests only: real Windows has
 * the DLL. Build: x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll THIS -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size > 0) {
    ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}
