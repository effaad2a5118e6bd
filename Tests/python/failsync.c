/*
 * failsync.c -- an LD_PRELOAD shim for the whsed tests: the Nth call of fdatasync/fsync (counted together, from
 * process start) fails with EIO without syncing; every later call fails too (a disk that went bad stays bad).
 *
 *   FAILSYNC_N=N       the call that fails first (1-based); unset or 0: never fail, only count and log
 *   FAILSYNC_LOG=PATH  appends one line per call: "<n> <fdatasync|fsync> <fd> <ok|EIO> <CLOCK_MONOTONIC seconds>"
 *   FAILSYNC_MARK=PATH written (once) when the first failure is injected: "<n> <CLOCK_MONOTONIC seconds>"
 *   FAILSYNC_ERRNO=ENOSPC  fail with ENOSPC instead of EIO (a full disk seen at sync time: NFS, thin provisioning)
 *
 * Build: gcc -shared -fPIC -O2 -o failsync.so failsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long counter;   /* guarded by __atomic builtins */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append(const char *env, const char *text) {
    const char *path = getenv(env);
    if (!path || !*path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    (void)w;
    close(fd);
}

static int intercept(const char *name, int fd, int (*real)(int)) {
    long n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
    const char *s = getenv("FAILSYNC_N");
    long fail_at = s ? atol(s) : 0;
    int fail = fail_at > 0 && n >= fail_at;
    char line[160];
    double t = now();
    if (fail && n == fail_at) {
        snprintf(line, sizeof line, "%ld %.6f\n", n, t);
        append("FAILSYNC_MARK", line);
    }
    const char *e = getenv("FAILSYNC_ERRNO");
    int enospc = e && strcmp(e, "ENOSPC") == 0;
    snprintf(line, sizeof line, "%ld %s %d %s %.6f\n", n, name, fd, fail ? (enospc ? "ENOSPC" : "EIO") : "ok", t);
    append("FAILSYNC_LOG", line);
    if (fail) {
        errno = enospc ? ENOSPC : EIO;
        return -1;
    }
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return intercept("fdatasync", fd, real);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return intercept("fsync", fd, real);
}
