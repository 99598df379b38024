/* A port for the fuzz harnesses: storage in memory (a few files, whole
 * paths as names), a virtual clock, a fixed entropy stream and a settable
 * wall clock.  Its network functions refuse: harnesses that need a network
 * hand the HTTP client their own transport. */
#ifndef TVC_FUZZ_MEM_PORT_H
#define TVC_FUZZ_MEM_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "tvc_config.h"
#include "tvc_port.h"

#define MP_FILES 12
#define MP_FILE_MAX 16384
#define MP_HANDLES 8

struct mp_file {
    char name[TVC_PATH_MAX + 80]; /* "" when free */
    uint8_t data[MP_FILE_MAX];
    size_t len;
};

struct mp {
    struct mp_file f[MP_FILES];
    struct {
        int file; /* -1 when free */
        size_t pos;
        unsigned flags;
    } h[MP_HANDLES];
    uint64_t clock;
    int64_t wall;
    uint32_t seed;
    unsigned fail_writes_after; /* 0: never; else the n-th file_write and later fail */
    unsigned writes;
};

void mp_init(struct mp *m, struct tvc_port *port);
/* Create or replace a file. */
void mp_put(struct mp *m, const char *name, const void *data, size_t len);
/* The file, or NULL. */
struct mp_file *mp_get(struct mp *m, const char *name);

#endif
