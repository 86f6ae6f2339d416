using System.Diagnostics;
using System.Globalization;

namespace Engine.Cli;

/// <summary>
/// When this process started, for start-up figures that include what happens before <c>Main</c> (the .NET runtime's
/// start, or next to nothing for the native binary). Linux records a process's start in clock ticks since boot
/// (<c>/proc/self/stat</c>, 100 per second), so those figures are good to about 10 ms; <see cref="Main"/> is exact.
/// </summary>
internal static class ProcessClock
{
    private const double TicksPerSecond = 100; // USER_HZ, the unit of /proc's times on every Linux this runs on

    /// <summary>The <see cref="Stopwatch"/> timestamp at the start of <c>Main</c> (0 when the command line was entered another way, as by tests).</summary>
    public static long Main { get; set; }

    /// <summary>Milliseconds from the process's start to <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp), or null where not known.</summary>
    public static double? SinceProcessStart(long timestamp)
    {
        try
        {
            // Both from boot, in the same clock: the uptime now (two decimals) and the process's start tick.
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            string stat = File.ReadAllText("/proc/self/stat");
            // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double started = long.Parse(fields[22 - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
            return (uptime - started) * 1000 - Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }
}
