namespace Engine.Fuzz;

/// <summary>
/// Damages a wasm binary the ways decoders get hurt: bit flips, bytes inserted, deleted or set to boundary
/// values, LEB128 numbers re-encoded (overlong, off by one, huge), whole sections deleted, duplicated,
/// swapped or spliced in from another module, and truncation.
/// </summary>
public static class BinaryMutator
{
    private static readonly byte[] s_interestingBytes = [0x00, 0x01, 0x02, 0x0B, 0x40, 0x60, 0x6F, 0x70, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F, 0x80, 0xFC, 0xFD, 0xFF];

    /// <summary>Applies one to four mutations; <paramref name="donor"/> gives sections to splice in.</summary>
    public static byte[] Mutate(byte[] original, byte[] donor, Random random)
    {
        byte[] bytes = original;
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++)
        {
            bytes = MutateOnce(bytes, donor, random);
        }
        return bytes;
    }

    private static byte[] MutateOnce(byte[] bytes, byte[] donor, Random random)
    {
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }
        int at = random.Next(bytes.Length);
        switch (random.Next(12))
        {
            case 0:
            {
                byte[] copy = (byte[])bytes.Clone();
                copy[at] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 1:
            {
                byte[] copy = (byte[])bytes.Clone();
                copy[at] = s_interestingBytes[random.Next(s_interestingBytes.Length)];
                return copy;
            }
            case 2:
                return [.. bytes.AsSpan(0, at), (byte)random.Next(256), .. bytes.AsSpan(at)];
            case 3:
            {
                int length = Math.Min(bytes.Length - at, 1 + random.Next(random.Next(2) == 0 ? 2 : 16));
                return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + length)];
            }
            case 4:
            {
                // Duplicate a run of bytes in place.
                int length = Math.Min(bytes.Length - at, 1 + random.Next(16));
                return [.. bytes.AsSpan(0, at + length), .. bytes.AsSpan(at, length), .. bytes.AsSpan(at + length)];
            }
            case 5:
                return bytes[..random.Next(bytes.Length)];
            case 6:
            case 7:
                return MutateLeb(bytes, LebPosition(bytes, random), random);
            default:
                return MutateSections(bytes, donor, random);
        }
    }

    /// <summary>A position that probably starts a LEB128 number: a section's size, or a random byte.</summary>
    private static int LebPosition(byte[] bytes, Random random)
    {
        List<Section>? sections = Sections(bytes);
        if (sections is { Count: > 0 } && random.Next(2) == 0)
        {
            Section section = sections[random.Next(sections.Count)];
            // The size, or the item count that starts most section contents.
            return random.Next(2) == 0 ? section.Start + 1 : section.ContentStart;
        }
        return random.Next(bytes.Length);
    }

    /// <summary>Reads the LEB128 at <paramref name="at"/> and writes it back changed.</summary>
    private static byte[] MutateLeb(byte[] bytes, int at, Random random)
    {
        if (at >= bytes.Length)
        {
            return bytes;
        }
        ulong value = 0;
        int length = 0;
        for (int shift = 0; at + length < bytes.Length && length < 10; shift += 7)
        {
            byte b = bytes[at + length++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        ulong changed = random.Next(8) switch
        {
            0 => value + 1,
            1 => value - 1,
            2 => 0,
            3 => 0xFFFFFFFF,
            4 => 0x7FFFFFFF,
            5 => value * 2 + 1,
            6 => (ulong)random.Next(1 << 14),
            _ => value,
        };
        int padding = random.Next(3) == 0 ? random.Next(1, 6) : 0;
        return [.. bytes.AsSpan(0, at), .. Leb(changed, padding), .. bytes.AsSpan(at + length)];
    }

    /// <summary>Unsigned LEB128, with <paramref name="padding"/> extra continuation bytes (an overlong encoding).</summary>
    public static byte[] Leb(ulong value, int padding = 0)
    {
        var result = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            result.Add((byte)(b | (value != 0 || padding > 0 ? 0x80 : 0)));
        }
        while (value != 0);
        for (int i = 0; i < padding; i++)
        {
            result.Add((byte)(i == padding - 1 ? 0x00 : 0x80));
        }
        return [.. result];
    }

    private static byte[] MutateSections(byte[] bytes, byte[] donor, Random random)
    {
        List<Section>? sections = Sections(bytes);
        if (sections is null || sections.Count == 0)
        {
            return bytes;
        }
        List<byte[]> parts = sections.Select(s => bytes[s.Start..s.End]).ToList();
        int index = random.Next(parts.Count);
        switch (random.Next(5))
        {
            case 0:
                parts.RemoveAt(index);
                break;
            case 1:
                parts.Insert(index, parts[index]);
                break;
            case 2:
            {
                int other = random.Next(parts.Count);
                (parts[index], parts[other]) = (parts[other], parts[index]);
                break;
            }
            default:
            {
                List<Section>? donorSections = Sections(donor);
                if (donorSections is null || donorSections.Count == 0)
                {
                    return bytes;
                }
                Section given = donorSections[random.Next(donorSections.Count)];
                byte[] part = donor[given.Start..given.End];
                // Replace the section of the same id when there is one, else put it in at a random place.
                int same = sections.FindIndex(s => s.Id == given.Id);
                if (same >= 0 && random.Next(3) != 0)
                {
                    parts[same] = part;
                }
                else
                {
                    parts.Insert(random.Next(parts.Count + 1), part);
                }
                break;
            }
        }
        return [.. bytes.AsSpan(0, 8), .. parts.SelectMany(p => p)];
    }

    /// <summary>A section: its id and its bytes [Start, End) (id, size and content).</summary>
    public readonly record struct Section(byte Id, int Start, int ContentStart, int End);

    /// <summary>The sections of a binary, or null when its framing is already broken.</summary>
    public static List<Section>? Sections(byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            return null;
        }
        var sections = new List<Section>();
        int at = 8;
        while (at < bytes.Length)
        {
            int start = at;
            byte id = bytes[at++];
            ulong size = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (at >= bytes.Length || shift > 28)
                {
                    return null;
                }
                byte b = bytes[at++];
                size |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }
            if (size > (ulong)(bytes.Length - at))
            {
                return null;
            }
            sections.Add(new Section(id, start, at, at + (int)size));
            at += (int)size;
        }
        return sections;
    }
}
