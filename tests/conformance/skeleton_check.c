/* make check-skeleton: the template port (port/skeleton) as shipped is a
 * complete struct tvc_port, and the conformance kit runs on it (only its
 * port_check case: every other function of the template is still a TODO). */
#include "../../port/skeleton/tvc_skel.h"

#include <stdio.h>

static void print_line(void *user, const char *line)
{
    (void)user;
    printf("check-skeleton: %s\n", line);
}

int main(void)
{
    static struct tvc_skel sk;
    struct tvc_port port;
    int bad = 0;

    tvc_skel_init(&sk, &port);
    if (tvc_port_check(&port) != 0 || tvc_port_check_storage(&port) != 0) {
        printf("check-skeleton: tvc_port_check*() refuse the template\n");
        bad = 1;
    }
    if (tvc_skel_conformance(&port, print_line, NULL, "port_check") != 0)
        bad = 1;
    return bad;
}
