using Engine.Core;
using Engine.Wast.Scripts;

namespace Engine.Wast;

/// <summary>
/// Runs spec test scripts: each file against a fresh store, commands in order, counting every command
/// as passed, failed or skipped. The one harness behind <c>wast</c> on the command line and the NUnit
/// spec-suite tests.
/// </summary>
public sealed class WastRunner
{
    private readonly WastOptions _options;

    /// <summary>Creates a runner.</summary>
    public WastRunner(WastOptions? options = null)
    {
        _options = options ?? new WastOptions();
    }

    /// <summary>Loads and runs one script file: a <c>.wast</c> script, or the <c>.json</c> form wast2json writes.</summary>
    public WastResults RunFile(string path) => Run(Load(path, _options.KeepGoing), Path.GetFileName(path));

    /// <summary>
    /// The commands of a script file: <c>.json</c> through <see cref="JsonScriptLoader"/>, anything else parsed
    /// as a <c>.wast</c> script (throws <see cref="Engine.Text.TextFormatException"/> when it is not one).
    /// </summary>
    public static IReadOnlyList<ScriptCommand> Load(string path) => Load(path, keepGoing: false);

    /// <summary>As <see cref="Load(string)"/>; with <paramref name="keepGoing"/>, unreadable commands of a <c>.wast</c> script become failing commands (<see cref="WastParser.ParseScript(string, string, bool)"/>).</summary>
    public static IReadOnlyList<ScriptCommand> Load(string path, bool keepGoing) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? JsonScriptLoader.Load(path)
            : WastParser.ParseScript(File.ReadAllText(path), Path.GetFileName(path), keepGoing);

    /// <summary>Runs the commands of one script.</summary>
    public WastResults Run(IReadOnlyList<ScriptCommand> commands, string fileName)
    {
        var results = new WastResults();
        using var session = new WastSession(_options);
        foreach (ScriptCommand command in commands)
        {
            WastOutcome outcome;
            string? failure;
            try
            {
                (outcome, failure) = session.Execute(command);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The harness itself must survive anything a command does; an escaping exception is a failure.
                (outcome, failure) = (WastOutcome.Failed, $"unexpected {e.GetType().Name}: {e.Message}");
            }
            results.Record(command.Kind, outcome);
            if (outcome == WastOutcome.Failed)
            {
                results.Failures.Add(new WastFailure(fileName, command.Line, command.Kind, failure ?? "failed"));
            }
        }
        results.CompiledFunctions = session.CompiledFunctions;
        results.OptimizedFunctions = session.OptimizedFunctions;
        foreach (CompileFailure failure in session.Fallbacks)
        {
            results.FallbackReasons[failure.Reason] = results.FallbackReasons.GetValueOrDefault(failure.Reason) + 1;
            results.FallbackDetails[failure.Detail] = results.FallbackDetails.GetValueOrDefault(failure.Detail) + 1;
        }
        return results;
    }
}

/// <summary>Settings of a <see cref="WastRunner"/>.</summary>
public sealed class WastOptions
{
    /// <summary>Run commands that need execution (instantiation and actions); false checks decoding and validation only.</summary>
    public bool Execute { get; init; } = true;

    /// <summary>
    /// Read past commands a <c>.wast</c> script's reader cannot read, each counted as a failed command, instead of
    /// rejecting the whole script (for suites with constructs the engine does not parse yet, such as the 3.0 suite).
    /// </summary>
    public bool KeepGoing { get; init; }

    /// <summary>The engine to run in (its configuration selects the tier); a default engine when null.</summary>
    public Engine.Runtime.WasmEngine? Engine { get; init; }

    /// <summary>The configuration of the engine each script gets when <see cref="Engine"/> is null (defaults when null too).</summary>
    public Engine.Runtime.EngineConfig? Config { get; init; }

    /// <summary>Sees the trap of every <c>assert_trap</c> and <c>assert_exhaustion</c> command (tests compare tiers' backtraces).</summary>
    public Action<ScriptCommand, TrapException>? TrapObserver { get; init; }
}

