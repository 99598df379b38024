/* How a board runs the conformance kit (tests/conformance/) on its port.
 * Link tests/conformance/tvc_conformance.c, this file and libtvc into a
 * test image, call tvc_skel_conformance() from main(), and on the PC start
 * the peer first:
 *
 *   python3 tests/conformance/conf_peer.py --bind 0.0.0.0 --port 7070 --refuse-port 7071
 *
 * The kit prints one line per case and last "N passed, N failed". */
#include "tvc_skel.h"
#include "../../tests/conformance/tvc_conformance.h"

#include <string.h>

/* TODO: where the board reaches the PC running conf_peer.py (QEMU's user
 * network: 10.0.2.2). */
#ifndef TVC_SKEL_PEER_HOST
#define TVC_SKEL_PEER_HOST "10.0.2.2"
#endif
#ifndef TVC_SKEL_PEER_PORT
#define TVC_SKEL_PEER_PORT 7070
#endif
#ifndef TVC_SKEL_REFUSE_PORT
#define TVC_SKEL_REFUSE_PORT 7071
#endif
/* TODO: a directory on your file system the kit may fill (or NULL). */
#ifndef TVC_SKEL_SCRATCH
#define TVC_SKEL_SCRATCH "/conformance"
#endif

int tvc_skel_conformance(const struct tvc_port *port,
                         void (*print)(void *user, const char *line), void *user,
                         const char *only)
{
    struct tvc_conf_peer peer = { TVC_SKEL_PEER_HOST, TVC_SKEL_PEER_PORT, TVC_SKEL_REFUSE_PORT };
    struct tvc_conf_opts opts;

    memset(&opts, 0, sizeof opts);
    opts.scratch_dir = port->file_open != NULL ? TVC_SKEL_SCRATCH : NULL;
    opts.full_path = NULL;       /* TODO: a path that reports a full medium, if any */
    opts.slack_ms = 1000;        /* how late a wait may end: raise it under emulation */
    opts.flags = TVC_CONF_NO_DNS; /* TODO: drop this once connect() resolves names */
    opts.only = only;
    opts.print = print;
    opts.print_user = user;
    return tvc_conformance_run(port, &peer, &opts, NULL);
}
