/*
 * nosync.c -- an LD_PRELOAD shim for the power-loss test: fsync and fdatasync (of files and directories alike) do
 * nothing and return 0. A whsed run under it stands in for a build that acknowledges without syncing; the
 * power-loss harness (test_powerloss.py) must then find acknowledged postings missing.
 *
 * Build: gcc -shared -fPIC -O2 -o nosync.so nosync.c
 */
#define _GNU_SOURCE
#include <unistd.h>

int fsync(int fd) {
    (void)fd;
    return 0;
}

int fdatasync(int fd) {
    (void)fd;
    return 0;
}
