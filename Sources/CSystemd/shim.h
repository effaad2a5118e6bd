#ifndef WHSED_CSYSTEMD_SHIM_H
#define WHSED_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <malloc.h>
#include <sys/prctl.h>

/* Lowers the calling thread's scheduling priority to `nice` (Linux keeps a nice value per thread). */
static inline int whsed_nice_this_thread(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

/* Names the calling thread as the kernel shows it (/proc/PID/task/TID/comm; at most 15 bytes). */
static inline int whsed_name_this_thread(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

/* Gives free heap memory back to the kernel (glibc keeps it otherwise: RSS stays at its peak after an attack). */
static inline int whsed_malloc_trim(void) { return malloc_trim(0); }

/* Serves allocations of at least `bytes` with their own mappings, unmapped when freed (glibc's threshold would
   otherwise rise to 32 MiB after the first large free, and buffers of megabytes would stay in the heap). */
static inline int whsed_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
#endif
