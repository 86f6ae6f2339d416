using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.CodeGen.X64;
using Engine.Core;

namespace Engine.Runtime.Native;

/// <summary>
/// What compiled code calls in C#, set up once per process: the shared exit stub (native code of every
/// function that is not compiled), the trampoline it enters, the table of builtins (<see cref="BuiltinId"/>), and
/// the stubs that read the processor's features. Every entry point here is <c>[UnmanagedCallersOnly]</c> and catches every
/// exception: an exception becomes the store's pending exception and a non-zero status.
/// </summary>
internal static unsafe class NativeRuntime
{
    // Made when first read: the builtins table with the first instance, the stubs when the first module is set up
    // for compiled code (type initializers rather than Lazy<T>, whose value-type instantiations the program's thread
    // would have to jit).
    private static readonly nint s_builtins = CreateBuiltinsTable();

    /// <summary>
    /// The process's stubs from the shared layer, in one region (one mapping): the exit stub, then XGETBV and CPUID
    /// for <see cref="HostCpu"/>. Made on first use (when a module is first set up for compiled code).
    /// </summary>
    private static class Stubs
    {
        private const int Alignment = 16;

        // SAFETY: the region lives as long as the process (held here); the offsets are where each stub was copied.
        public static readonly CodeRegion Region;
        public static readonly int ReadXcr0Offset;
        public static readonly int CpuidOffset;

        static Stubs()
        {
            delegate* unmanaged<VMStoreContext*, ulong*, VMFuncRef*, int> trampoline = &CallFunction;
            byte[][] parts = [RuntimeStubs.ExitStub((long)trampoline), RuntimeStubs.ReadXcr0(), RuntimeStubs.Cpuid()];
            var code = new List<byte>();
            var offsets = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                offsets[i] = code.Count;
                code.AddRange(parts[i]);
                while (code.Count % Alignment != 0)
                {
                    code.Add(0xCC);
                }
            }
            Region = new CodeRegion(code.ToArray());
            ReadXcr0Offset = offsets[1];
            CpuidOffset = offsets[2];
        }
    }

    /// <summary>
    /// The shared exit stub's address (what VMFuncRef.NativeCode holds until a function is compiled). Made on
    /// first use, when a store first gets compiled code (see <see cref="Store.PrepareForCompiledCode"/>).
    /// </summary>
    public static nint ExitStub => Stubs.Region.Address;

    /// <summary>The builtins table's address (VMContext.Builtins).</summary>
    public static nint BuiltinsTable => s_builtins;

    /// <summary>XCR0, read with XGETBV. Only when CPUID.1:ECX.OSXSAVE is set (XGETBV faults otherwise).</summary>
    public static ulong ReadXcr0()
    {
        // SAFETY: the stub takes nothing, touches only rax, rcx, rdx and returns; its region is never unmapped.
        var stub = (delegate* unmanaged<ulong>)(Stubs.Region.Address + Stubs.ReadXcr0Offset);
        return stub();
    }

    /// <summary>CPUID with a leaf and subleaf, through our own stub (for processes where .NET's X86Base is disabled).</summary>
    public static CpuidResult Cpuid(int leaf, int subleaf)
    {
        int* registers = stackalloc int[4];
        // SAFETY: the stub writes exactly 16 bytes at its third argument (this stack buffer) and restores rbx.
        var stub = (delegate* unmanaged<int, int, int*, void>)(Stubs.Region.Address + Stubs.CpuidOffset);
        stub(leaf, subleaf, registers);
        return new CpuidResult(registers[0], registers[1], registers[2], registers[3]);
    }

    private static nint CreateBuiltinsTable()
    {
        // SAFETY: never freed: the table lives as long as the process, like the methods it points to.
        nint* table = (nint*)NativeMemory.AllocZeroed(Builtins.Count, (nuint)sizeof(nint));
        table[(int)BuiltinId.Trap] = (nint)(delegate* unmanaged<VMContext*, int, int>)&Trap;
        table[(int)BuiltinId.MemoryGrow] = (nint)(delegate* unmanaged<VMContext*, uint, int>)&MemoryGrow;
        table[(int)BuiltinId.MemoryInit] = (nint)(delegate* unmanaged<VMContext*, uint, uint, uint, uint, int>)&MemoryInit;
        table[(int)BuiltinId.DataDrop] = (nint)(delegate* unmanaged<VMContext*, uint, int>)&DataDrop;
        table[(int)BuiltinId.MemoryCopy] = (nint)(delegate* unmanaged<VMContext*, uint, uint, uint, int>)&MemoryCopy;
        table[(int)BuiltinId.MemoryFill] = (nint)(delegate* unmanaged<VMContext*, uint, uint, uint, int>)&MemoryFill;
        table[(int)BuiltinId.TableGrow] = (nint)(delegate* unmanaged<VMContext*, uint, nint, ulong, long>)&TableGrow;
        table[(int)BuiltinId.TableFill] = (nint)(delegate* unmanaged<VMContext*, uint, ulong, nint, ulong, int>)&TableFill;
        table[(int)BuiltinId.TableCopy] = (nint)(delegate* unmanaged<VMContext*, uint, uint, ulong, ulong, ulong, int>)&TableCopy;
        table[(int)BuiltinId.TableInit] = (nint)(delegate* unmanaged<VMContext*, uint, uint, ulong, uint, uint, int>)&TableInit;
        table[(int)BuiltinId.ElemDrop] = (nint)(delegate* unmanaged<VMContext*, uint, int>)&ElemDrop;
        table[(int)BuiltinId.TableSetExternRef] = (nint)(delegate* unmanaged<VMContext*, uint, ulong, nint, int>)&TableSetExternRef;
        table[(int)BuiltinId.GlobalSetExternRef] = (nint)(delegate* unmanaged<VMContext*, uint, nint, int>)&GlobalSetExternRef;
        table[(int)BuiltinId.RootExternRef] = (nint)(delegate* unmanaged<VMContext*, nint, int>)&RootExternRef;
        table[(int)BuiltinId.CheckInterrupt] = (nint)(delegate* unmanaged<VMContext*, int>)&CheckInterrupt;
        table[(int)BuiltinId.TierUp] = (nint)(delegate* unmanaged<VMContext*, uint, int, int>)&TierUp;
        table[(int)BuiltinId.MemoryGrowAny] = (nint)(delegate* unmanaged<VMContext*, uint, ulong, long>)&MemoryGrowAny;
        table[(int)BuiltinId.MemoryFillAny] = (nint)(delegate* unmanaged<VMContext*, uint, ulong, uint, ulong, int>)&MemoryFillAny;
        table[(int)BuiltinId.MemoryCopyAny] = (nint)(delegate* unmanaged<VMContext*, uint, uint, ulong, ulong, ulong, int>)&MemoryCopyAny;
        table[(int)BuiltinId.MemoryInitAny] = (nint)(delegate* unmanaged<VMContext*, uint, uint, ulong, uint, uint, int>)&MemoryInitAny;
        table[(int)BuiltinId.RunTailCall] = (nint)(delegate* unmanaged<VMContext*, ulong*, int>)&RunTailCall;
        table[(int)BuiltinId.IndirectCallSubtype] = (nint)(delegate* unmanaged<VMContext*, VMFuncRef*, uint, nint>)&IndirectCallSubtype;
        table[(int)BuiltinId.Throw] = (nint)(delegate* unmanaged<VMContext*, uint, ulong*, int>)&Throw;
        table[(int)BuiltinId.ThrowRef] = (nint)(delegate* unmanaged<VMContext*, nint, int>)&ThrowRef;
        table[(int)BuiltinId.CatchException] = (nint)(delegate* unmanaged<VMContext*, uint, ulong*, int>)&CatchException;
        return (nint)table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static VMInstance InstanceOf(VMContext* vm) => (VMInstance)GCHandle.FromIntPtr(vm->Instance).Target!;

    /// <summary>
    /// A table index, size or count as compiled code passes it (a 64-bit slot): the low 32 bits for a 32-bit table (the
    /// upper ones are undefined), else the i64 clamped to u32 (past 2^32 - 1 everything is out of any table's bounds).
    /// </summary>
    private static uint TableOperand(VMInstance instance, uint table, ulong value) =>
        instance.Module.Tables[(int)table].Limits.Is64 ? (uint)Math.Min(value, uint.MaxValue) : (uint)value;

    /// <summary>An address or length for memory <paramref name="memory"/>: the low 32 bits for a 32-bit memory (the upper ones are undefined).</summary>
    private static ulong MemoryOperand(VMInstance instance, uint memory, ulong value) =>
        instance.Module.Memories[(int)memory].Limits.Is64 ? value : (uint)value;

    private static int Fail(VMContext* vm, Exception exception)
    {
        NativeContext.From((VMStoreContext*)vm->StoreContext).SetPending(exception);
        return 1;
    }

    // ---- the exit stub's trampoline: compiled code calling anything that is not compiled ----

    [UnmanagedCallersOnly]
    private static int CallFunction(VMStoreContext* storeContext, ulong* args, VMFuncRef* callee)
    {
        try
        {
            var function = (FunctionInstance)GCHandle.FromIntPtr(callee->Function).Target!;
            function.Invoke(new Span<ulong>(args, function.SlotCount));
            return 0;
        }
        catch (Exception e)
        {
            NativeContext.From(storeContext).SetPending(e);
            return 1;
        }
    }

    // ---- builtins ----

    [UnmanagedCallersOnly]
    private static int Trap(VMContext* vm, int code) => Fail(vm, new TrapException((TrapCode)code));

    /// <summary>
    /// The slow path of <c>call_indirect</c> of a non-final type (the exact id compare failed): the callee when its type is
    /// a declared subtype of type <paramref name="typeIndex"/> (as the interpreter's <see cref="VMInstance.IsSubtype"/>), else 0.
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint IndirectCallSubtype(VMContext* vm, VMFuncRef* callee, uint typeIndex)
    {
        try
        {
            int expected = ((int*)vm->TypeIds)[typeIndex];
            return InstanceOf(vm).IsSubtype(callee->TypeId, expected) ? (nint)callee : 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryGrow(VMContext* vm, uint delta)
    {
        try
        {
            return InstanceOf(vm).MemoryGrow(delta);
        }
        catch (Exception)
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static long MemoryGrowAny(VMContext* vm, uint memory, ulong delta)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            return instance.MemoryGrow(memory, MemoryOperand(instance, memory, delta));
        }
        catch (Exception)
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryFillAny(VMContext* vm, uint memory, ulong destination, uint value, ulong length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            instance.MemoryFill(memory, MemoryOperand(instance, memory, destination), (byte)value, MemoryOperand(instance, memory, length));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryCopyAny(VMContext* vm, uint destinationMemory, uint sourceMemory, ulong destination, ulong source, ulong length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            bool both64 = instance.Module.Memories[(int)destinationMemory].Limits.Is64 && instance.Module.Memories[(int)sourceMemory].Limits.Is64;
            instance.MemoryCopy(destinationMemory, sourceMemory, MemoryOperand(instance, destinationMemory, destination),
                MemoryOperand(instance, sourceMemory, source), both64 ? length : (uint)length);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryInitAny(VMContext* vm, uint data, uint memory, ulong destination, uint source, uint length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            instance.MemoryInit(data, memory, MemoryOperand(instance, memory, destination), source, length);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryInit(VMContext* vm, uint data, uint destination, uint source, uint length)
    {
        try
        {
            InstanceOf(vm).MemoryInit(data, destination, source, length);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int DataDrop(VMContext* vm, uint data)
    {
        try
        {
            InstanceOf(vm).DataDrop(data);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MemoryCopy(VMContext* vm, uint destination, uint source, uint length)
    {
        ulong memLength = vm->MemoryLength;
        if ((ulong)destination + length > memLength || (ulong)source + length > memLength)
        {
            return Fail(vm, new TrapException(TrapCode.MemoryOutOfBounds));
        }
        byte* memory = (byte*)vm->MemoryBase;
        // SAFETY: both ranges were checked against the memory's current length.
        Buffer.MemoryCopy(memory + source, memory + destination, length, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int MemoryFill(VMContext* vm, uint destination, uint value, uint length)
    {
        if ((ulong)destination + length > vm->MemoryLength)
        {
            return Fail(vm, new TrapException(TrapCode.MemoryOutOfBounds));
        }
        // SAFETY: the range was checked against the memory's current length.
        NativeMemory.Fill((byte*)vm->MemoryBase + destination, length, (byte)value);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static long TableGrow(VMContext* vm, uint table, nint initial, ulong delta)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            return instance.TableGrow(table, initial, TableOperand(instance, table, delta));
        }
        catch (Exception)
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int TableFill(VMContext* vm, uint table, ulong start, nint value, ulong length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            instance.TableFill(table, TableOperand(instance, table, start), value, TableOperand(instance, table, length));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int TableCopy(VMContext* vm, uint destinationTable, uint sourceTable, ulong destination, ulong source, ulong length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            bool both64 = instance.Module.Tables[(int)destinationTable].Limits.Is64 && instance.Module.Tables[(int)sourceTable].Limits.Is64;
            instance.TableCopy(destinationTable, sourceTable, TableOperand(instance, destinationTable, destination),
                TableOperand(instance, sourceTable, source), both64 ? (uint)Math.Min(length, uint.MaxValue) : (uint)length);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int TableInit(VMContext* vm, uint elem, uint table, ulong destination, uint source, uint length)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            instance.TableInit(elem, table, TableOperand(instance, table, destination), source, length);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int ElemDrop(VMContext* vm, uint elem)
    {
        try
        {
            InstanceOf(vm).ElemDrop(elem);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int TableSetExternRef(VMContext* vm, uint table, ulong index, nint value)
    {
        try
        {
            VMInstance instance = InstanceOf(vm);
            instance.TableSetExternRef(table, TableOperand(instance, table, index), value);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int GlobalSetExternRef(VMContext* vm, uint global, nint value)
    {
        try
        {
            InstanceOf(vm).GlobalSetExternRef(global, value);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int RootExternRef(VMContext* vm, nint value)
    {
        try
        {
            InstanceOf(vm).RootExternRef(value);
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int CheckInterrupt(VMContext* vm)
    {
        try
        {
            InstanceOf(vm).CheckInterrupt();
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int TierUp(VMContext* vm, uint functionIndex, int loopOffset)
    {
        try
        {
            var instance = (Vm.InstanceState)InstanceOf(vm);
            return instance.Code?.TierUp is { } tierUp ? tierUp.OnHotBaselineCode(instance, functionIndex, loopOffset) : 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    // ---- exceptions (3.0): throw, throw_ref, and the catch of a try_table ----

    [UnmanagedCallersOnly]
    private static int Throw(VMContext* vm, uint tagIndex, ulong* area)
    {
        try
        {
            NativeContext.From((VMStoreContext*)vm->StoreContext).SetPendingFresh(
                Interpreter.ExceptionHandling.NewException(InstanceOf(vm), tagIndex, area + 1));
            return 1;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    [UnmanagedCallersOnly]
    private static int ThrowRef(VMContext* vm, nint reference)
    {
        try
        {
            return Fail(vm, reference == 0 ? new TrapException(TrapCode.NullReference) : Interpreter.ExceptionHandling.FromReference(reference));
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }

    /// <summary>
    /// The catch clauses of the try_table at module offset <paramref name="offset"/> (its opcode), decoded on the first
    /// exception that reaches it and kept per module.
    /// </summary>
    private static TryTableCatch[] CatchClauses(ModuleInfo module, int offset)
    {
        var clauses = s_catchClauses.GetValue(module, _ => new System.Collections.Concurrent.ConcurrentDictionary<int, TryTableCatch[]>());
        if (!clauses.TryGetValue(offset, out TryTableCatch[]? found))
        {
            var reader = new WasmReader(module.Bytes, offset + 1, module.Bytes.Length);
            reader.ReadBlockType();
            found = reader.ReadTryTableCatches();
            clauses[offset] = found;
        }
        return found;
    }

    private static readonly ConditionalWeakTable<ModuleInfo, System.Collections.Concurrent.ConcurrentDictionary<int, TryTableCatch[]>> s_catchClauses = new();

    [UnmanagedCallersOnly]
    private static int CatchException(VMContext* vm, uint tryTableOffset, ulong* area)
    {
        try
        {
            NativeContext context = NativeContext.From((VMStoreContext*)vm->StoreContext);
            if (context.Pending is not TagException exception)
            {
                // Traps (and host exceptions that are not wasm exceptions) are never caught.
                return -1;
            }
            VMInstance instance = InstanceOf(vm);
            TryTableCatch[] clauses = CatchClauses(instance.Module, (int)tryTableOffset);
            for (int i = 0; i < clauses.Length; i++)
            {
                if (Interpreter.ExceptionHandling.Takes(instance, clauses[i].Kind, clauses[i].Tag, exception))
                {
                    CatchKind kind = clauses[i].Kind;
                    // Rooting and boxing may collect: the frame's stack map at this call lists what it holds.
                    Interpreter.ExceptionHandling.Deliver(instance, exception, kind, area + 1);
                    if (kind is CatchKind.Catch or CatchKind.CatchAll)
                    {
                        context.ReleaseIfFresh(exception);
                    }
                    context.Caught(exception);
                    return i;
                }
            }
            return -1;
        }
        catch (Exception e)
        {
            Fail(vm, e);
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int RunTailCall(VMContext* vm, ulong* area)
    {
        try
        {
            NativeContext context = NativeContext.From((VMStoreContext*)vm->StoreContext);
            FunctionInstance next = context.TakePendingTailCall();
            context.Stack.RunTailCalls(next, new Span<ulong>(area, next.ResultSlots));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(vm, e);
        }
    }
}
