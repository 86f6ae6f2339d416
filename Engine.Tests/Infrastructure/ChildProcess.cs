using System.Diagnostics;
using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Marks a static method <c>int M()</c> as a scenario <see cref="ChildProcess"/> can run in a child process.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ChildScenarioAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>What a child process did: its exit code (128 + the signal for a process a signal killed) and its output.</summary>
internal readonly record struct ChildResult(int ExitCode, string Output, string Error)
{
    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}; stdout: {Output}; stderr: {Error}";
}

/// <summary>
/// Runs test scenarios that may crash the process (a fault the engine must not swallow) or change process-wide state
/// (signal handlers) in a child: the test assembly is also a program, <c>dotnet Engine.Tests.dll child
/// NAME</c>, which runs the static method marked <c>[ChildScenario(NAME)]</c> and exits with what it returns.
/// </summary>
public static class ChildProcess
{
    /// <summary>The entry point of the child (the test runner never calls it).</summary>
    public static int Main(string[] args)
    {
        if (args is not ["child", string name])
        {
            Console.Error.WriteLine("usage: dotnet Engine.Tests.dll child SCENARIO");
            return 2;
        }
        MethodInfo? scenario = typeof(ChildProcess).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .FirstOrDefault(m => m.GetCustomAttribute<ChildScenarioAttribute>()?.Name == name);
        if (scenario is null)
        {
            Console.Error.WriteLine($"no scenario '{name}'");
            return 2;
        }
        return (int)scenario.Invoke(null, null)!;
    }

    /// <summary>Runs scenario <paramref name="name"/> in a child process, with <paramref name="environment"/> added to its environment.</summary>
    internal static ChildResult Run(string name, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { typeof(ChildProcess).Assembly.Location, "child", name } };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        // No core files or crash dumps from the crashes these tests expect.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"child scenario {name} did not finish in 2 minutes");
        }
        process.WaitForExit();
        return new ChildResult(process.ExitCode, output.Result, error.Result);
    }
}
