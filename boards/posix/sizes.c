/* make size: how much RAM each libtvc object takes on this target (the
 * flash side is measured from the object files by `size`). */
#include <stdio.h>

#include "tvc.h"
#include "tvc_posix.h"
#include "tvc_tls.h" /* struct tvc_tls: not in tvc.h since the transport split */

#define ROW(t) printf("  %-26s %7zu bytes\n", #t, sizeof(t))

int main(void)
{
    printf("RAM per object (sizeof, this build's config):\n");
    ROW(struct tvc_http_client);
    ROW(struct tvc_http_parser);
    ROW(struct tvc_tls);
    ROW(struct tvc_api);
    ROW(struct tvc_api_result);
    ROW(struct tvc_dl);
    ROW(struct tvc_journal);
    ROW(struct tvc_job_rec);
    ROW(struct tvc_job);
    ROW(struct tvc_posix);
    printf("  %-26s %7d bytes (TVC_HTTP_HEADER_BUF)\n", "header buffer", TVC_HTTP_HEADER_BUF);
    printf("  %-26s %7d bytes (TVC_HTTP_IO_BUF)\n", "receive buffer", TVC_HTTP_IO_BUF);
    return 0;
}
