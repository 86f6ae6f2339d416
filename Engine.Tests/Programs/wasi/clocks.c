// clock_gettime / clock_getres sanity checks; prints only deterministic verdicts.
#include <stdio.h>
#include <time.h>
#include <sys/time.h>
static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(void) {
    struct timespec r, m, res;
    // realtime: after 2020-01-01 and before 2200-01-01
    if (clock_gettime(CLOCK_REALTIME, &r) != 0) { printf("realtime: error\n"); return 1; }
    printf("realtime: %s\n", (r.tv_sec > 1577836800LL && r.tv_sec < 7258118400LL) ? "ok" : "bad");
    printf("realtime nsec in range: %s\n", (r.tv_nsec >= 0 && r.tv_nsec < 1000000000L) ? "ok" : "bad");
    // monotonic: never decreases over many reads
    if (clock_gettime(CLOCK_MONOTONIC, &m) != 0) { printf("monotonic: error\n"); return 1; }
    long long prev = ns(m), first = prev;
    int ok = 1;
    for (int i = 0; i < 100000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &m);
        long long now = ns(m);
        if (now < prev) ok = 0;
        prev = now;
    }
    printf("monotonic non-decreasing: %s\n", ok ? "ok" : "bad");
    printf("monotonic advanced: %s\n", prev > first ? "ok" : "bad");
    // resolutions are positive and at most 1 second
    clock_getres(CLOCK_REALTIME, &res);
    printf("realtime resolution: %s\n", (ns(res) > 0 && ns(res) <= 1000000000LL) ? "ok" : "bad");
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution: %s\n", (ns(res) > 0 && ns(res) <= 1000000000LL) ? "ok" : "bad");
    // time() and gettimeofday() agree with CLOCK_REALTIME to within a few seconds
    time_t t = time(NULL);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long d1 = (long long)t - r.tv_sec, d2 = (long long)tv.tv_sec - r.tv_sec;
    printf("time() consistent: %s\n", (d1 >= 0 && d1 < 10) ? "ok" : "bad");
    printf("gettimeofday consistent: %s\n", (d2 >= 0 && d2 < 10 && tv.tv_usec >= 0 && tv.tv_usec < 1000000) ? "ok" : "bad");
    return 0;
}
