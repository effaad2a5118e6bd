/*
 * holdsync.c -- an LD_PRELOAD shim for the no-read-before-sync test (test_committed_view.py): while the file named
 * by HOLDSYNC_FLAG exists, fsync and fdatasync first create the file named by HOLDSYNC_WAITING (so the test knows a
 * sync has begun) and then wait until the flag is removed, before doing the real sync. Without the flag they sync at
 * once. A posting whose sync is held is applied and logged but not yet durable: no read may see it.
 * With HOLDSYNC_SUFFIX set, only syncs of files whose path ends with it are held (test_checkpoint_stall.py holds the
 * snapshot's ".snap.tmp" alone, so that the log's own syncs go on).
 *
 * Build: gcc -shared -fPIC -O2 -o holdsync.so holdsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int selected(int fd) {
    const char *suffix = getenv("HOLDSYNC_SUFFIX");
    if (suffix == NULL || *suffix == 0) return 1;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) return 0;
    path[n] = 0;
    size_t ls = strlen(suffix);
    return (size_t)n >= ls && strcmp(path + n - ls, suffix) == 0;
}

static void hold(int fd) {
    const char *flag = getenv("HOLDSYNC_FLAG");
    if (flag == NULL || access(flag, F_OK) != 0) return;
    if (!selected(fd)) return;
    const char *waiting = getenv("HOLDSYNC_WAITING");
    if (waiting != NULL) {
        int fd = open(waiting, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) close(fd);
    }
    while (access(flag, F_OK) == 0) usleep(1000);
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    hold(fd);
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    hold(fd);
    return real(fd);
}
