/*
 * The echo benchmark's load generator in C: the same clients, dialogue, checks, window and JSON
 * document as bench/echo-loadgen.ts (read that file first; the flags are the same), on one
 * epoll loop. The bench compiles it with cc when there is one (bench/lib/loadgen.ts) and falls
 * back to the TypeScript generator elsewhere. Why: at 100 clients the Bun generator used 98% of
 * a core on a 2-core machine, as much as the server it loads; this one needs less (figures in
 * docs/echo.md), so the msg/s it measures is more the server's and less its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { GREETING, ECHOING, SAYING_FIN, DONE };

typedef struct {
  int fd, id, phase;
  char *message, *expected, *buf;
  size_t message_len, expected_len, got, unsent_at, unsent_len;
  const char *unsent;
  double sent_at;
} client_t;

static const char *host = "127.0.0.1";
static const char *port = NULL;
static int clients = 1, size = 64, depth = 1, server_pid = -1, clk_tck = 100;
static long warmup_ms = 500, duration_ms = 3000;
static char greeting[256];
static size_t greeting_len;
static const char goodbye[] = "Good Bye.";
static int epfd;
static client_t *all;
static long completed, greeted, finished, errors;
static int measuring, stopping;
static char error_samples[5][160];
static double *latencies;
static long lat_count;
#define LAT_CAP 2000000

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double own_cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* utime + stime of the server, in ms; -1 when unknown. */
static double server_cpu_ms(void) {
  char path[64], text[1024];
  if (server_pid < 0) return -1;
  snprintf(path, sizeof path, "/proc/%d/stat", server_pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  char *p = strrchr(text, ')');
  unsigned long long utime, stime;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                   &stime) != 2)
    return -1;
  return (double)(utime + stime) * 1000.0 / clk_tck;
}

/* A kB field of the server's /proc/<pid>/status; -1 when unknown. */
static long server_kb(const char *field) {
  char path[64], line[256];
  long kb = -1;
  size_t len = strlen(field);
  if (server_pid < 0) return -1;
  snprintf(path, sizeof path, "/proc/%d/status", server_pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, field, len) == 0 && line[len] == ':') kb = atol(line + len + 1);
  fclose(f);
  return kb;
}

static void close_client(client_t *c) {
  c->phase = DONE;
  finished++;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
}

static void fail(client_t *c, const char *why, const char *bytes, size_t n) {
  if (errors < 5) {
    char *out = error_samples[errors];
    int at = snprintf(out, 100, "client %d: %s: ", c->id, why);
    for (size_t i = 0; i < n && i < 50; i++) /* shown as text, never raw bytes in the JSON */
      out[at++] = (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"' && bytes[i] != '\\')
                      ? bytes[i]
                      : '.';
    out[at] = 0;
  }
  errors++;
  close_client(c);
}

static void want_output(client_t *c, int on) {
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void send_bytes(client_t *c, const char *bytes, size_t len) {
  ssize_t n = send(c->fd, bytes, len, MSG_NOSIGNAL);
  if (n < 0 && errno != EAGAIN) {
    fail(c, "send failed", strerror(errno), strlen(strerror(errno)));
    return;
  }
  if (n < 0) n = 0;
  if ((size_t)n == len) return;
  c->unsent = bytes;
  c->unsent_at = n;
  c->unsent_len = len;
  want_output(c, 1);
}

static void send_next(client_t *c) {
  c->got = 0;
  if (stopping) {
    c->phase = SAYING_FIN;
    send_bytes(c, "FIN\n", 4);
    return;
  }
  c->sent_at = now_ms();
  send_bytes(c, c->message, c->message_len);
}

static void on_readable(client_t *c) {
  for (;;) {
    const char *want = c->phase == GREETING ? greeting : c->phase == ECHOING ? c->expected : goodbye;
    size_t want_len = c->phase == GREETING  ? greeting_len
                      : c->phase == ECHOING ? c->expected_len
                                            : sizeof goodbye - 1;
    /* One byte more than the answer, so that extra bytes are seen. */
    ssize_t n = recv(c->fd, c->buf + c->got, want_len - c->got + 1, 0);
    if (n < 0) {
      if (errno != EAGAIN) fail(c, "recv failed", strerror(errno), strlen(strerror(errno)));
      return;
    }
    if (n == 0) {
      fail(c, "closed by the server mid-dialogue", "", 0);
      return;
    }
    c->got += n;
    if (c->got > want_len) {
      fail(c, "unexpected bytes", c->buf, c->got);
      return;
    }
    if (c->got < want_len) continue;
    if (memcmp(c->buf, want, want_len) != 0) {
      fail(c, "wrong answer", c->buf, c->got);
      return;
    }
    if (c->phase == GREETING) {
      c->phase = ECHOING;
      c->got = 0;
      greeted++;
      return;
    }
    if (c->phase == SAYING_FIN) { /* Good Bye. received: the server closes; we close too. */
      close_client(c);
      return;
    }
    completed += depth;
    if (measuring && lat_count < LAT_CAP) latencies[lat_count++] = now_ms() - c->sent_at;
    send_next(c);
    return;
  }
}

static void on_writable(client_t *c) {
  ssize_t n = send(c->fd, c->unsent + c->unsent_at, c->unsent_len - c->unsent_at, MSG_NOSIGNAL);
  if (n > 0) c->unsent_at += n;
  if (c->unsent_at < c->unsent_len) return;
  c->unsent_len = 0;
  want_output(c, 0);
}

/* Serve events until `until` (ms, monotonic) or until `done()` says so. */
static void loop_until(double until, int (*done)(void)) {
  struct epoll_event events[256];
  for (;;) {
    if (done && done()) return;
    double left = until - now_ms();
    if (left <= 0) return;
    int n = epoll_wait(epfd, events, 256, left < 50 ? (int)left + 1 : 50);
    for (int i = 0; i < n; i++) {
      client_t *c = events[i].data.ptr;
      if (c->phase == DONE) continue;
      if (events[i].events & EPOLLOUT) on_writable(c);
      if (c->phase != DONE && events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
    }
  }
}

static int all_greeted(void) { return greeted + errors >= clients; }
static int all_finished(void) { return finished >= clients; }

static int connect_client(client_t *c, struct addrinfo *ai) {
  int fd = socket(ai->ai_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  c->fd = fd;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void make_client(client_t *c, int id) {
  char line[4096];
  int head = snprintf(line, sizeof line, "m%d-", id);
  memset(line + head, 'x', size - head - 1);
  line[size - 1] = '\n';
  c->id = id;
  c->phase = GREETING;
  c->message_len = (size_t)size * depth;
  c->message = malloc(c->message_len);
  size_t answer = 7 + size + 16; /* "ECHO : " + line + "Votre message ?\n" */
  c->expected_len = answer * depth;
  c->expected = malloc(c->expected_len);
  for (int d = 0; d < depth; d++) {
    memcpy(c->message + d * size, line, size);
    char *e = c->expected + d * answer;
    memcpy(e, "ECHO : ", 7);
    memcpy(e + 7, line, size);
    memcpy(e + 7 + size, "Votre message ?\n", 16);
  }
  size_t longest = c->expected_len > greeting_len ? c->expected_len : greeting_len;
  c->buf = malloc(longest + 2);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* As percentileSorted in bench/lib/stats.ts: linear between the two nearest ranks. */
static double percentile(double p) {
  double rank = p / 100 * (lat_count - 1);
  long lo = (long)rank, hi = lo + 1 < lat_count ? lo + 1 : lat_count - 1;
  return latencies[lo] + (latencies[hi] - latencies[lo]) * (rank - lo);
}

static void print_kb(const char *name, long kb) {
  if (kb < 0) printf("\"%s\":null,", name);
  else printf("\"%s\":%ld,", name, kb);
}

int main(int argc, char **argv) {
  static struct option opts[] = {{"host", 1, 0, 'h'},       {"port", 1, 0, 'p'},
                                 {"clients", 1, 0, 'c'},    {"warmup-ms", 1, 0, 'w'},
                                 {"duration-ms", 1, 0, 'd'}, {"size", 1, 0, 's'},
                                 {"depth", 1, 0, 'D'},      {"server-pid", 1, 0, 'P'},
                                 {"clk-tck", 1, 0, 'k'},    {0, 0, 0, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    switch (o) {
      case 'h': host = optarg; break;
      case 'p': port = optarg; break;
      case 'c': clients = atoi(optarg); break;
      case 'w': warmup_ms = atol(optarg); break;
      case 'd': duration_ms = atol(optarg); break;
      case 's': size = atoi(optarg); break;
      case 'D': depth = atoi(optarg); break;
      case 'P': server_pid = atoi(optarg); break;
      case 'k': clk_tck = atoi(optarg); break;
      default: return 2;
    }
  }
  if (!port || clients <= 0 || duration_ms <= 0 || size < 8 || size > 4096 || depth < 1) {
    fprintf(stderr, "echo-loadgen: --port, --clients, --duration-ms, --size (8..4096) and "
                    "--depth (>= 1) are required\n");
    return 2;
  }
  alarm((warmup_ms + duration_ms) / 1000 + 30); /* a stuck server can never hang the bench */
  const char *shown = strchr(host, ':') ? "[%s]:%s" : "%s:%s";
  char address[128];
  snprintf(address, sizeof address, shown, host, port);
  greeting_len = snprintf(greeting, sizeof greeting,
                          "Vous êtes connecté au serveur %s.\nVotre message ?\n", address);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *ai;
  if (getaddrinfo(host, port, &hints, &ai) != 0) {
    fprintf(stderr, "echo-loadgen: bad --host %s\n", host);
    return 2;
  }
  epfd = epoll_create1(0);
  all = calloc(clients, sizeof *all);
  latencies = malloc(sizeof(double) * LAT_CAP);
  long rss_before = server_kb("VmRSS");
  double connect_started = now_ms();
  for (int i = 0; i < clients; i++) {
    make_client(&all[i], i);
    if (connect_client(&all[i], ai) < 0) {
      errors++;
      finished++;
      all[i].phase = DONE;
      if (errors <= 5) snprintf(error_samples[errors - 1], 160, "client %d: connect failed", i);
    }
  }
  loop_until(now_ms() + 30000, all_greeted);
  double connect_ms = now_ms() - connect_started;
  long rss_connected = server_kb("VmRSS");
  for (int i = 0; i < clients; i++)
    if (all[i].phase == ECHOING) send_next(&all[i]);
  loop_until(now_ms() + warmup_ms, NULL);

  long rss_peak = server_kb("VmRSS");
  double cpu0 = own_cpu_ms(), srv0 = server_cpu_ms(), t0 = now_ms();
  long start_count = completed;
  measuring = 1;
  for (double next = t0 + 50; next < t0 + duration_ms; next += 50) {
    loop_until(next, NULL); /* RSS sampled every 50 ms, as the TypeScript generator does */
    long kb = server_kb("VmRSS");
    if (kb > rss_peak) rss_peak = kb;
  }
  loop_until(t0 + duration_ms, NULL);
  measuring = 0;
  long end_count = completed;
  double t1 = now_ms(), srv1 = server_cpu_ms(), cpu1 = own_cpu_ms();
  long kb = server_kb("VmRSS");
  if (kb > rss_peak) rss_peak = kb;

  stopping = 1; /* every client is waiting for an answer: each says FIN after it */
  loop_until(now_ms() + 10000, all_finished);

  double window = t1 - t0;
  long messages = end_count - start_count;
  qsort(latencies, lat_count, sizeof(double), compare_doubles);
  printf("{\"generator\":\"c\",\"clients\":%d,\"size\":%d,\"depth\":%d,\"windowMs\":%.3f,"
         "\"connectMs\":%.3f,\"messages\":%ld,\"messagesPerSec\":%.3f,\"mbPerSec\":%.6f,"
         "\"loadgenCpuMs\":%.3f,",
         clients, size, depth, window, connect_ms, messages, messages * 1000.0 / window,
         messages * (double)size * 1000.0 / window / 1e6, cpu1 - cpu0);
  if (lat_count == 0) printf("\"p50Ms\":null,\"p99Ms\":null,"); /* as JSON.stringify(NaN) */
  else printf("\"p50Ms\":%.6f,\"p99Ms\":%.6f,", percentile(50), percentile(99));
  if (srv0 < 0 || srv1 < 0) printf("\"serverCpuMs\":null,");
  else printf("\"serverCpuMs\":%.3f,", srv1 - srv0);
  print_kb("rssBeforeKb", rss_before);
  print_kb("rssConnectedKb", rss_connected);
  print_kb("rssPeakKb", rss_peak);
  print_kb("serverHwmKb", server_kb("VmHWM"));
  printf("\"greeted\":%ld,\"errors\":%ld,\"errorSamples\":[", greeted, errors);
  for (long i = 0; i < errors && i < 5; i++) printf("%s\"%s\"", i ? "," : "", error_samples[i]);
  printf("],\"unfinished\":%ld}\n", clients - finished);
  return 0;
}
