/* Test support for test_http_live: independent servers (nginx, Python's
 * http.server, openssl s_server -WWW) started on 127.0.0.1 with free ports,
 * each wrapped in coreutils `timeout` so that none outlives a crashed test,
 * and stopped by PID.  Linked into every test binary; everything here is
 * prefixed tl_. */
#ifndef TVC_TEST_TL_SERVERS_H
#define TVC_TEST_TL_SERVERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tls_server.h"

/* Longest life, in seconds, of any server started here. */
#define TL_SERVER_LIFETIME "120"

struct tl_proc {
    pid_t pid;     /* 0 when not running (the `timeout` wrapper's PID) */
    char log[512]; /* its stdout + stderr */
};

/* Start `timeout TL_SERVER_LIFETIME argv...` with stdin from /dev/null and
 * stdout + stderr to @log.  Returns 0 or -1 (reason on stderr). */
int tl_spawn(struct tl_proc *p, const char *const *argv, const char *log);

/* 1 while the process runs; reaps it (pid = 0) once it has exited. */
int tl_alive(struct tl_proc *p);

/* SIGTERM (the wrapper passes it on), SIGKILL after 2 s, reap.  Safe when
 * not running. */
void tl_stop(struct tl_proc *p);

/* @n distinct ports that were free on 127.0.0.1 a moment ago.  0 or -1. */
int tl_free_ports(uint16_t *ports, int n);

/* Wait until 127.0.0.1:@port accepts a TCP connection (0), the process
 * exits or @timeout_ms passes (-1). */
int tl_wait_port(struct tl_proc *p, uint16_t port, int timeout_ms);

/* A fresh directory /tmp/tvc-live-XXXXXX, mode 0755.  0 or -1. */
int tl_temp_dir(char *dir, size_t cap);

/* rm -rf @dir (only paths under /tmp/tvc-live-). */
void tl_remove_dir(const char *dir);

int tl_write_file(const char *path, const void *data, size_t len);

/* Wait up to @timeout_ms for a line of file @path containing @needle (the
 * server writes its log after the response may already have arrived).
 * Copies the line (without its newline) to @line.  0 found, -1 not. */
int tl_log_line(const char *path, const char *needle, char *line, size_t cap,
                int timeout_ms);

/* Writes an nginx configuration for @ports to @path.  0 or -1. */
typedef int (*tl_conf_fn)(const char *path, const uint16_t *ports, void *user);

/* nginx -p @dir -c @dir/nginx.conf -e @dir/error.log
 *   -g 'daemon off; master_process off;'
 * on @nports fresh ports (written to @ports), all of them listening on
 * return.  A port taken in between is retried with new ones.  0 or -1. */
int tl_nginx_start(struct tl_proc *p, const char *dir, uint16_t *ports, int nports,
                   tl_conf_fn write_conf, void *user);

/* python3 -m http.server on 127.0.0.1, port chosen by the kernel and read
 * back from its banner, serving @root.  0 or -1. */
int tl_python_start(struct tl_proc *p, const char *root, uint16_t *port);

/* `openssl s_server -WWW` (files relative to @root) with the PKI's
 * good.crt, exiting after @naccept connections.  0 or -1. */
int tl_s_server_www(struct ts_server *s, const char *root, int naccept);

#endif
