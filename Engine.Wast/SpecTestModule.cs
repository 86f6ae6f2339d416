using Engine.Core;
using Engine.Runtime;

namespace Engine.Wast;

/// <summary>
/// The spec interpreter's <c>spectest</c> host module: print functions that do nothing visible,
/// globals of 666, a funcref table of 10..20 elements and a memory of 1..2 pages.
/// </summary>
public static class SpecTestModule
{
    /// <summary>Defines <c>spectest</c> in <paramref name="linker"/>, with its table, memory and globals in <paramref name="store"/>.</summary>
    public static void Define(Linker linker, Store store)
    {
        static void Print(Caller caller, ReadOnlySpan<Value> arguments, Span<Value> results) { }
        linker.DefineFunction("spectest", "print", new FuncType([], []), Print);
        linker.DefineFunction("spectest", "print_i32", new FuncType([ValType.I32], []), Print);
        linker.DefineFunction("spectest", "print_i64", new FuncType([ValType.I64], []), Print);
        linker.DefineFunction("spectest", "print_f32", new FuncType([ValType.F32], []), Print);
        linker.DefineFunction("spectest", "print_f64", new FuncType([ValType.F64], []), Print);
        linker.DefineFunction("spectest", "print_i32_f32", new FuncType([ValType.I32, ValType.F32], []), Print);
        linker.DefineFunction("spectest", "print_f64_f64", new FuncType([ValType.F64, ValType.F64], []), Print);
        linker.Define("spectest", "global_i32", new Global(store, new GlobalType(ValType.I32, false), Value.I32(666)));
        linker.Define("spectest", "global_i64", new Global(store, new GlobalType(ValType.I64, false), Value.I64(666)));
        linker.Define("spectest", "global_f32", new Global(store, new GlobalType(ValType.F32, false), Value.F32Bits(0x4426A666)));
        linker.Define("spectest", "global_f64", new Global(store, new GlobalType(ValType.F64, false), Value.F64Bits(0x4084D4CCCCCCCCCD)));
        linker.Define("spectest", "table", new Table(store, new TableType(ValType.FuncRef, new Limits(10, 20)), Value.FuncRef(null)));
        linker.Define("spectest", "table64", new Table(store, new TableType(ValType.FuncRef, new Limits(10, 20) { Is64 = true }), Value.FuncRef(null)));
        linker.Define("spectest", "memory", new Memory(store, new MemoryType(new Limits(1, 2))));
    }
}
