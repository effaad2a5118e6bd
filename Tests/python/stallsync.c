/*
 * stallsync.c -- an LD_PRELOAD shim for the watchdog test: fdatasync and fsync block while a flag file exists, the
 * way a sync stuck in a failing disk or a hung NFS server would, then sync for real once the file is removed.
 *
 *   STALLSYNC_FLAG=PATH  while PATH exists, every fdatasync/fsync waits (polling every 10 ms)
 *   STALLSYNC_MARK=PATH  written when a call starts waiting: "<CLOCK_MONOTONIC seconds>"
 *
 * Build: gcc -shared -fPIC -O2 -o stallsync.so stallsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void wait_while_flagged(void) {
    const char *flag = getenv("STALLSYNC_FLAG");
    if (!flag || !*flag || access(flag, F_OK) != 0) return;
    const char *mark = getenv("STALLSYNC_MARK");
    if (mark && *mark) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        char line[64];
        snprintf(line, sizeof line, "%.6f\n", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        int fd = open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ssize_t w = write(fd, line, strlen(line));
            (void)w;
            close(fd);
        }
    }
    while (access(flag, F_OK) == 0) usleep(10000);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_while_flagged();
    return real(fd);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_while_flagged();
    return real(fd);
}
