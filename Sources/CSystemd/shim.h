#ifndef WHSED_CSYSTEMD_SHIM_H
#define WHSED_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Lowers the calling thread's scheduling priority to `nice` (Linux keeps a nice value per thread). */
static inline int whsed_nice_this_thread(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
#endif
