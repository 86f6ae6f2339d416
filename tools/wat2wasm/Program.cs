// wat2wasm IN.wat OUT.wasm: parses a module in the text format with Engine.Text and writes its binary form.
using Engine.Text;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: wat2wasm IN.wat OUT.wasm");
    return 2;
}
try
{
    File.WriteAllBytes(args[1], WatParser.ParseModule(File.ReadAllText(args[0]), args[0]));
    return 0;
}
catch (TextFormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
