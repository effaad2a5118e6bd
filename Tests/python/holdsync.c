/*
 * holdsync.c -- an LD_PRELOAD shim for the no-read-before-sync test (test_committed_view.py): while the file named
 * by HOLDSYNC_FLAG exists, fsync and fdatasync first create the file named by HOLDSYNC_WAITING (so the test knows a
 * sync has begun) and then wait until the flag is removed, before doing the real sync. Without the flag they sync at
 * once. A posting whose sync is held is applied and logged but not yet durable: no read may see it.
 *
 * Build: gcc -shared -fPIC -O2 -o holdsync.so holdsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static void hold(void) {
    const char *flag = getenv("HOLDSYNC_FLAG");
    if (flag == NULL || access(flag, F_OK) != 0) return;
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
    hold();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    hold();
    return real(fd);
}
