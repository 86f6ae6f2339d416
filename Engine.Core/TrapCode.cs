namespace Engine.Core;

/// <summary>
/// Every way wasm execution can trap. Shared by all tiers: the interpreter raises these, compiled
/// code records them at trap sites, and the runtime turns them into one trap exception.
/// </summary>
public enum TrapCode : byte
{
    /// <summary>The <c>unreachable</c> instruction ran.</summary>
    Unreachable,
    /// <summary>A load or store outside the linear memory.</summary>
    MemoryOutOfBounds,
    /// <summary>A table access outside the table.</summary>
    TableOutOfBounds,
    /// <summary>An indirect call to a table index past the table's end.</summary>
    UndefinedElement,
    /// <summary>An indirect call through a null table element.</summary>
    UninitializedElement,
    /// <summary>An indirect call whose callee's type differs from the expected one.</summary>
    IndirectCallTypeMismatch,
    /// <summary>Integer division or remainder by zero.</summary>
    IntegerDivideByZero,
    /// <summary>Signed division overflow (INT_MIN / -1).</summary>
    IntegerOverflow,
    /// <summary>A float-to-int conversion of NaN.</summary>
    InvalidConversionToInteger,
    /// <summary>Call depth or native stack exhausted.</summary>
    StackExhausted,
    /// <summary>A null reference where a non-null one is required.</summary>
    NullReference,
    /// <summary>Execution was interrupted from outside (epoch or deadline).</summary>
    Interrupted,
    /// <summary>Fuel metering ran out.</summary>
    OutOfFuel,
    /// <summary><c>call_ref</c> of a null function reference (3.0).</summary>
    NullFunctionReference,
}

/// <summary>The spec interpreter's message for each trap code, as the spec tests expect it.</summary>
public static class TrapCodeExtensions
{
    /// <summary>The message the spec tests use for this trap.</summary>
    public static string Message(this TrapCode code) => code switch
    {
        TrapCode.Unreachable => "unreachable",
        TrapCode.MemoryOutOfBounds => "out of bounds memory access",
        TrapCode.TableOutOfBounds => "out of bounds table access",
        TrapCode.UndefinedElement => "undefined element",
        TrapCode.UninitializedElement => "uninitialized element",
        TrapCode.IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapCode.IntegerDivideByZero => "integer divide by zero",
        TrapCode.IntegerOverflow => "integer overflow",
        TrapCode.InvalidConversionToInteger => "invalid conversion to integer",
        TrapCode.StackExhausted => "call stack exhausted",
        TrapCode.NullReference => "null reference",
        TrapCode.Interrupted => "interrupted",
        TrapCode.OutOfFuel => "all fuel consumed",
        TrapCode.NullFunctionReference => "null function reference",
        _ => "trap",
    };
}
