/**
 * @file tvc.h
 * @brief libtvc: a tiny, portable client for NanoPhoto.AI's Sora 2 TVC Ad API.
 *
 * Include this one header.  The core allocates nothing and reaches the
 * platform only through `struct tvc_port` (tvc_port.h) and the network only
 * through transports (tvc_transport.h); every compile-time option is in
 * tvc_config.h.  The mbedTLS glue (TLS transport, SHA-256) is in tvc_tls.h,
 * which is not included here: include it where you set up TLS.
 */
#ifndef TVC_H
#define TVC_H

#include "tvc_base.h"
#include "tvc_config.h"
#include "tvc_port.h"
#include "tvc_url.h"
#include "tvc_json.h"
#include "tvc_transport.h"
#include "tvc_hash.h"
#include "tvc_http.h"
#include "tvc_api.h"
#include "tvc_download.h"
#include "tvc_journal.h"
#include "tvc_retry.h"
#include "tvc_job.h"

#endif /* TVC_H */
