using Engine.Core;
using Engine.Runtime;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <c>decode</c>: mutated modules through decode and validate, where only success,
/// <see cref="MalformedModuleException"/> or <see cref="InvalidModuleException"/> (with an offset inside the
/// binary) may come out. A mutant that validates is instantiated with stand-in imports and its exports are
/// called with fuel (in the interpreter, and every fourth case in the baseline compiler too): only the engine's
/// typed errors (traps, link errors, resource limits) may come out there.
/// </summary>
public sealed class DecodeTarget : FuzzTarget
{
    private readonly List<byte[]> _seeds;

    /// <summary>Uses <paramref name="seedFiles"/> (default: the corpus's modules) as the modules to mutate.</summary>
    public DecodeTarget(IEnumerable<string>? seedFiles = null)
    {
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
        try
        {
            ModuleLoader.DecodeAndValidate(input);
        }
        catch (MalformedModuleException e)
        {
            Count("malformed");
            return e.Offset >= 0 && e.Offset <= input.Length
                ? null
                : new Finding("decode: malformed offset outside the binary", $"decode: malformed-module offset {e.Offset} outside a {input.Length}-byte binary ({e.Reason})");
        }
        catch (InvalidModuleException e)
        {
            Count("invalid");
            return e.Offset >= 0 && e.Offset <= input.Length
                ? null
                : new Finding("decode: invalid offset outside the binary", $"decode: invalid-module offset {e.Offset} outside a {input.Length}-byte binary ({e.Reason})");
        }
        catch (Exception e)
        {
            return Finding.Unexpected("decode", e);
        }
        Count("valid");
        Finding? finding = ModuleSmokeRun.Run(input, TierMode.Interpreter, this);
        if (finding is null && (input.Length & 3) == 0)
        {
            finding = ModuleSmokeRun.Run(input, TierMode.Baseline, this);
        }
        return finding;
    }
}
