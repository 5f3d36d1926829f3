/* Linux interfaces that Swift's Glibc module leaves out. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call. */
static inline int prctl_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal); }

#include <sys/signalfd.h>
#include <poll.h>
