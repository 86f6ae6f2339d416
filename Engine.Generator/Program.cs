namespace Engine.Generator;

internal static class Program
{
    private static int Main(string[] args)
    {
        string root = args.Length > 0 ? args[0] : FindRoot(Directory.GetCurrentDirectory());
        string table = Path.Combine(root, "Engine.Core", "Operators", "operators.txt");
        string outDir = Path.Combine(root, "Engine.Core", "Operators", "Generated");
        Directory.CreateDirectory(outDir);
        foreach (var (name, content) in OperatorGenerator.Generate(File.ReadAllText(table)))
        {
            File.WriteAllText(Path.Combine(outDir, name), content);
            Console.WriteLine($"wrote {Path.Combine(outDir, name)}");
        }
        return 0;
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
