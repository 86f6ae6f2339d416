// nanosleep / clock_nanosleep / poll(timeout) / raw poll_oneoff / sched_yield.
#include <stdio.h>
#include <time.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>
#include <wasi/api.h>
static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}
int main(void) {
    long long t0 = now_ns();
    struct timespec req = {0, 5 * 1000 * 1000};
    int rc = nanosleep(&req, NULL);
    long long el = now_ns() - t0;
    printf("nanosleep 5ms: rc=%d slept>=5ms: %s\n", rc, el >= 5000000LL ? "ok" : "bad");

    t0 = now_ns();
    rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    el = now_ns() - t0;
    printf("clock_nanosleep 5ms: rc=%d slept>=5ms: %s\n", rc, el >= 5000000LL ? "ok" : "bad");

    t0 = now_ns();
    rc = usleep(3000);
    el = now_ns() - t0;
    printf("usleep 3ms: rc=%d slept>=3ms: %s\n", rc, el >= 3000000LL ? "ok" : "bad");

    t0 = now_ns();
    rc = poll(NULL, 0, 4);
    el = now_ns() - t0;
    printf("poll(0 fds, 4ms): rc=%d slept>=4ms: %s\n", rc, el >= 4000000LL ? "ok" : "bad");

    // raw poll_oneoff: one relative clock subscription of 2ms
    __wasi_subscription_t sub = {0};
    sub.userdata = 42;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 2000000;
    sub.u.u.clock.precision = 0;
    sub.u.u.clock.flags = 0;
    __wasi_event_t ev = {0};
    __wasi_size_t nev = 0;
    t0 = now_ns();
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &nev);
    el = now_ns() - t0;
    printf("poll_oneoff clock 2ms: errno=%d nevents=%u userdata=%llu type=%d error=%d slept>=2ms: %s\n",
           e, (unsigned)nev, (unsigned long long)ev.userdata, ev.type, ev.error, el >= 2000000LL ? "ok" : "bad");

    // absolute-time subscription in the past fires immediately
    sub.userdata = 7;
    sub.u.u.clock.timeout = 0;
    sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    e = __wasi_poll_oneoff(&sub, &ev, 1, &nev);
    printf("poll_oneoff abstime past: errno=%d nevents=%u userdata=%llu\n", e, (unsigned)nev, (unsigned long long)ev.userdata);

    // zero subscriptions is an error (EINVAL)
    e = __wasi_poll_oneoff(&sub, &ev, 0, &nev);
    printf("poll_oneoff nsubscriptions=0: %s\n", e != 0 ? "error" : "no error");

    int ok = 1;
    for (int i = 0; i < 100; i++) if (sched_yield() != 0) ok = 0;
    printf("sched_yield x100: %s\n", ok ? "ok" : "bad");
    return 0;
}
