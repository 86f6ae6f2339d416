using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>What a <c>wasm-engine</c> child process did.</summary>
internal readonly record struct CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>The lines of stderr.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}; stdout: {Output}; stderr: {Error}";
}

/// <summary>Runs the command line as a child process (<c>dotnet wasm-engine.dll ...</c>), as a user does.</summary>
internal static class CliProcess
{
    /// <summary>The built command line next to the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "wasm-engine.dll");

    /// <summary>
    /// Runs <c>wasm-engine ARGS</c>. <paramref name="shellPrefix"/> and <paramref name="redirect"/>, when given,
    /// run it through <c>/bin/sh</c> as <c>PREFIX dotnet wasm-engine.dll ARGS REDIRECT</c>, the prefix ending in
    /// <c>exec </c> or a wrapper command (<c>exec setpriv ... </c>), the redirection e.g. <c>2&gt;/dev/full</c>.
    /// <paramref name="stdin"/> is the program's standard input (empty when null).
    /// </summary>
    public static CliResult Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? shellPrefix = null, string? redirect = null, string? workingDirectory = null, byte[]? stdin = null)
    {
        ProcessStartInfo start;
        if (shellPrefix is null && redirect is null)
        {
            start = new ProcessStartInfo("dotnet");
            start.ArgumentList.Add(Dll);
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{shellPrefix ?? "exec "}dotnet {Quote(Dll)} {string.Join(' ', args.Select(Quote))} {redirect}");
        }
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"wasm-engine {string.Join(' ', args)} did not finish in 2 minutes");
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Single-quoted for /bin/sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}
