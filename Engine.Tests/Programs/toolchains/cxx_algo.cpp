// One C++17 program built by two toolchains: emscripten 3.1.6 (-sSTANDALONE_WASM, its own
// musl + libc++; standalone mode imports only args/environ/fd_* /proc_exit/clock from WASI) and
// clang-14 with Debian's wasi-libc + libc++ 14. Static constructors, iostreams, containers,
// algorithms, std::function, virtual dispatch, std::string and stringstreams with floating
// point, <chrono>, <random> with fixed seeds; reads stdin; exits with a computed code.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

struct Registry {
    std::vector<std::string> names;
    Registry() { names.push_back("constructed before main"); }
    ~Registry() { std::printf("registry destroyed with %zu names\n", names.size()); }
};
static Registry registry;

struct Shape {
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const = 0;
};
struct Circle : Shape {
    double r;
    explicit Circle(double r) : r(r) {}
    double area() const override { return M_PI * r * r; }
    std::string name() const override { return "circle"; }
};
struct Rect : Shape {
    double w, h;
    Rect(double w, double h) : w(w), h(h) {}
    double area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};

template <typename T>
T gcd(T a, T b) { while (b) { T t = a % b; a = b; b = t; } return a; }

static std::vector<int> sieve(int n) {
    std::vector<bool> composite(n + 1);
    std::vector<int> primes;
    for (int i = 2; i <= n; i++) {
        if (composite[i]) continue;
        primes.push_back(i);
        for (long long j = (long long)i * i; j <= n; j += i) composite[j] = true;
    }
    return primes;
}

int main(int argc, char **argv) {
    std::cout << registry.names[0] << "\n";
    std::cout << "argc=" << argc;
    for (int i = 1; i < argc; i++) std::cout << " [" << argv[i] << "]";
    std::cout << "\n";
    const char *mode = std::getenv("MODE");
    std::cout << "MODE=" << (mode ? mode : "(unset)") << "\n";

    // stdin: word frequencies
    std::map<std::string, int> freq;
    std::string word;
    size_t words = 0;
    while (std::cin >> word) {
        std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
        word.erase(std::remove_if(word.begin(), word.end(), [](unsigned char c) { return !std::isalnum(c); }), word.end());
        if (word.empty()) continue;
        freq[word]++;
        words++;
    }
    std::vector<std::pair<std::string, int>> top(freq.begin(), freq.end());
    std::stable_sort(top.begin(), top.end(), [](auto &a, auto &b) { return a.second > b.second; });
    std::cout << words << " words, " << freq.size() << " distinct; top:";
    for (size_t i = 0; i < std::min<size_t>(5, top.size()); i++) std::cout << " " << top[i].first << "=" << top[i].second;
    std::cout << "\n";

    // polymorphism and smart pointers
    std::vector<std::unique_ptr<Shape>> shapes;
    for (int i = 1; i <= 6; i++) {
        if (i % 2) shapes.push_back(std::make_unique<Circle>(i * 0.5));
        else shapes.push_back(std::make_unique<Rect>(i, i + 0.25));
    }
    std::sort(shapes.begin(), shapes.end(), [](auto &a, auto &b) { return a->area() < b->area(); });
    std::cout << std::fixed << std::setprecision(4);
    for (auto &s : shapes) std::cout << s->name() << ":" << s->area() << " ";
    std::cout << "\n" << std::defaultfloat;

    // algorithms
    auto primes = sieve(100000);
    std::cout << primes.size() << " primes below 100000, last " << primes.back()
              << ", sum " << std::accumulate(primes.begin(), primes.end(), 0LL) << "\n";
    std::mt19937 rng(20240601);
    std::vector<int> v(10000);
    for (auto &x : v) x = std::uniform_int_distribution<int>(-1000000, 1000000)(rng);
    auto v2 = v;
    std::sort(v.begin(), v.end());
    std::nth_element(v2.begin(), v2.begin() + 5000, v2.end());
    std::cout << "min " << v.front() << " max " << v.back() << " median " << v[5000] << " nth " << v2[5000]
              << " unique " << std::set<int>(v.begin(), v.end()).size() << "\n";
    std::cout << "gcd " << gcd(1071LL * 1000003, 462LL * 1000003) << " lcm-ish " << (2LL * 3 * 5 * 7 * 11 * 13 * 17 * 19 * 23) << "\n";

    std::unordered_map<int, std::function<long long(long long)>> ops;
    ops[0] = [](long long x) { return x * x; };
    ops[1] = [](long long x) { return x + 17; };
    ops[2] = [](long long x) { return x / 3; };
    long long acc = 7;
    for (int i = 0; i < 30; i++) acc = ops[i % 3](acc) % 1000000007LL;
    std::cout << "function chain " << acc << "\n";

    // formatting
    std::ostringstream os;
    os << 1.0 / 3 << " " << std::scientific << 6.02214076e23 << " " << std::hexfloat << 0.1 << " " << std::defaultfloat
       << std::setw(8) << std::setfill('*') << 42 << " " << std::hex << 255 << std::dec << " " << std::boolalpha << true;
    std::cout << os.str() << "\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "%.3f %g %e %a %10.4s| %-5d| %+d %lld %llu", 2.0 / 3, 1e-5, 12345.678, 1.0, "truncate", 7, 9,
                  (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
    std::cout << buf << "\n";
    std::cout << std::stod("2.5e-3") * 4 << " " << std::stoll("-9000000000") << " " << std::to_string(1e10) << "\n";
    std::cout << std::sqrt(2.0) << " " << std::pow(2.0, 0.5) << " " << std::cbrt(27.0) << " " << std::hypot(3.0, 4.0)
              << " " << std::fmod(10.5, 3.0) << " " << std::round(-2.5) << " " << std::nearbyint(2.5) << "\n";

    auto t0 = std::chrono::steady_clock::now();
    volatile double spin = 0;
    for (int i = 0; i < 100000; i++) spin = spin + std::sin(i);
    auto t1 = std::chrono::steady_clock::now();
    auto sys = std::chrono::system_clock::now().time_since_epoch();
    std::cout << "steady clock non-decreasing: " << (t1 >= t0) << ", system clock after 2020: "
              << (std::chrono::duration_cast<std::chrono::seconds>(sys).count() > 1577836800) << "\n";
    registry.names.push_back("end of main");
    return static_cast<int>(primes.size() % 100);
}
