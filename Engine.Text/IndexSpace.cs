
namespace Engine.Text;

/// <summary>
/// The identifiers bound in one index space of a module (types, functions, tables, memories, globals,
/// element segments, data segments) or of a function (locals). Lookups take spans, so resolving a
/// <c>$name</c> allocates nothing.
/// </summary>
internal sealed class IndexSpace
{
    private readonly Dictionary<string, uint> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public IndexSpace(string kind)
    {
        Kind = kind;
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>What the space indexes, as the spec's messages name it ("func", "local", ...).</summary>
    public string Kind { get; }

    /// <summary>The number of entries, named or not.</summary>
    public uint Count { get; private set; }

    /// <summary>Adds an entry, binding <paramref name="id"/> when not empty; false when the id is already bound.</summary>
    public bool TryAdd(ReadOnlySpan<char> id)
    {
        if (!id.IsEmpty && !_lookup.TryAdd(id, Count))
        {
            return false;
        }
        Count++;
        return true;
    }

    public bool TryResolve(ReadOnlySpan<char> id, out uint index) => _lookup.TryGetValue(id, out index);

    /// <summary>The bound identifiers and their indices.</summary>
    public IEnumerable<(uint Index, string Id)> Entries => _names.Select(pair => (pair.Value, pair.Key));

    public void Clear()
    {
        _names.Clear();
        Count = 0;
    }
}
