using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Engine.Cli;

/// <summary>
/// When this process started, for start-up figures that include what happens before <c>Main</c> (the .NET runtime's
/// start, or next to nothing for the native binary). Linux records a process's start in clock ticks since boot
/// (<c>/proc/self/stat</c>, 100 per second, rounded down), and this reads the boot clock itself now
/// (<c>clock_gettime(CLOCK_BOOTTIME)</c>, the clock those ticks count), so a figure is at most 10 ms above the truth and
/// never below it; <see cref="Main"/> is exact.
/// </summary>
internal static class ProcessClock
{
    private const double TicksPerSecond = 100; // USER_HZ, the unit of /proc's times on every Linux this runs on
    private const int ClockBoottime = 7;

    /// <summary>The <see cref="Stopwatch"/> timestamp at the start of <c>Main</c> (0 when the command line was entered another way, as by tests).</summary>
    public static long Main { get; set; }

    /// <summary>Milliseconds from the process's start to <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp), or null where not known.</summary>
    public static double? SinceProcessStart(long timestamp)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            if (clock_gettime(ClockBoottime, out Timespec now) != 0)
            {
                return null;
            }
            string stat = File.ReadAllText("/proc/self/stat");
            // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double started = long.Parse(fields[22 - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
            double uptime = now.Seconds + now.Nanoseconds / 1e9;
            return (uptime - started) * 1000 - Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException
                                      or OverflowException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // A blittable out struct: no marshalling code, so DllImport suits NativeAOT (LibraryImport would need unsafe code).
    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out Timespec time);
}
