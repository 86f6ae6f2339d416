namespace Engine.Core;

/// <summary>A WebAssembly value type; the numeric value is its binary encoding.</summary>
public enum ValType : byte
{
    /// <summary>Not a value type: the "unknown" operand of unreachable code in validation.</summary>
    Bottom = 0,
    /// <summary>32-bit integer.</summary>
    I32 = 0x7F,
    /// <summary>64-bit integer.</summary>
    I64 = 0x7E,
    /// <summary>32-bit IEEE float.</summary>
    F32 = 0x7D,
    /// <summary>64-bit IEEE float.</summary>
    F64 = 0x7C,
    /// <summary>128-bit vector.</summary>
    V128 = 0x7B,
    /// <summary>Nullable reference to a function.</summary>
    FuncRef = 0x70,
    /// <summary>Nullable opaque reference to a host object.</summary>
    ExternRef = 0x6F,
}

/// <summary>Helpers over <see cref="ValType"/>.</summary>
public static class ValTypeExtensions
{
    /// <summary>True for funcref and externref.</summary>
    public static bool IsReference(this ValType type) => type is ValType.FuncRef or ValType.ExternRef;

    /// <summary>True for i32, i64, f32, f64.</summary>
    public static bool IsNumeric(this ValType type) => type is ValType.I32 or ValType.I64 or ValType.F32 or ValType.F64;

    /// <summary>The text-format name: i32, i64, f32, f64, v128, funcref, externref.</summary>
    public static string ToWatName(this ValType type) => type switch
    {
        ValType.I32 => "i32",
        ValType.I64 => "i64",
        ValType.F32 => "f32",
        ValType.F64 => "f64",
        ValType.V128 => "v128",
        ValType.FuncRef => "funcref",
        ValType.ExternRef => "externref",
        _ => "unknown",
    };

    /// <summary>The value type a text-format name stands for (the inverse of <see cref="ToWatName"/>); false for any other text.</summary>
    public static bool TryParseWatName(ReadOnlySpan<char> name, out ValType type)
    {
        type = name switch
        {
            "i32" => ValType.I32,
            "i64" => ValType.I64,
            "f32" => ValType.F32,
            "f64" => ValType.F64,
            "v128" => ValType.V128,
            "funcref" => ValType.FuncRef,
            "externref" => ValType.ExternRef,
            _ => ValType.Bottom,
        };
        return type != ValType.Bottom;
    }
}
