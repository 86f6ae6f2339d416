namespace Engine.Cli;

/// <summary>The <c>wasm-engine</c> command line: <c>run</c>, <c>validate</c>, <c>wast</c>.</summary>
internal static class Program
{
    private static int Main(string[] args) => CommandLine.Run(args, Console.Out, Console.Error);
}
