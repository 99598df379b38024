/* make bench: run a command and report its peak resident set and CPU time.
 * usage: runmeasure REPORT_FILE COMMAND [ARG...]
 * Writes "exit maxrss_kib user_s sys_s" to REPORT_FILE; exits as COMMAND did.
 * A small process of its own forks the command: Linux keeps the largest
 * resident set a process had before exec() in ru_maxrss, so a command
 * started straight from a large process (the Python driver) would be
 * charged with that process's pages. */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rusage ru;
    int st = 0, rc;
    pid_t pid;
    FILE *f;

    if (argc < 3) {
        fprintf(stderr, "usage: runmeasure REPORT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    if (wait4(pid, &st, 0, &ru) < 0)
        return 127;
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    f = fopen(argv[1], "w");
    if (!f)
        return 127;
    fprintf(f, "%d %ld %ld.%06ld %ld.%06ld\n", rc, ru.ru_maxrss, (long)ru.ru_utime.tv_sec,
            (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
    fclose(f);
    return rc;
}
