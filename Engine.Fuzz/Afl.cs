using System.Text;
using Engine.Core;
using Engine.Text;
using SharpFuzz;

namespace Engine.Fuzz;

/// <summary>
/// Coverage-guided fuzzing with afl-fuzz through SharpFuzz (<c>Engine.Fuzz/afl.sh</c> instruments the assemblies
/// and starts afl-fuzz on <c>wasm-fuzz afl TARGET</c>): each input afl-fuzz makes goes through the decoder and
/// validator (<c>decode</c>) or the text parser and then the validator (<c>text</c>); only the engine's typed
/// errors are caught, so anything else is a crash for afl-fuzz.
/// </summary>
public static class Afl
{
    /// <summary>Serves afl-fuzz until it stops us; returns 2 for an unknown target.</summary>
    public static int Run(string target)
    {
        Action<Stream>? body = target switch
        {
            "decode" => stream =>
            {
                try
                {
                    ModuleLoader.DecodeAndValidate(ReadAll(stream));
                }
                catch (MalformedModuleException)
                {
                }
                catch (InvalidModuleException)
                {
                }
            },
            "text" => stream =>
            {
                try
                {
                    ModuleLoader.DecodeAndValidate(WatParser.ParseModule(Encoding.UTF8.GetString(ReadAll(stream))));
                }
                catch (TextFormatException)
                {
                }
                catch (MalformedModuleException)
                {
                }
                catch (InvalidModuleException)
                {
                }
            },
            _ => null,
        };
        if (body is null)
        {
            Console.Error.WriteLine($"wasm-fuzz afl: unknown target '{target}' (decode, text)");
            return 2;
        }
        Fuzzer.OutOfProcess.Run(body);
        return 0;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
