namespace Engine.Generator;

internal static class Program
{
    private static int Main(string[] args)
    {
        string root = args.Length > 0 ? args[0] : FindRoot(Directory.GetCurrentDirectory());
        Write(OperatorGenerator.Generate(File.ReadAllText(OperatorTablePath(root))), Path.Combine(root, "Engine.Core", "Operators", "Generated"));
        Write(InstructionGenerator.Generate(File.ReadAllText(InstructionTablePath(root)), File.ReadAllText(OperatorTablePath(root))), Path.Combine(root, "Engine.Interpreter", "Generated"));
        Write(new Dictionary<string, string> { [TypedOverloadGenerator.FileName] = TypedOverloadGenerator.Generate() }, Path.Combine(root, "Engine.Runtime"));
        return 0;
    }

    /// <summary>The wasm operator table.</summary>
    public static string OperatorTablePath(string root) => Path.Combine(root, "Engine.Core", "Operators", "operators.txt");

    /// <summary>The interpreter's instruction table.</summary>
    public static string InstructionTablePath(string root) => Path.Combine(root, "Engine.Interpreter", "Instructions.def");

    private static void Write(IEnumerable<KeyValuePair<string, string>> files, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(directory, name), content);
            Console.WriteLine($"wrote {Path.Combine(directory, name)}");
        }
    }

    private static string FindRoot(string dir)
    {
        for (string? d = dir; d != null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "Engine.sln")))
            {
                return d;
            }
        }
        throw new InvalidOperationException("run from inside the repository (Engine.sln not found)");
    }
}
