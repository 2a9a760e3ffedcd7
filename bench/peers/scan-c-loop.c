// The yardstick for tp-scan's full loopback range (bench/portable.ts): a plain C connect scan
// of 127.0.0.1 ports 1-65535 with the engine's two tricks (docs/scan.md, "How it works"):
//  1. a second connect() right after the first settles most loopback probes without epoll
//     (0 or EISCONN = open, ECONNREFUSED = closed, EALREADY = pending: watch it in epoll);
//  2. after a refusal seen by that second call the same socket serves the next probe.
// Two threads take batches of ports from one atomic cursor. Prints the open ports, comma-
// separated, like `tp-scan --list`. A self-connect (source port == target port) is re-probed,
// never reported. Build: cc -O2 -pthread scan-c-loop.c
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef THREADS
#define THREADS 2
#endif
#define WINDOW 256     // probes in epoll at once, per thread
#define BATCH 64       // ports claimed from the cursor at a time
#define TIMEOUT_MS 1000 // no event for this long: what is pending is filtered

static int cursor = 1;
static unsigned char open_port[65536];

static struct sockaddr_in target(int port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// Connected: open unless the socket connected to itself (then the caller probes again).
static int self_connect(int fd) {
  struct sockaddr_in a, b;
  socklen_t la = sizeof a, lb = sizeof b;
  if (getsockname(fd, (struct sockaddr *)&a, &la) || getpeername(fd, (struct sockaddr *)&b, &lb))
    return 0;
  return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

enum { CLOSED, OPEN, AGAIN, PENDING };

// Probe `port` on *fd (-1: open a new socket). CLOSED leaves *fd reusable; others consume it.
static int probe(int *fd, int port) {
  if (*fd < 0) *fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (*fd < 0) return AGAIN;
  struct sockaddr_in sa = target(port);
  int r = connect(*fd, (struct sockaddr *)&sa, sizeof sa);
  if (r != 0 && errno == EINPROGRESS) r = connect(*fd, (struct sockaddr *)&sa, sizeof sa);
  if (r != 0 && errno == EISCONN) r = 0;
  if (r == 0) {
    int state = self_connect(*fd) ? AGAIN : OPEN;
    close(*fd);
    *fd = -1;
    return state;
  }
  if (errno == ECONNREFUSED) return CLOSED; // the attempt is dissolved: keep the socket
  if (errno == EALREADY || errno == EINPROGRESS) return PENDING;
  int state = (errno == EADDRNOTAVAIL || errno == EAGAIN) ? AGAIN : CLOSED;
  close(*fd);
  *fd = -1;
  return state;
}

static void *scan(void *unused) {
  (void)unused;
  int ep = epoll_create1(EPOLL_CLOEXEC), spare = -1, pending = 0;
  struct epoll_event events[WINDOW];
  for (;;) {
    int first = __atomic_fetch_add(&cursor, BATCH, __ATOMIC_RELAXED);
    if (first > 65535 && pending == 0) break;
    for (int port = first; port < first + BATCH && port <= 65535; port++) {
      int state;
      while ((state = probe(&spare, port)) == AGAIN) {
      }
      if (state == OPEN) open_port[port] = 1;
      if (state != PENDING) continue;
      struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)spare << 16 | port};
      epoll_ctl(ep, EPOLL_CTL_ADD, spare, &ev);
      spare = -1;
      pending++;
    }
    // Drain until there is room for the next batch (or nothing is left when the ports are).
    while (pending > 0 && (pending > WINDOW - BATCH || first > 65535)) {
      int n = epoll_wait(ep, events, WINDOW, TIMEOUT_MS);
      if (n <= 0) break; // silence: those ports are filtered (none on loopback)
      for (int i = 0; i < n; i++) {
        int fd = (int)(events[i].data.u64 >> 16), port = (int)(events[i].data.u64 & 0xffff);
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        int state = err == 0 ? (self_connect(fd) ? AGAIN : OPEN) : CLOSED;
        close(fd);
        pending--;
        if (state == OPEN) open_port[port] = 1;
        while (state == AGAIN && (state = probe(&spare, port)) == AGAIN) {
        }
        if (state == OPEN) open_port[port] = 1;
        if (state == PENDING) { // rare: re-probe of a self-connect still pending
          struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)spare << 16 | port};
          epoll_ctl(ep, EPOLL_CTL_ADD, spare, &ev);
          spare = -1;
          pending++;
        }
      }
    }
    if (first > 65535) break;
  }
  if (spare >= 0) close(spare);
  close(ep);
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, scan, NULL);
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  const char *sep = "";
  for (int port = 1; port <= 65535; port++)
    if (open_port[port]) {
      printf("%s%d", sep, port);
      sep = ",";
    }
  printf("\n");
  return 0;
}
