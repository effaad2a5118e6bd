// LD_PRELOAD shim: while the file named by $ENOSPC_FLAG exists, every pwrite/pwrite64/write to a regular file fails
// with ENOSPC (sockets and pipes are untouched). A stand-in for a full disk that a test can fill and empty at will.
// With $ENOSPC_ONLY_UNDER set, only files whose path starts with it are full (so a log file elsewhere still works).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int full(int fd) {
    const char *flag = getenv("ENOSPC_FLAG");
    struct stat st;
    if (!flag || access(flag, F_OK) != 0) return 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    const char *under = getenv("ENOSPC_ONLY_UNDER");
    if (!under || !*under) return 1;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) return 0;
    path[n] = 0;
    return strncmp(path, under, strlen(under)) == 0;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = dlsym(RTLD_NEXT, "pwrite");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = dlsym(RTLD_NEXT, "pwrite64");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = dlsym(RTLD_NEXT, "write");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, buf, n);
}
