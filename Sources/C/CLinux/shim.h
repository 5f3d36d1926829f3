/* Linux interfaces that Swift's Glibc module leaves out. */
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

/* prctl is variadic, which Swift cannot call. */
static inline int prctl_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal); }
static inline int prctl_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable); }

/* pipe2 is declared by unistd.h only under _GNU_SOURCE, which would change how the system
   headers shared with Swift's Glibc module are read. */
extern int pipe2(int pipefd[2], int flags);
/* The same for accept4. */
struct sockaddr;
extern int accept4(int sockfd, struct sockaddr *addr, unsigned int *addrlen, int flags);

/* ioctl is variadic too: the bytes a pipe holds unread, or -1. */
#include <sys/ioctl.h>
static inline int unread_bytes(int fd) { int count = 0; return ioctl(fd, FIONREAD, &count) == 0 ? count : -1; }
