namespace Engine.Core;

/// <summary>
/// Decodes the <c>name</c> custom section (module, function and local names). The spec lets an
/// engine ignore a malformed name section, so a bad one yields what was read before the error.
/// </summary>
internal static class NameSectionDecoder
{
    public static NameSection? TryDecode(byte[] bytes, int start, int end)
    {
        var names = new NameSection();
        try
        {
            var reader = new WasmReader(bytes, start, end);
            while (!reader.AtEnd)
            {
                byte id = reader.ReadByte();
                uint size = reader.ReadVarU32();
                if (size > (uint)(reader.End - reader.Position))
                {
                    break;
                }
                int subEnd = reader.Position + (int)size;
                var sub = new WasmReader(bytes, reader.Position, subEnd);
                switch (id)
                {
                    case 0:
                        names.ModuleName = sub.ReadName();
                        break;
                    case 1:
                        ReadNameMap(ref sub, names.FunctionNames);
                        break;
                    case 2:
                        uint count = sub.ReadCount();
                        for (uint i = 0; i < count; i++)
                        {
                            uint function = sub.ReadVarU32();
                            var locals = new Dictionary<uint, string>();
                            ReadNameMap(ref sub, locals);
                            names.LocalNames[function] = locals;
                        }
                        break;
                }
                reader.Position = subEnd;
            }
        }
        catch (MalformedModuleException)
        {
            // Keep what was decoded: names are only for diagnostics.
        }
        return names;
    }

    private static void ReadNameMap(ref WasmReader reader, Dictionary<uint, string> map)
    {
        uint count = reader.ReadCount();
        for (uint i = 0; i < count; i++)
        {
            uint index = reader.ReadVarU32();
            map[index] = reader.ReadName();
        }
    }
}
