// Signals to a pipe ("self-pipe trick"): the handler only writes one byte, which is async-signal-safe, and a
// normal thread reading the pipe does the real work (deleting temporary outputs). Unlike dispatch signal
// sources on Linux, this works whatever the other threads' signal masks are.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cm_internal.h"

static int pipe_fds[2] = {-1, -1};
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t n = write(pipe_fds[1], &b, 1);
  (void)n;  // a full pipe means a wake-up is already pending
  errno = saved;
}

int cm_signal_pipe_install(const int *signals, int count, char *err, size_t errlen) {
  pthread_mutex_lock(&install_lock);
  if (pipe_fds[0] < 0) {
    if (pipe(pipe_fds) != 0) {
      pthread_mutex_unlock(&install_lock);
      return cm_fail(err, errlen, CM_ERR_IO, "cannot create the signal pipe: %s", strerror(errno));
    }
    for (int i = 0; i < 2; i++) fcntl(pipe_fds[i], F_SETFD, FD_CLOEXEC);
    fcntl(pipe_fds[1], F_SETFL, O_NONBLOCK);  // the handler must never block
  }
  for (int i = 0; i < count; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signals[i], &sa, NULL) != 0) {
      pthread_mutex_unlock(&install_lock);
      return cm_fail(err, errlen, CM_ERR_IO, "cannot install a handler for signal %d: %s", signals[i], strerror(errno));
    }
  }
  // A process started from a thread that blocks signals (e.g. by Foundation's Process from a dispatch worker)
  // inherits that mask, and a blocked SIGINT/SIGTERM would never reach the handler: unblock them in this thread
  // (and the threads it starts later), so the kernel always has a thread to deliver them to.
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int i = 0; i < count; i++) sigaddset(&unblock, signals[i]);
  pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
  pthread_mutex_unlock(&install_lock);
  return CM_OK;
}

int cm_signal_pipe_wait(void) {
  for (;;) {
    unsigned char b;
    ssize_t n = read(pipe_fds[0], &b, 1);
    if (n == 1) return b;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
}

void cm_signal_reraise(int sig) {
  signal(sig, SIG_DFL);
  sigset_t only;  // raise() targets this thread: it must not block the signal
  sigemptyset(&only);
  sigaddset(&only, sig);
  pthread_sigmask(SIG_UNBLOCK, &only, NULL);
  raise(sig);
}
