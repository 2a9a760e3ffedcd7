// wanfwd: the WAN lab's link. Creates one TUN device in each of two network namespaces (A, the
// scanner side, and B, the target side) and copies IP packets between them, each direction with
// its own fixed delay, jitter (never reordering: a packet never leaves before the one ahead of
// it), random loss (seeded) and a packet-rate cap with a bounded queue (tail drop when full,
// like a bottleneck link). netem does the same in the kernel; this kernel has no netem.
//
//   wanfwd --ns-a /run/netns/S --ns-b /run/netns/T [--tun NAME] [--seed N] [--control]
//          [--ab SPEC] [--ba SPEC]
//   SPEC: comma list of delay=MS, jitter=MS, loss=PCT, pps=N, queue=N (all default 0 = none;
//         queue 0 with pps set means an unbounded queue)
//
// Prints "ready" once both devices exist (the caller then configures them), and a JSON line of
// counters on SIGUSR1, on a "c" line read from stdin (--control; "set ab|ba SPEC" changes a
// direction), and at exit. Exits on
// SIGTERM, on SIGINT (ignored with --control), when stdin closes (--control) and when its parent
// dies (PR_SET_PDEATHSIG).
// The TUN devices disappear with the process.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 65536
#define READ_BATCH 64

struct packet {
  int64_t due_ns;
  size_t len;
  unsigned char data[];
};

struct link {
  int64_t delay_ns, jitter_ns, service_ns;
  double loss;     // probability in [0, 1]
  int64_t queue;   // packets the bottleneck holds, 0 = unbounded
};

struct direction {
  const char *name;
  int in_fd, out_fd;
  struct link link;
  uint64_t rng;
  struct packet **ring; // FIFO of packets in flight, due times never decreasing
  size_t cap, head, count;
  int64_t link_free_ns; // when the bottleneck has sent every packet accepted so far
  int64_t last_due_ns;
  uint64_t in, out, lost, qdrop, errors;
  uint64_t syn;                          // TCP SYNs (without ACK) read, to measure a scan's rate
  int64_t first_syn_ns, last_syn_ns;     // when the first and the latest of them were read
};

static int64_t started_ns; // counters report times relative to this

static volatile sig_atomic_t stop_requested, counters_requested;
static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_usr1(int sig) { (void)sig; counters_requested = 1; }

static void die(const char *what) {
  fprintf(stderr, "wanfwd: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// splitmix64: small, seedable, good enough for loss and jitter draws.
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static double uniform(uint64_t *state) { return (next_random(state) >> 11) * 0x1.0p-53; }

// Parse SPEC into *out (fields not named keep their value); 0 if it is valid, -1 if not.
static int parse_link(const char *spec, struct link *out) {
  struct link link = *out;
  char *copy = strdup(spec), *save = NULL;
  int ok = 0;
  for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '='), *end;
    double value = eq ? strtod(eq + 1, &end) : -1;
    if (!eq || *end || value < 0 || !isfinite(value)) { ok = -1; break; }
    *eq = 0;
    if (!strcmp(item, "delay")) link.delay_ns = (int64_t)(value * 1e6);
    else if (!strcmp(item, "jitter")) link.jitter_ns = (int64_t)(value * 1e6);
    else if (!strcmp(item, "loss") && value <= 100) link.loss = value / 100;
    else if (!strcmp(item, "pps")) link.service_ns = value > 0 ? (int64_t)(1e9 / value) : 0;
    else if (!strcmp(item, "queue")) link.queue = (int64_t)value;
    else { ok = -1; break; }
  }
  free(copy);
  if (ok == 0) *out = link;
  return ok;
}

static void parse_link_or_exit(const char *spec, struct link *link) {
  if (parse_link(spec, link) == 0) return;
  fprintf(stderr, "wanfwd: bad link spec '%s' (want delay=MS,jitter=MS,loss=PCT,pps=N,queue=N)\n",
          spec);
  exit(2);
}

// Enter the namespace at ns_path and create a TUN device there: the device belongs to the
// namespace the opener of /dev/net/tun was in.
static int open_tun_in(const char *ns_path, const char *name) {
  int ns = open(ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) die(ns_path);
  if (setns(ns, CLONE_NEWNET) < 0) die("setns");
  close(ns);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF");
  return fd;
}

static void push(struct direction *d, struct packet *p) {
  if (d->count == d->cap) { // grow the ring, keeping FIFO order
    size_t cap = d->cap ? d->cap * 2 : 1024;
    struct packet **ring = malloc(cap * sizeof *ring);
    if (!ring) die("malloc");
    for (size_t i = 0; i < d->count; i++) ring[i] = d->ring[(d->head + i) % d->cap];
    free(d->ring);
    d->ring = ring, d->cap = cap, d->head = 0;
  }
  d->ring[(d->head + d->count++) % d->cap] = p;
}

// A connection attempt: TCP with SYN and without ACK, over IPv4 or IPv6 (no extension headers).
static int is_syn(const unsigned char *data, size_t len) {
  size_t tcp;
  if (len >= 20 && data[0] >> 4 == 4 && data[9] == 6) tcp = (size_t)(data[0] & 15) * 4;
  else if (len >= 40 && data[0] >> 4 == 6 && data[6] == 6) tcp = 40;
  else return 0;
  return len >= tcp + 14 && (data[tcp + 13] & 0x12) == 0x02;
}

// A packet read at `now`: lose it, queue-drop it, or schedule it.
static void admit(struct direction *d, const unsigned char *data, size_t len, int64_t now) {
  d->in++;
  if (is_syn(data, len)) {
    if (d->syn++ == 0) d->first_syn_ns = now;
    d->last_syn_ns = now;
  }
  const struct link *l = &d->link;
  if (l->loss > 0 && uniform(&d->rng) < l->loss) { d->lost++; return; }
  int64_t depart = now;
  if (l->service_ns > 0) {
    int64_t backlog_ns = d->link_free_ns - now;
    int64_t backlog = backlog_ns > 0 ? (backlog_ns + l->service_ns - 1) / l->service_ns : 0;
    if (l->queue > 0 && backlog >= l->queue) { d->qdrop++; return; }
    d->link_free_ns = (backlog_ns > 0 ? d->link_free_ns : now) + l->service_ns;
    depart = d->link_free_ns;
  }
  int64_t due = depart + l->delay_ns;
  if (l->jitter_ns > 0) due += (int64_t)((uniform(&d->rng) * 2 - 1) * (double)l->jitter_ns);
  if (due < depart) due = depart;
  if (due < d->last_due_ns) due = d->last_due_ns; // no reordering
  d->last_due_ns = due;
  struct packet *p = malloc(sizeof *p + len);
  if (!p) die("malloc");
  p->due_ns = due, p->len = len;
  memcpy(p->data, data, len);
  push(d, p);
}

static void read_side(struct direction *d, unsigned char *buf) {
  for (int i = 0; i < READ_BATCH; i++) {
    ssize_t n = read(d->in_fd, buf, MAX_PACKET);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      die("read");
    }
    admit(d, buf, (size_t)n, now_ns());
  }
}

// Send every packet whose time has come; return the due time of the next one (or -1).
static int64_t flush(struct direction *d, int64_t now) {
  while (d->count > 0) {
    struct packet *p = d->ring[d->head];
    if (p->due_ns > now) return p->due_ns;
    if (write(d->out_fd, p->data, p->len) == (ssize_t)p->len) d->out++;
    else d->errors++;
    free(p);
    d->head = (d->head + 1) % d->cap, d->count--;
  }
  return -1;
}

static void print_counters(struct direction *dirs) {
  printf("{");
  for (int i = 0; i < 2; i++) {
    struct direction *d = &dirs[i];
    printf("%s\"%s\":{\"in\":%llu,\"out\":%llu,\"lost\":%llu,\"qdrop\":%llu,\"errors\":%llu,"
           "\"queued\":%zu,\"syn\":%llu,\"synFirstMs\":%.3f,\"synLastMs\":%.3f}",
           i ? "," : "", d->name, (unsigned long long)d->in, (unsigned long long)d->out,
           (unsigned long long)d->lost, (unsigned long long)d->qdrop,
           (unsigned long long)d->errors, d->count, (unsigned long long)d->syn,
           d->syn ? (d->first_syn_ns - started_ns) / 1e6 : 0.0,
           d->syn ? (d->last_syn_ns - started_ns) / 1e6 : 0.0);
  }
  printf("}\n");
  fflush(stdout);
}

// One command a line on stdin (--control), one line of answer each:
//   c               the counters (JSON)
//   set ab|ba SPEC  change that direction from now on (packets in flight keep their times): ok
static void run_command(char *line, struct direction *dirs) {
  char dir[8], spec[200];
  if (!strcmp(line, "c")) print_counters(dirs);
  else if (sscanf(line, "set %7s %199s", dir, spec) == 2 && (!strcmp(dir, "ab") || !strcmp(dir, "ba")))
    printf("%s\n", parse_link(spec, &dirs[dir[0] == 'b'].link) == 0 ? "ok" : "error bad spec");
  else printf("error unknown command\n");
  fflush(stdout);
}

// Read what stdin has; run each complete line. -1 once stdin is closed.
static int read_control(struct direction *dirs) {
  static char buf[1024];
  static size_t len;
  ssize_t n = read(0, buf + len, sizeof buf - 1 - len);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return -1;
  if (n > 0) len += (size_t)n;
  char *start = buf, *nl;
  while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
    *nl = 0;
    run_command(start, dirs);
    start = nl + 1;
  }
  len -= (size_t)(start - buf);
  memmove(buf, start, len);
  if (len == sizeof buf - 1) len = 0; // a line too long to be a command
  return 0;
}

int main(int argc, char **argv) {
  const char *ns_a = NULL, *ns_b = NULL, *tun = "wan0";
  uint64_t seed = 1;
  int control = 0;
  struct direction dirs[2] = {{.name = "ab"}, {.name = "ba"}};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(arg, "--control")) { control = 1; continue; }
    if (!value) { fprintf(stderr, "wanfwd: %s needs a value\n", arg); return 2; }
    i++;
    if (!strcmp(arg, "--ns-a")) ns_a = value;
    else if (!strcmp(arg, "--ns-b")) ns_b = value;
    else if (!strcmp(arg, "--tun")) tun = value;
    else if (!strcmp(arg, "--seed")) seed = strtoull(value, NULL, 10);
    else if (!strcmp(arg, "--ab")) parse_link_or_exit(value, &dirs[0].link);
    else if (!strcmp(arg, "--ba")) parse_link_or_exit(value, &dirs[1].link);
    else { fprintf(stderr, "wanfwd: unknown option %s\n", arg); return 2; }
  }
  if (!ns_a || !ns_b) { fprintf(stderr, "wanfwd: --ns-a and --ns-b are required\n"); return 2; }

  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("prctl");
  if (getppid() != parent) return 0; // the parent died before the death signal was set

  sigset_t blocked, during_poll;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM), sigaddset(&blocked, SIGINT), sigaddset(&blocked, SIGUSR1);
  sigprocmask(SIG_BLOCK, &blocked, &during_poll); // signals land only inside ppoll
  signal(SIGTERM, on_stop), signal(SIGUSR1, on_usr1);
  // Under --control its owner decides when it ends: a Ctrl-C meant for the command the lab runs
  // (same process group) must not take the link down under it.
  signal(SIGINT, control ? SIG_IGN : on_stop);
  signal(SIGPIPE, SIG_IGN);

  started_ns = now_ns();
  int fd_a = open_tun_in(ns_a, tun), fd_b = open_tun_in(ns_b, tun);
  dirs[0].in_fd = fd_a, dirs[0].out_fd = fd_b, dirs[0].rng = seed * 2 + 1;
  dirs[1].in_fd = fd_b, dirs[1].out_fd = fd_a, dirs[1].rng = seed * 2 + 2;
  if (control) fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  printf("ready\n");
  fflush(stdout);

  static unsigned char buf[MAX_PACKET];
  struct pollfd fds[3] = {{fd_a, POLLIN, 0}, {fd_b, POLLIN, 0}, {0, POLLIN, 0}};
  while (!stop_requested) {
    int64_t now = now_ns(), next = -1;
    for (int i = 0; i < 2; i++) {
      int64_t due = flush(&dirs[i], now);
      if (due >= 0 && (next < 0 || due < next)) next = due;
    }
    struct timespec wait, *timeout = NULL;
    if (next >= 0) {
      int64_t ns = next - now_ns();
      if (ns < 0) ns = 0;
      wait.tv_sec = ns / 1000000000, wait.tv_nsec = ns % 1000000000;
      timeout = &wait;
    }
    int ready = ppoll(fds, control ? 3 : 2, timeout, &during_poll);
    if (ready < 0 && errno != EINTR) die("ppoll");
    if (counters_requested) counters_requested = 0, print_counters(dirs);
    if (ready <= 0) continue;
    if (fds[0].revents & POLLIN) read_side(&dirs[0], buf);
    if (fds[1].revents & POLLIN) read_side(&dirs[1], buf);
    if (control && fds[2].revents && read_control(dirs) < 0) break; // stdin closed
  }
  print_counters(dirs);
  return 0;
}
