/*
 * The native UDP floor of the media benchmark: what any program (SIPp included) pays per datagram
 * in this kernel, with no runtime in the way. Compiled by media-scale.ts into a temp dir with
 * `cc -O2` only when a C compiler is there; nothing else builds or needs it.
 *
 *   floor gen  <n> <genBase> <peerBase> <seconds> <warmupS>
 *     N non-blocking UDP sockets on 127.0.0.1:genBase+2i, each sending one 172-byte datagram every
 *     20 ms to peerBase+2i (stream i's phase = i mod 20 ms: one slot per 1 ms tick) and counting
 *     what comes back. Prints STARTED, MEASURE, END, then drains (until 0.5 s without a receive,
 *     max 10 s) and prints RESULT <json>, the shape of floor-gen.ts's FloorResult.
 *   floor echo <n> <base> [seconds]
 *     N sockets on base+2i returning every datagram to its sender. Prints READY; on SIGTERM (or
 *     after `seconds` if given) one JSON line {received, echoed, sendErrors, kernelDrops, sockets}.
 *
 * One thread, level-triggered epoll, one recvfrom per readiness event (each socket gets one
 * datagram per 20 ms, so batching per socket would buy nothing). The 1 ms ticks come from a
 * timerfd in the same epoll set rather than clock_nanosleep: a sleeping thread could not read
 * the echoes; its expiration count says how many ticks are owed, so N x 50 datagrams/s are sent
 * exactly even when the thread runs late (a slot sent >= 20 ms after its due time counts as late),
 * up to floor-gen.ts's catch-up cap: slots more than two periods (40 ticks) overdue are skipped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PACKET_BYTES 172
#define SLOTS 20
#define MAX_OWED (2 * SLOTS)
#define MAX_EVENTS 512

static volatile sig_atomic_t terminated;
static void on_term(int sig) { (void)sig; terminated = 1; }

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int bind_udp(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = loopback(port);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    fprintf(stderr, "floor: bind 127.0.0.1:%d: %s\n", port, strerror(errno));
    exit(1);
  }
  return fd;
}

/* Sum of the `drops` column of /proc/net/udp over local ports [lo, hi] (udp-drops.ts's socketDrops). */
static long long socket_drops(int lo, int hi, int *sockets) {
  FILE *f = fopen("/proc/net/udp", "r");
  char line[512];
  long long drops = 0;
  *sockets = 0;
  if (!f) return 0;
  if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }
  while (fgets(line, sizeof line, f)) {
    unsigned port;
    if (sscanf(line, " %*d: %*x:%x", &port) != 1 || (int)port < lo || (int)port > hi) continue;
    char *end = line + strlen(line);
    while (end > line && (end[-1] == '\n' || end[-1] == ' ')) *--end = 0;
    char *last = strrchr(line, ' ');
    drops += last ? atoll(last + 1) : 0;
    (*sockets)++;
  }
  fclose(f);
  return drops;
}

static int add(int ep, int fd, uint32_t id) {
  struct epoll_event e = {.events = EPOLLIN, .data.u32 = id};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int gen(int n, int gen_base, int peer_base, double seconds, double warmup) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int *fds = calloc((size_t)n, sizeof *fds);
  struct sockaddr_in *peers = calloc((size_t)n, sizeof *peers);
  for (int i = 0; i < n; i++) {
    fds[i] = bind_udp(gen_base + 2 * i);
    peers[i] = loopback(peer_base + 2 * i);
    add(ep, fds[i], (uint32_t)i);
  }
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec every_ms = {.it_interval = {0, 1000000}, .it_value = {0, 1000000}};
  timerfd_settime(tfd, 0, &every_ms, NULL);
  add(ep, tfd, (uint32_t)n);
  printf("STARTED\n");
  fflush(stdout);

  unsigned char payload[PACKET_BYTES] = {0x80}, buf[2048];
  long long sent = 0, received = 0, send_errors = 0, late = 0, skipped = 0, ms = 0;
  long long m_sent = 0, m_received = 0, e_sent = 0, e_received = 0;
  double t0 = now_s(), t_measure = 0, t_end = 0, last_rx = 0;
  int phase = 0; /* 0 warm-up, 1 measured, 2 draining */
  struct epoll_event ev[MAX_EVENTS];
  for (;;) {
    int k = epoll_wait(ep, ev, MAX_EVENTS, phase == 2 ? 50 : 100);
    if (k < 0 && errno != EINTR) { perror("floor: epoll_wait"); return 1; }
    for (int j = 0; j < k; j++) {
      uint32_t id = ev[j].data.u32;
      if (id == (uint32_t)n) {
        uint64_t owed = 0;
        if (read(tfd, &owed, sizeof owed) != sizeof owed || phase == 2) continue;
        for (; owed > MAX_OWED; owed--, ms++) skipped += (n - (int)(ms % SLOTS) + SLOTS - 1) / SLOTS;
        for (uint64_t t = 0; t < owed; t++, ms++) {
          int slot = (int)(ms % SLOTS);
          for (int i = slot; i < n; i += SLOTS) {
            if (owed - 1 - t >= SLOTS) late++;
            if (sendto(fds[i], payload, sizeof payload, 0, (struct sockaddr *)&peers[i], sizeof peers[i]) == PACKET_BYTES) sent++;
            else send_errors++;
          }
        }
      } else if (recv(fds[id], buf, sizeof buf, 0) > 0) {
        received++;
        last_rx = now_s();
      }
    }
    double now = now_s();
    if (phase == 0 && now - t0 >= warmup) {
      phase = 1;
      t_measure = now;
      m_sent = sent;
      m_received = received;
      printf("MEASURE\n");
      fflush(stdout);
    } else if (phase == 1 && now - t_measure >= seconds) {
      phase = 2;
      t_end = now;
      e_sent = sent;
      e_received = received;
      struct itimerspec off = {{0, 0}, {0, 0}};
      timerfd_settime(tfd, 0, &off, NULL);
      last_rx = now;
      printf("END\n");
      fflush(stdout);
    } else if (phase == 2 && (now - last_rx >= 0.5 || now - t_end >= 10)) {
      break;
    }
  }
  int sockets;
  long long drops = socket_drops(gen_base, gen_base + 2 * n - 1, &sockets);
  printf("RESULT {\"n\":%d,\"sent\":%lld,\"received\":%lld,\"sendErrors\":%lld,\"late\":%lld,\"skipped\":%lld,\"kernelDrops\":%lld,"
         "\"measured\":{\"sent\":%lld,\"received\":%lld,\"seconds\":%.3f}}\n",
         n, sent, received, send_errors, late, skipped, drops, e_sent - m_sent, e_received - m_received, t_end - t_measure);
  fflush(stdout);
  return 0;
}

static int echo(int n, int base, double seconds) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term; /* no SA_RESTART: epoll_wait returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int *fds = calloc((size_t)n, sizeof *fds);
  for (int i = 0; i < n; i++) {
    fds[i] = bind_udp(base + 2 * i);
    add(ep, fds[i], (uint32_t)i);
  }
  printf("READY\n");
  fflush(stdout);
  long long received = 0, echoed = 0, send_errors = 0;
  unsigned char buf[2048];
  struct epoll_event ev[MAX_EVENTS];
  double t0 = now_s();
  while (!terminated && (seconds <= 0 || now_s() - t0 < seconds)) {
    int k = epoll_wait(ep, ev, MAX_EVENTS, 100);
    for (int j = 0; j < k; j++) {
      int fd = fds[ev[j].data.u32];
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
      if (r < 0) continue;
      received++;
      if (sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, len) == r) echoed++;
      else send_errors++;
    }
  }
  int sockets;
  long long drops = socket_drops(base, base + 2 * n - 1, &sockets);
  printf("{\"received\":%lld,\"echoed\":%lld,\"sendErrors\":%lld,\"kernelDrops\":%lld,\"sockets\":%d}\n", received, echoed, send_errors, drops, sockets);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 7 && strcmp(argv[1], "gen") == 0) return gen(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atof(argv[5]), atof(argv[6]));
  if (argc >= 4 && strcmp(argv[1], "echo") == 0) return echo(atoi(argv[2]), atoi(argv[3]), argc >= 5 ? atof(argv[4]) : 0);
  fprintf(stderr, "usage: floor gen <n> <genBase> <peerBase> <seconds> <warmupS> | floor echo <n> <base> [seconds]\n");
  return 2;
}
