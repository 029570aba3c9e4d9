/*
 * The native floor of bench/micro/udp-floor.ts: the same REGISTER-shaped exchange (N sockets, RATE
 * operations per second, each two round trips of a 500-byte datagram to an echo) in C with epoll,
 * against a C echo. What any program, SIPp included, pays per operation in this kernel for the
 * datagrams and wake-ups alone. udp-floor.ts compiles it with `cc -O2` when a compiler is present.
 *
 *   floor echo PORT
 *   floor gen SOCKETS RATE SECONDS ECHO_PORT
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
static double now_ms(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
static double cpu_s(void){struct rusage r;getrusage(RUSAGE_SELF,&r);return r.ru_utime.tv_sec+r.ru_utime.tv_usec/1e6+r.ru_stime.tv_sec+r.ru_stime.tv_usec/1e6;}
int main(int argc,char**argv){
  int echo = argc>1 && !strcmp(argv[1],"echo");
  int ep=epoll_create1(0); char buf[2048];
  if(echo){ int s=socket(AF_INET,SOCK_DGRAM|SOCK_NONBLOCK,0); struct sockaddr_in a={.sin_family=AF_INET,.sin_port=htons(atoi(argv[2]))}; inet_pton(AF_INET,"127.0.0.1",&a.sin_addr); bind(s,(void*)&a,sizeof a);
    struct epoll_event e={.events=EPOLLIN,.data.fd=s}; epoll_ctl(ep,EPOLL_CTL_ADD,s,&e);
    for(;;){ struct epoll_event ev[16]; int n=epoll_wait(ep,ev,16,-1); for(int i=0;i<n;i++){ for(;;){ struct sockaddr_in f; socklen_t fl=sizeof f; ssize_t r=recvfrom(s,buf,sizeof buf,0,(void*)&f,&fl); if(r<0)break; sendto(s,buf,r,0,(void*)&f,fl);} } } }
  int N=atoi(argv[2]), rate=atoi(argv[3]), secs=atoi(argv[4]), eport=atoi(argv[5]);
  struct sockaddr_in dst={.sin_family=AF_INET,.sin_port=htons(eport)}; inet_pton(AF_INET,"127.0.0.1",&dst.sin_addr);
  int *fd=malloc(N*sizeof(int)); int *round=calloc(N,sizeof(int)); int *busy=calloc(N,sizeof(int));
  for(int i=0;i<N;i++){ fd[i]=socket(AF_INET,SOCK_DGRAM|SOCK_NONBLOCK,0); struct sockaddr_in a={.sin_family=AF_INET}; inet_pton(AF_INET,"127.0.0.1",&a.sin_addr); bind(fd[i],(void*)&a,sizeof a); struct epoll_event e={.events=EPOLLIN,.data.u32=i}; epoll_ctl(ep,EPOLL_CTL_ADD,fd[i],&e);}
  memset(buf,'x',500);
  double t0=now_ms(), c0=cpu_s(); long started=0, done=0; int next=0;
  while(now_ms()-t0 < secs*1000.0){
    double el=now_ms()-t0; long due=(long)(el*rate/1000.0);
    while(started<due){ int i=next; next=(next+1)%N; if(busy[i]){ started++; continue;} busy[i]=1; round[i]=0; sendto(fd[i],buf,500,0,(void*)&dst,sizeof dst); started++; }
    struct epoll_event ev[64]; int n=epoll_wait(ep,ev,64,1);
    for(int k=0;k<n;k++){ int i=ev[k].data.u32; for(;;){ ssize_t r=recv(fd[i],buf,sizeof buf,0); if(r<0)break; if(round[i]==0){ round[i]=1; sendto(fd[i],buf,500,0,(void*)&dst,sizeof dst);} else { busy[i]=0; done++; } } }
  }
  double c=cpu_s()-c0; printf("%4d socket(s): %ld/%ld ops, %.1f us CPU per op (native C, epoll)\n",N,done,(long)rate*secs,c*1e6/(done?done:1));
  return 0;
}
