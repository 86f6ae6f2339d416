using Engine.Core;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <c>decode</c>: mutated modules through decode and validate, where only success,
/// <see cref="MalformedModuleException"/> or <see cref="InvalidModuleException"/> (with an offset inside the
/// binary) may come out. A mutant that validates is instantiated with stand-in imports and its exports are
/// called with fuel (in the interpreter, and every fourth case in the baseline compiler too): only the engine's
/// typed errors (traps, link errors, resource limits) may come out there. And wasmtime (restricted to the 2.0
/// features) must reach the same verdict, valid or not.
/// </summary>
public sealed class DecodeTarget : FuzzTarget
{
    private readonly List<byte[]> _seeds;
    private readonly bool _wasmtime;

    /// <summary>
    /// Uses <paramref name="seedFiles"/> (default: the corpus's modules) as the modules to mutate; with
    /// <paramref name="wasmtime"/>, wasmtime's verdict (valid or not) must be ours too.
    /// </summary>
    public DecodeTarget(IEnumerable<string>? seedFiles = null, bool wasmtime = true)
    {
        _wasmtime = wasmtime;
        _seeds = (seedFiles ?? Corpus.WasmFiles()).Select(File.ReadAllBytes).Where(b => b.Length > 0).ToList();
        if (_seeds.Count == 0)
        {
            throw new InvalidOperationException("no seed modules: the spec suite (WASM_TESTSUITE) and the repository's .wasm files were not found");
        }
    }

    /// <inheritdoc/>
    public override string Name => "decode";

    /// <inheritdoc/>
    public override string Extension => ".wasm";

    /// <summary>The number of seed modules.</summary>
    public int SeedCount => _seeds.Count;

    /// <inheritdoc/>
    public override byte[] Generate(Random random)
    {
        byte[] original = _seeds[random.Next(_seeds.Count)];
        byte[] donor = _seeds[random.Next(_seeds.Count)];
        return BinaryMutator.Mutate(original, donor, random);
    }

    /// <inheritdoc/>
    public override Finding? Run(byte[] input)
    {
        string? ourError;
        long errorOffset = -1;
        try
        {
            // The 2.0 rules: the verdict is compared with wasmtime's, which runs with the 2.0 features.
            ModuleLoader.DecodeAndValidate(input, WasmFeatures.Wasm2);
            ourError = null;
        }
        catch (MalformedModuleException e)
        {
            Count("malformed");
            if (e.Offset < 0 || e.Offset > input.Length)
            {
                return new Finding("decode: malformed offset outside the binary", $"decode: malformed-module offset {e.Offset} outside a {input.Length}-byte binary ({e.Reason})");
            }
            ourError = e.Reason;
            errorOffset = e.Offset;
        }
        catch (InvalidModuleException e)
        {
            Count("invalid");
            if (e.Offset < 0 || e.Offset > input.Length)
            {
                return new Finding("decode: invalid offset outside the binary", $"decode: invalid-module offset {e.Offset} outside a {input.Length}-byte binary ({e.Reason})");
            }
            ourError = e.Reason;
        }
        catch (Exception e)
        {
            return Finding.Unexpected("decode", e);
        }
        if (_wasmtime && CompareVerdicts(input, ourError, errorOffset) is { } disagreement)
        {
            return disagreement;
        }
        if (ourError is not null)
        {
            return null;
        }
        Count("valid");
        Finding? finding = ModuleSmokeRun.Run(input, TierMode.Interpreter, this);
        if (finding is null && (input.Length & 3) == 0)
        {
            finding = ModuleSmokeRun.Run(input, TierMode.Baseline, this);
        }
        return finding;
    }

    /// <summary>wasmtime (2.0 features) must find the module valid exactly when we do.</summary>
    private Finding? CompareVerdicts(byte[] input, string? ourError, long errorOffset)
    {
        string? theirs = WasmtimeRun.Validate(input);
        if ((theirs is null) == (ourError is null))
        {
            return null;
        }
        if (theirs is null && ourError == "integer representation too long" && InLimits(input, errorOffset))
        {
            // WebAssembly 3.0 encodes limits as u64 (memory64), so wasmtime reads 6- to 10-byte LEBs there; 2.0 allows 5.
            Count("wasmtime accepts a 2.0-overlong limit (3.0 encoding)");
            return null;
        }
        if (theirs is not null && IsBeyondWasm2(theirs))
        {
            Count("wasmtime refuses for a limit or proposal of its own");
            return null;
        }
        if (ourError is not null)
        {
            return new Finding($"verdict: we refuse ({ourError}), wasmtime accepts", $"verdict: refused here ({ourError}) but valid for wasmtime");
        }
        string kind = System.Text.RegularExpressions.Regex.Replace(theirs!.Split('\n')[0], @"[0-9]+|0x[0-9a-f]+", "N");
        return new Finding($"verdict: we accept, wasmtime refuses ({Finding.OneLine(kind, 80)})", $"verdict: valid here but wasmtime says: {Finding.OneLine(theirs, 200)}");
    }

    /// <summary>True when <paramref name="offset"/> is in an import, table or memory section (where limits are).</summary>
    private static bool InLimits(byte[] input, long offset) =>
        BinaryMutator.Sections(input) is { } sections &&
        sections.Any(s => s.Id is 2 or 4 or 5 && offset >= s.ContentStart && offset < s.End);

    /// <summary>wasmtime errors that are about its own implementation limits, not about validity.</summary>
    private static bool IsBeyondWasm2(string error) =>
        error.Contains("limit", StringComparison.OrdinalIgnoreCase) && !error.Contains("exceeds", StringComparison.OrdinalIgnoreCase) ||
        error.Contains("too many", StringComparison.OrdinalIgnoreCase);
}
