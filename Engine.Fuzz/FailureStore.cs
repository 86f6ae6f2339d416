using System.Security.Cryptography;
using System.Text;

namespace Engine.Fuzz;

/// <summary>
/// The folder of reproducers: for each distinct failure signature, the first input that showed it
/// (<c>TARGET-HASH.EXT</c>) and a description next to it (<c>TARGET-HASH.txt</c>: the one-line description,
/// the signature, where the case came from and how to replay it). Later inputs with a known signature are only
/// counted (with keepAll, each is saved too, as <c>TARGET-HASH-INPUTHASH.EXT</c>: a signature is coarse, so one bug
/// seen often can hide another of the same signature). Signatures already in the folder (from earlier runs) count as known.
/// </summary>
public sealed class FailureStore
{
    private readonly string? _directory;
    private readonly bool _keepAll;
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>
    /// Uses <paramref name="directory"/> (created when the first failure is saved); null keeps nothing on disk.
    /// <paramref name="keepAll"/> saves every failing input, not only the first of each signature.
    /// </summary>
    public FailureStore(string? directory, bool keepAll = false)
    {
        _directory = directory;
        _keepAll = keepAll;
        if (directory is not null && Directory.Exists(directory))
        {
            foreach (string file in Directory.GetFiles(directory, "*.txt"))
            {
                string? signature = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("signature: ", StringComparison.Ordinal));
                if (signature is not null)
                {
                    _known.Add(signature["signature: ".Length..]);
                }
            }
        }
    }

    /// <summary>Failures in this run, with duplicates.</summary>
    public int Total { get; private set; }

    /// <summary>The distinct signatures seen in this run and how often each came.</summary>
    public IReadOnlyDictionary<string, int> Signatures => _seen;

    /// <summary>The reproducers written in this run.</summary>
    public List<string> Saved { get; } = [];

    /// <summary>The first description of each signature seen in this run.</summary>
    public Dictionary<string, string> Descriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>The file stem for a signature: target and a short hash.</summary>
    public static string StemOf(string target, string signature) =>
        $"{target}-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(signature)))[..12].ToLowerInvariant()}";

    /// <summary>Records a failure; saves the input when its signature is new. Returns the reproducer's path, or null.</summary>
    public string? Add(FuzzTarget target, Finding finding, byte[] input, string origin)
    {
        Total++;
        bool first = !_seen.ContainsKey(finding.Signature);
        _seen[finding.Signature] = _seen.GetValueOrDefault(finding.Signature) + 1;
        if (first)
        {
            Descriptions[finding.Signature] = finding.Description;
        }
        if (_directory is null || (!_keepAll && (!first || _known.Contains(finding.Signature))))
        {
            return null;
        }
        Directory.CreateDirectory(_directory);
        string stem = Path.Combine(_directory, StemOf(target.Name, finding.Signature));
        if (_keepAll && (!first || _known.Contains(finding.Signature)))
        {
            stem += "-" + Convert.ToHexString(SHA256.HashData(input))[..8].ToLowerInvariant();
        }
        string inputPath = stem + target.Extension;
        File.WriteAllBytes(inputPath, input);
        File.WriteAllText(stem + ".txt",
            $"{finding.Description}\n" +
            $"signature: {finding.Signature}\n" +
            $"case: {origin}\n" +
            $"replay: dotnet run -c Release --project Engine.Fuzz -- replay {target.Name} {inputPath}\n");
        Saved.Add(inputPath);
        return inputPath;
    }
}
