namespace Engine.Benchmarks.Perf;

/// <summary>
/// The phases a regression run measures separately, each on its own prepared state:
/// <list type="table">
/// <item><term>decode-validate</term><description>our binary decoder and validator over the module's bytes</description></item>
/// <item><term>compile</term><description>the tier's work on every function, before any runs: the interpreter's
/// translation; a compiler tier's machine code; for wasmtime, loading the module (decode, validate, Cranelift)</description></item>
/// <item><term>instantiate</term><description>a new store and an instance in it (and disposing the store)</description></item>
/// <item><term>execute</term><description>one call of run(n) on a warm instance</description></item>
/// <item><term>first-result</term><description>from the module's bytes to the first run(n) returning: load, instantiate,
/// run (what a short-lived embedding sees, tier-up included)</description></item>
/// </list>
/// </summary>
public static class Phases
{
    public const string DecodeValidate = "decode-validate";
    public const string Compile = "compile";
    public const string Instantiate = "instantiate";
    public const string Execute = "execute";
    public const string FirstResult = "first-result";

    /// <summary>Every phase, in pipeline order.</summary>
    public static IReadOnlyList<string> All { get; } = [DecodeValidate, Compile, Instantiate, Execute, FirstResult];

    /// <summary>
    /// The phase of a reference engine that stands for <paramref name="phase"/> when results are normalised by it:
    /// the same phase, except that wasmtime does decode+validate inside its compile.
    /// </summary>
    public static string OnReference(EngineVariant reference, string phase) =>
        reference.Supports(phase) ? phase : Compile;
}
