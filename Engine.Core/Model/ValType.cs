namespace Engine.Core;

/// <summary>
/// A WebAssembly value type, in one 32-bit word so that it stays a plain enum everywhere it flows (operand stacks,
/// signatures, slots). Numeric types and the 2.0 reference types are their one-byte binary encoding, unchanged; the
/// reference types of 3.0 (<c>(ref null? ht)</c>) are built by <see cref="RefTypes"/>:
/// <code>
///  bits 0-7   numeric type code (0x7F i32 ... 0x7B v128), or for a reference the heap type:
///             an abstract heap type's binary code (0x70 func, 0x6F extern, 0x6E any, 0x6D eq, 0x6C i31,
///             0x6B struct, 0x6A array, 0x69 exn, 0x74 noexn, 0x73 nofunc, 0x72 noextern, 0x71 none),
///             or <see cref="RefTypes.ConcreteCode"/> for a type index
///  bit 8      set: non-nullable (<c>(ref ht)</c>); clear: nullable (<c>(ref null ht)</c>)
///  bits 9-31  the type index of a concrete heap type (relative to the module that wrote it)
/// </code>
/// So <c>funcref</c> = <c>(ref null func)</c> = 0x70 and <c>externref</c> = 0x6F as before, and two types are equal
/// exactly when their words are. Type indices are module-relative: across modules, types are compared through the
/// engine's canonical ids (<see cref="TypeRegistry"/>). The GC proposal's types fit the same word (their heap types
/// are already codes here; a concrete struct or array type is a type index like a function type).
/// </summary>
public enum ValType : uint
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
    /// <summary>Nullable reference to a function: <c>(ref null func)</c>.</summary>
    FuncRef = 0x70,
    /// <summary>Nullable opaque reference to a host object: <c>(ref null extern)</c>.</summary>
    ExternRef = 0x6F,
}

/// <summary>The abstract heap types, by their binary codes (the low byte of a reference <see cref="ValType"/>).</summary>
public enum AbstractHeapType : byte
{
    /// <summary>Every function reference.</summary>
    Func = 0x70,
    /// <summary>Every host reference.</summary>
    Extern = 0x6F,
    /// <summary>GC: every internal reference.</summary>
    Any = 0x6E,
    /// <summary>GC: references comparable with ref.eq.</summary>
    Eq = 0x6D,
    /// <summary>GC: unboxed 31-bit integers.</summary>
    I31 = 0x6C,
    /// <summary>GC: every struct.</summary>
    Struct = 0x6B,
    /// <summary>GC: every array.</summary>
    Array = 0x6A,
    /// <summary>Exception references.</summary>
    Exn = 0x69,
    /// <summary>The bottom of the exception hierarchy (only null).</summary>
    NoExn = 0x74,
    /// <summary>The bottom of the function hierarchy (only null).</summary>
    NoFunc = 0x73,
    /// <summary>The bottom of the extern hierarchy (only null).</summary>
    NoExtern = 0x72,
    /// <summary>GC: the bottom of the internal hierarchy (only null).</summary>
    None = 0x71,
}

/// <summary>Building and taking apart the reference types of <see cref="ValType"/>.</summary>
public static class RefTypes
{
    /// <summary>The low byte of a reference to a concrete (indexed) heap type.</summary>
    public const uint ConcreteCode = 0x01;

    /// <summary>The bit of a non-nullable reference type.</summary>
    public const uint NonNullBit = 0x100;

    private const int IndexShift = 9;

    /// <summary>The largest type index a <see cref="ValType"/> can hold.</summary>
    public const uint MaxTypeIndex = (1u << (32 - IndexShift)) - 1;

    /// <summary><c>(ref null? ht)</c> of an abstract heap type.</summary>
    public static ValType Ref(AbstractHeapType heap, bool nullable) => (ValType)((uint)heap | (nullable ? 0 : NonNullBit));

    /// <summary><c>(ref null? $t)</c> of a type index.</summary>
    public static ValType Ref(uint typeIndex, bool nullable)
    {
        if (typeIndex > MaxTypeIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(typeIndex), typeIndex, "type index too large for a reference type");
        }
        return (ValType)(ConcreteCode | (typeIndex << IndexShift) | (nullable ? 0 : NonNullBit));
    }

    /// <summary>True for <paramref name="code"/> the binary code of an abstract heap type.</summary>
    public static bool IsAbstractHeapCode(byte code) => code is >= 0x69 and <= 0x74;

    /// <summary>True for every reference type.</summary>
    public static bool IsRef(ValType type) => ((uint)type & 0xFF) is ConcreteCode or (>= 0x69 and <= 0x74);

    /// <summary>True for a nullable reference type.</summary>
    public static bool IsNullable(this ValType type) => IsRef(type) && ((uint)type & NonNullBit) == 0;

    /// <summary>The same reference type, nullable or not.</summary>
    public static ValType WithNullable(this ValType type, bool nullable) =>
        (ValType)(nullable ? (uint)type & ~NonNullBit : (uint)type | NonNullBit);

    /// <summary>True for a reference to a type index (<c>(ref null? $t)</c>).</summary>
    public static bool IsConcrete(this ValType type) => ((uint)type & 0xFF) == ConcreteCode;

    /// <summary>The type index of a concrete reference type.</summary>
    public static uint TypeIndex(this ValType type) => (uint)type >> IndexShift;

    /// <summary>The abstract heap type of an abstract reference type.</summary>
    public static AbstractHeapType AbstractHeap(this ValType type) => (AbstractHeapType)((uint)type & 0xFF);

    /// <summary>True for a reference to a type index (as a predicate over value types).</summary>
    public static bool IsConcreteRef(ValType type) => type.IsConcrete();

    /// <summary>True for a reference type that 2.0 does not have (a typed reference of 3.0).</summary>
    public static bool IsTyped(ValType type) => IsRef(type) && type is not (ValType.FuncRef or ValType.ExternRef);

    /// <summary>True for the value types of WebAssembly 2.0 (numeric, v128, funcref, externref).</summary>
    public static bool IsWasm2(this ValType type) => type is ValType.I32 or ValType.I64 or ValType.F32 or ValType.F64
        or ValType.V128 or ValType.FuncRef or ValType.ExternRef;

    /// <summary>
    /// The type as the tiers represent its values: numeric types as themselves; a reference as the nullable top of its
    /// hierarchy, which fixes its representation (<c>funcref</c>: a VMFuncRef address; <c>externref</c> and <c>exnref</c>: a
    /// counted box).
    /// Concrete heap types are function types until the GC proposal, whose struct and array types will need the module's
    /// type section here.
    /// </summary>
    public static ValType Erased(this ValType type)
    {
        if (!IsRef(type))
        {
            return type;
        }
        return type.IsConcrete() ? ValType.FuncRef : type.AbstractHeap() switch
        {
            AbstractHeapType.Func or AbstractHeapType.NoFunc => ValType.FuncRef,
            AbstractHeapType.Extern or AbstractHeapType.NoExtern => ValType.ExternRef,
            // An exnref is a counted box of the exception (a TagException), exactly like an externref's: the collector,
            // tables, globals and stack maps treat both alike.
            AbstractHeapType.Exn or AbstractHeapType.NoExn => ValType.ExternRef,
            AbstractHeapType heap => Ref(heap is AbstractHeapType.NoExn ? AbstractHeapType.Exn : heap is AbstractHeapType.None or
                AbstractHeapType.Eq or AbstractHeapType.I31 or AbstractHeapType.Struct or AbstractHeapType.Array ? AbstractHeapType.Any : heap, nullable: true),
        };
    }

    /// <summary>The text-format name of a heap type: <c>func</c>, <c>extern</c>, ..., or the type index.</summary>
    public static string HeapName(this ValType type) => type.IsConcrete() ? type.TypeIndex().ToString(System.Globalization.CultureInfo.InvariantCulture) : type.AbstractHeap() switch
    {
        AbstractHeapType.Func => "func",
        AbstractHeapType.Extern => "extern",
        AbstractHeapType.Any => "any",
        AbstractHeapType.Eq => "eq",
        AbstractHeapType.I31 => "i31",
        AbstractHeapType.Struct => "struct",
        AbstractHeapType.Array => "array",
        AbstractHeapType.Exn => "exn",
        AbstractHeapType.NoExn => "noexn",
        AbstractHeapType.NoFunc => "nofunc",
        AbstractHeapType.NoExtern => "noextern",
        AbstractHeapType.None => "none",
        _ => "unknown",
    };

    /// <summary>The abstract heap type a text-format keyword names; false for any other text.</summary>
    public static bool TryParseHeapName(ReadOnlySpan<char> name, out AbstractHeapType heap)
    {
        (bool ok, heap) = name switch
        {
            "func" => (true, AbstractHeapType.Func),
            "extern" => (true, AbstractHeapType.Extern),
            "any" => (true, AbstractHeapType.Any),
            "eq" => (true, AbstractHeapType.Eq),
            "i31" => (true, AbstractHeapType.I31),
            "struct" => (true, AbstractHeapType.Struct),
            "array" => (true, AbstractHeapType.Array),
            "exn" => (true, AbstractHeapType.Exn),
            "noexn" => (true, AbstractHeapType.NoExn),
            "nofunc" => (true, AbstractHeapType.NoFunc),
            "noextern" => (true, AbstractHeapType.NoExtern),
            "none" => (true, AbstractHeapType.None),
            _ => (false, default),
        };
        return ok;
    }
}

/// <summary>Helpers over <see cref="ValType"/>.</summary>
public static class ValTypeExtensions
{
    /// <summary>True for every reference type (funcref, externref and the typed references of 3.0).</summary>
    public static bool IsReference(this ValType type) => RefTypes.IsRef(type);

    /// <summary>True for i32, i64, f32, f64.</summary>
    public static bool IsNumeric(this ValType type) => type is ValType.I32 or ValType.I64 or ValType.F32 or ValType.F64;

    /// <summary>The text-format name: i32, i64, f32, f64, v128, funcref, externref, or <c>(ref null? ht)</c>.</summary>
    public static string ToWatName(this ValType type) => type switch
    {
        ValType.I32 => "i32",
        ValType.I64 => "i64",
        ValType.F32 => "f32",
        ValType.F64 => "f64",
        ValType.V128 => "v128",
        ValType.FuncRef => "funcref",
        ValType.ExternRef => "externref",
        _ when RefTypes.IsRef(type) => type.IsNullable() ? $"(ref null {type.HeapName()})" : $"(ref {type.HeapName()})",
        _ => "unknown",
    };

    /// <summary>The value type a one-word text-format name stands for (the inverse of <see cref="ToWatName"/> for them); false for any other text.</summary>
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
            "anyref" => RefTypes.Ref(AbstractHeapType.Any, nullable: true),
            "eqref" => RefTypes.Ref(AbstractHeapType.Eq, nullable: true),
            "i31ref" => RefTypes.Ref(AbstractHeapType.I31, nullable: true),
            "structref" => RefTypes.Ref(AbstractHeapType.Struct, nullable: true),
            "arrayref" => RefTypes.Ref(AbstractHeapType.Array, nullable: true),
            "exnref" => RefTypes.Ref(AbstractHeapType.Exn, nullable: true),
            "nullexnref" => RefTypes.Ref(AbstractHeapType.NoExn, nullable: true),
            "nullfuncref" => RefTypes.Ref(AbstractHeapType.NoFunc, nullable: true),
            "nullexternref" => RefTypes.Ref(AbstractHeapType.NoExtern, nullable: true),
            "nullref" => RefTypes.Ref(AbstractHeapType.None, nullable: true),
            _ => ValType.Bottom,
        };
        return type != ValType.Bottom;
    }
}
