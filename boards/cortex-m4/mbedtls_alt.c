/* mbedTLS's platform functions this board supplies itself (the _ALT
 * options boards/cortex-m4/mbedtls_config.h sets), built into
 * libmbedcrypto.a by boards/cortex-m4/mbedtls.mk so that every image
 * linking mbedTLS has them. */
#include <time.h>

#include <mbedtls/platform_util.h>

#if !defined(MBEDTLS_PLATFORM_GMTIME_R_ALT)
#error "mbedtls_alt.c is for a config with MBEDTLS_PLATFORM_GMTIME_R_ALT"
#endif

/* MBEDTLS_PLATFORM_GMTIME_R_ALT: newlib's reentrant gmtime_r().  mbedTLS
 * itself would call gmtime() here (it takes newlib for a system without
 * POSIX's thread-safe functions), which keeps its result in newlib's
 * per-thread structure: 1 KB of RAM the image otherwise does without. */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    time_t t = (time_t)*tt;
    return gmtime_r(&t, tm_buf);
}
