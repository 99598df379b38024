/* The network half of struct tvc_port for an image that has no network
 * (the storage and TLS test images): every connect is refused
 * (TVC_ERR_CONNECT), send and recv fail (TVC_ERR_IO), close does nothing.
 * tvc_port_check() accepts the result, so the storage half, the clock and
 * the entropy can be tested through a whole port. */
#ifndef TVC_FW_NONET_H
#define TVC_FW_NONET_H

#include "tvc_port.h"

/* Sets connect, connect_poll, send, recv and close of @p port. */
void fw_port_no_network(struct tvc_port *port);

#endif
