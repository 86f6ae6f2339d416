using Engine.Core;
using NUnit.Framework;

namespace Engine.Tests.Foundation;

/// <summary>
/// Feeds truncated, bit-flipped and byte-inserted variants of every module of the spec suite through
/// decode and validate: only success or our two exception types may come out, whatever the input.
/// </summary>
[TestFixture]
public sealed class DecoderMutationTests
{
    private const int VariantsPerKind = 3;

    [Test]
    public void OnlyOurExceptionTypesEscapeDecodeAndValidate()
    {
        string[] files = Directory.GetFiles(Path.Combine(TestPaths.TestSuite, "json"), "*.wasm", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        var random = new Random(20261130);
        int variants = 0, accepted = 0, malformed = 0, invalid = 0;
        foreach (string file in files)
        {
            byte[] original = File.ReadAllBytes(file);
            foreach (byte[] variant in Mutations(original, random))
            {
                variants++;
                try
                {
                    ModuleLoader.DecodeAndValidate(variant);
                    accepted++;
                }
                catch (MalformedModuleException e)
                {
                    malformed++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{file}: offset outside the binary");
                }
                catch (InvalidModuleException e)
                {
                    invalid++;
                    Assert.That(e.Offset, Is.InRange(0, variant.Length), $"{file}: offset outside the binary");
                }
                catch (Exception e)
                {
                    Assert.Fail($"{Path.GetFileName(file)}: {e.GetType().Name} escaped for a mutated binary: {e}");
                }
            }
        }
        TestContext.Out.WriteLine($"{variants} variants of {files.Length} modules: {accepted} accepted, {malformed} malformed, {invalid} invalid");
        Assert.That(variants, Is.GreaterThan(10_000));
        Assert.That(malformed, Is.GreaterThan(0));
        Assert.That(invalid, Is.GreaterThan(0));
    }

    private static IEnumerable<byte[]> Mutations(byte[] original, Random random)
    {
        if (original.Length == 0)
        {
            yield break;
        }
        for (int i = 0; i < VariantsPerKind; i++)
        {
            yield return original[..random.Next(original.Length)];

            byte[] flipped = (byte[])original.Clone();
            int at = random.Next(flipped.Length);
            flipped[at] ^= (byte)(1 << random.Next(8));
            yield return flipped;

            int insertAt = random.Next(original.Length + 1);
            byte[] inserted = new byte[original.Length + 1];
            original.AsSpan(0, insertAt).CopyTo(inserted);
            inserted[insertAt] = (byte)random.Next(256);
            original.AsSpan(insertAt).CopyTo(inserted.AsSpan(insertAt + 1));
            yield return inserted;
        }
    }
}
