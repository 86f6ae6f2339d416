using System.Text;
using Engine.Core;
using Engine.Optimizing;
using Engine.Text;
using NUnit.Framework;

namespace Engine.Tests.Optimizing;

/// <summary>
/// Golden code tests (as Cranelift's filetests and Winch's disas tests): each <c>Golden/NAME.wat</c> is compiled by the
/// optimizing tier and every function's optimized IR and x86-64 listing must equal <c>Golden/NAME.listing</c>, checked
/// in, so a change in the code the tier makes shows in review. After an intended change, regenerate the listings with
/// <c>WASM_BLESS=1 dotnet test --filter GoldenCodeTests</c> and review the diff.
/// </summary>
[TestFixture]
public sealed class GoldenCodeTests
{
    private static string GoldenDirectory => Path.Combine(TestPaths.RepositoryRoot, "Engine.Tests", "Optimizing", "Golden");

    public static IEnumerable<string> Cases() =>
        Directory.Exists(GoldenDirectory)
            ? Directory.GetFiles(GoldenDirectory, "*.wat").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!
            : ["(golden directory missing)"];

    /// <summary>What each file is compiled with: interruption.wat with fuel, epochs and OSR entries, the rest plain (inlining.wat alone inlines).</summary>
    private static CompilerOptions OptionsFor(string name) => name == "interruption"
        ? new CompilerOptions { Fuel = true, EpochChecks = true, OsrAllLoops = true }
        : CompilerOptions.Default;

    [TestCaseSource(nameof(Cases))]
    public void ListingIsUnchanged(string name)
    {
        if (name == "simd")
        {
            Assume.That(System.Runtime.Intrinsics.X86.Avx2.IsSupported, "SIMD compiles only with AVX2");
        }
        string listing = Listing(name);
        string expectedPath = Path.Combine(GoldenDirectory, name + ".listing");
        if (Environment.GetEnvironmentVariable("WASM_BLESS") == "1")
        {
            File.WriteAllText(expectedPath, listing);
            return;
        }
        Assert.That(File.Exists(expectedPath), $"{expectedPath} is missing: run with WASM_BLESS=1 to create it");
        string expected = File.ReadAllText(expectedPath).ReplaceLineEndings("\n");
        if (expected != listing)
        {
            Assert.Fail($"the code of {name}.wat changed (WASM_BLESS=1 regenerates the listing):\n{FirstDifference(expected, listing)}");
        }
    }

    private static string Listing(string name)
    {
        string text = File.ReadAllText(Path.Combine(GoldenDirectory, name + ".wat"));
        ModuleInfo module = ModuleLoader.DecodeAndValidate(WatParser.ParseModule(text, name + ".wat", emitNames: true));
        CompilerOptions options = OptionsFor(name);
        // Each file shows one thing: calls stay calls except in inlining.wat.
        OptimizingPasses passes = name == "inlining" ? OptimizingPasses.All : OptimizingPasses.All & ~OptimizingPasses.Inlining;
        var compiler = new OptimizingCompiler { Verify = true, Passes = passes };
        var output = new StringBuilder();
        for (int i = 0; i < module.Bodies.Count; i++)
        {
            uint index = (uint)(module.ImportedFunctionCount + i);
            output.Append($";; func[{index}] ${module.FunctionName(index)} {module.FunctionType(index)}\n");
            foreach (string line in OptimizingCompiler.OptimizedIr(module, index, options, passes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                output.Append(";; ").Append(line).Append('\n');
            }
            CompileResult result = compiler.Compile(module, index, options);
            Assert.That(result.Failure, Is.Null, $"{name} function {index}");
            output.Append(Engine.CodeGen.X64.CodeListing.Format(result.Function!).ReplaceLineEndings("\n")).Append('\n');
        }
        return output.ToString();
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(end)", y = i < b.Length ? b[i] : "(end)";
            if (x != y)
            {
                return $"line {i + 1}:\n  expected: {x}\n  actual:   {y}";
            }
        }
        return "(no difference)";
    }
}
