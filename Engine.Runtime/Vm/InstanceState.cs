using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;
using Engine.Interpreter;

namespace Engine.Runtime.Vm;

/// <summary>
/// An instance inside the VM: its <see cref="VMContext"/> block and the arrays it points to, its
/// functions, tables, memory and globals (defined or imported), its segments, and the operations the
/// tiers call on it. Instantiation follows the spec's order: imports, functions, tables, memories,
/// globals (initialisers in order), exports, then element and data segments in order, then start.
/// </summary>
internal sealed unsafe class InstanceState : VMInstance, IDisposable
{
    private readonly Store _store;
    private readonly ModuleInfo _module;
    private readonly TableInstance[] _tables;
    private readonly GlobalInstance[] _globals;
    // Memory 0 (the one the fast paths of every tier use), and every memory by index (imports first).
    private readonly LinearMemory? _memory;
    private readonly LinearMemory[] _memories;
    // The items of each element segment (funcref addresses or externref boxes, which the segment holds a
    // count on); null once dropped.
    private readonly nint[]?[] _elements;
    private readonly bool[] _dataDropped;
    private readonly Dictionary<string, Extern> _exports = new(StringComparer.Ordinal);
    private VMContext* _vm;
    private nint _arrays;
    private GCHandle _self;

    public InstanceState(Store store, Module module, IReadOnlyList<Extern> imports) : base(module.Info)
    {
        _store = store;
        _module = module.Info;
        ModuleInfo info = _module;
        int functionCount = info.FunctionTypeIndices.Count;
        int tableCount = info.Tables.Count;
        int globalCount = info.Globals.Count;
        int typeCount = info.Types.Count;
        int memoryCount = info.Memories.Count;

        // SAFETY: the VMContext and its four arrays live in one block owned by this instance (freed in
        // Dispose, when the store goes); compiled code and the interpreter read them through VMContext.
        _vm = (VMContext*)NativeMemory.AllocZeroed((nuint)sizeof(VMContext));
        _arrays = (nint)NativeMemory.AllocZeroed((nuint)(sizeof(nint) * (functionCount + tableCount + globalCount + memoryCount) + sizeof(int) * typeCount + 8));
        nint* functionRefs = (nint*)_arrays;
        nint* tableAddresses = functionRefs + functionCount;
        nint* globalCells = tableAddresses + tableCount;
        nint* memoryCells = globalCells + globalCount;
        int* typeIds = (int*)(memoryCells + memoryCount);
        _vm->Memories = memoryCount > 0 ? (nint)memoryCells : 0;
        _vm->Functions = (nint)functionRefs;
        _vm->Tables = (nint)tableAddresses;
        _vm->Globals = (nint)globalCells;
        _vm->TypeIds = (nint)typeIds;
        _vm->EpochCounter = store.Engine.EpochCounterAddress;
        _vm->EpochDeadline = store.EpochDeadline;
        _vm->FuelCounter = store.FuelCounterAddress;
        if (store.Native is { } native)
        {
            _vm->Builtins = Native.NativeRuntime.BuiltinsTable;
            _vm->StoreContext = native.Address;
            _vm->StackLimit = native.StackLimit;
            _self = GCHandle.Alloc(this, GCHandleType.Weak);
            _vm->Instance = GCHandle.ToIntPtr(_self);
        }
        VMContext = (nint)_vm;

        for (int i = 0; i < typeCount; i++)
        {
            typeIds[i] = module.CanonicalTypeIds[i];
        }

        // Imports, in the order of the import section, into each index space.
        var functions = new FunctionInstance[functionCount];
        _tables = new TableInstance[tableCount];
        _globals = new GlobalInstance[globalCount];
        _memories = new LinearMemory[memoryCount];
        int f = 0, t = 0, g = 0, m = 0;
        var tags = new List<TagInstance>(info.TagTypeIndices.Count);
        for (int i = 0; i < info.Imports.Count; i++)
        {
            switch (imports[i])
            {
                case Function function:
                    functions[f++] = function.Instance;
                    break;
                case Table table:
                    _tables[t++] = table.State;
                    break;
                case Memory memory:
                    _memories[m++] = memory.State;
                    break;
                case Global global:
                    _globals[g++] = global.State;
                    break;
                case Tag tag:
                    tags.Add(tag.Instance);
                    break;
            }
        }
        for (int i = info.ImportedTagCount; i < info.TagTypeIndices.Count; i++)
        {
            tags.Add(new TagInstance(info.TagType((uint)i), typeIds[info.TagTypeIndices[i]]));
        }
        Tags = tags.ToArray();

        // A tail call may leave its arguments to the caller in the store's tail-call area: room for any type's parameters.
        int tailCallSlots = 0;
        foreach (FuncType type in info.Types)
        {
            tailCallSlots = Math.Max(tailCallSlots, FunctionInstance.SlotsOf(type.Params));
        }
        if (store.Native is { } context)
        {
            context.EnsureTailCallSlots(tailCallSlots);
        }
        else
        {
            store.Stack.EnsureTailCallSlots(tailCallSlots);
        }

        for (int i = info.ImportedFunctionCount; i < functionCount; i++)
        {
            var function = new InterpretedFunction(this, (uint)i, typeIds[info.FunctionTypeIndices[i]], module.Translation, store.Stack);
            store.CreateFuncRef(function, (nint)_vm);
            functions[i] = function;
        }
        for (int i = 0; i < functionCount; i++)
        {
            functionRefs[i] = functions[i].FuncRef;
        }
        Functions = functions;

        for (int i = 0; i < info.ImportedTableCount; i++)
        {
            tableAddresses[i] = (nint)_tables[i].Table;
        }

        for (int i = info.ImportedMemoryCount; i < memoryCount; i++)
        {
            _memories[i] = store.CreateMemory(info.Memories[i]);
        }
        for (int i = 0; i < memoryCount; i++)
        {
            memoryCells[i] = (nint)_memories[i].Definition;
        }
        _memory = memoryCount > 0 ? _memories[0] : null;
        _memory?.Attach(_vm);

        for (int i = 0; i < info.ImportedGlobalCount; i++)
        {
            globalCells[i] = (nint)_globals[i].Cell;
        }
        for (int i = info.ImportedGlobalCount; i < globalCount; i++)
        {
            // Tables and globals carry their types with engine-wide type ids, so imports compare across modules.
            GlobalType globalType = info.Globals[i];
            var global = store.Own(new GlobalInstance(globalType with { Type = TypeRegistry.Canonical(globalType.Type, module.CanonicalTypeIds) }, store.Heap));
            ConstantValue value = Evaluate(info.GlobalInits[i - info.ImportedGlobalCount]);
            if (info.Globals[i].Type == ValType.V128)
            {
                global.SetV128(Vector128.Create(value.Low, value.High).AsByte());
            }
            else
            {
                global.SetBits(value.Low);
            }
            _globals[i] = global;
            globalCells[i] = (nint)global.Cell;
        }

        // Tables after globals: a table's initialiser (3.0) may read them.
        for (int i = info.ImportedTableCount; i < tableCount; i++)
        {
            nint initial = info.TableInits.TryGetValue((uint)i, out ConstExpr init) ? (nint)Evaluate(init).Low : 0;
            TableType tableType = info.Tables[i] with { ElementType = TypeRegistry.Canonical(info.Tables[i].ElementType, module.CanonicalTypeIds) };
            _tables[i] = store.Own(new TableInstance(tableType, store.Limits.TableElements, initial, store.Heap));
            tableAddresses[i] = (nint)_tables[i].Table;
        }

        _elements = new nint[]?[info.Elements.Count];
        for (int i = 0; i < info.Elements.Count; i++)
        {
            _elements[i] = EvaluateElements(info.Elements[i]);
        }
        _dataDropped = new bool[info.Data.Count];
        Public = new Instance(store, this);
        // The compiled code made for this instance's kind of memory (guard pages or explicit checks).
        Code = module.CodeFor(_memory);
        Code?.Attach(this);
    }

    /// <summary>Makes <paramref name="code"/> the code of its function in this instance: native calls and interpreted calls alike.</summary>
    public void PublishCompiled(Native.NativeFunction code)
    {
        // Publication may come from the background compiler while the store is being disposed: the lock
        // keeps it from writing a function reference the store is about to free.
        lock (_publishLock)
        {
            if (_vm == null || Functions[code.FunctionIndex] is not InterpretedFunction function || _store.Native is not { } native)
            {
                return;
            }
            _store.PrepareForCompiledCode();
            // The native entry first: the interpreter's stub reads it through the funcref. A register entry is
            // published after the native entry it belongs to, and withdrawn before code without one replaces it.
            var funcRef = (VMFuncRef*)function.FuncRef;
            int registerEntry = code.Artifact.RegisterEntryOffset;
            if (registerEntry < 0)
            {
                Volatile.Write(ref funcRef->RegisterCode, 0);
            }
            Volatile.Write(ref funcRef->NativeCode, code.Entry);
            if (registerEntry >= 0)
            {
                Volatile.Write(ref funcRef->RegisterCode, code.Entry + registerEntry);
            }
            // In tiered mode (where the code has an entry at every loop) a small leaf stays interpreted for
            // interpreted callers; compiled callers call it natively.
            bool smallLeaf = _store.Engine.Config.Tier == TierMode.Tiered
                && Native.TierManager.IsSmallLeaf(_module, code.FunctionIndex);
            function.PublishCompiled(new Native.CompiledEntry(native, function, code), fromInterpretedCallers: !smallLeaf);
        }
    }

    private readonly object _publishLock = new();

    /// <summary>The store's side of compiled code (null when the engine runs no machine code).</summary>
    public Native.NativeContext? NativeContext => _store.Native;

    /// <summary>True once the instance was disposed (its store is gone).</summary>
    public bool IsDisposed => _vm == null;

    /// <summary>The embedding API's view of this instance.</summary>
    public Instance Public { get; }

    public LinearMemory? Memory => _memory;

    /// <summary>Every memory of the instance by index (imports first).</summary>
    public IReadOnlyList<LinearMemory> Memories => _memories;

    /// <summary>The module's compiled code this instance runs (the one for its memory's bounds checks), or null.</summary>
    public Native.ModuleCode? Code { get; }

    /// <summary>The embedding API's view of memory 0 (made on first use), or null without one.</summary>
    public Memory? DefaultMemory => _memory is null ? null : _defaultMemory ??= new Memory(_store, _memory);

    private Memory? _defaultMemory;

    /// <summary>The embedding API's view of memory <paramref name="index"/>.</summary>
    public Memory GetMemory(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _memories.Length);
        return index == 0 ? DefaultMemory! : new Memory(_store, _memories[index]);
    }

    public ModuleInfo ModuleInfo => _module;

    /// <summary>The instance's exports by name (built on first use).</summary>
    public IReadOnlyDictionary<string, Extern> Exports
    {
        get
        {
            if (_exports.Count == 0 && _module.Exports.Count > 0)
            {
                foreach (Export export in _module.Exports)
                {
                    _exports[export.Name] = ExportOf(export);
                }
            }
            return _exports;
        }
    }

    private Extern ExportOf(Export export) => export.Kind switch
    {
        ExternKind.Func => new Function(_store, Functions[export.Index]),
        ExternKind.Table => new Table(_store, _tables[export.Index]),
        ExternKind.Memory => export.Index == 0 && DefaultMemory is { } memory0 ? memory0 : new Memory(_store, _memories[export.Index]),
        ExternKind.Tag => new Tag(_store, Tags[export.Index]),
        _ => new Global(_store, _globals[export.Index]),
    };

    public override nint BoxException(TagException exception)
    {
        _store.Activations.Reserve(1);
        nint box = _store.Heap.Allocate(exception);
        _store.Activations.InsertReserved(box);
        return box;
    }

    public void SetEpochDeadline(long deadline) => _vm->EpochDeadline = deadline;

    /// <summary>Runs the active segments in order, drops the declarative ones, then the start function. May trap.</summary>
    public void Initialize()
    {
        for (int i = 0; i < _module.Elements.Count; i++)
        {
            ElementSegment segment = _module.Elements[i];
            if (segment.Mode == SegmentMode.Active)
            {
                ulong offset = Evaluate(segment.Offset).Low;
                TableInit((uint)i, segment.TableIndex, (uint)Math.Min(offset, uint.MaxValue), 0, (uint)segment.Count);
            }
            if (segment.Mode != SegmentMode.Passive)
            {
                ElemDrop((uint)i);
            }
        }
        for (int i = 0; i < _module.Data.Count; i++)
        {
            DataSegment segment = _module.Data[i];
            if (segment.Mode == SegmentMode.Active)
            {
                ulong offset = Evaluate(segment.Offset).Low;
                MemoryInit((uint)i, segment.MemoryIndex, offset, 0, (uint)segment.DataLength);
                DataDrop((uint)i);
            }
        }
        if (_module.StartFunction is uint start)
        {
            Functions[start].Invoke(Span<ulong>.Empty);
        }
    }

    // ---- constant expressions ----

    private readonly record struct ConstantValue(ulong Low, ulong High);

    private ConstantValue Evaluate(ConstExpr expression)
    {
        var reader = new WasmReader(_module.Bytes, expression.Start, expression.End);
        var evaluator = new ConstantExpressionVisitor<ConstantEvaluator>(new ConstantEvaluator(this));
        while (!evaluator.Inner.Done)
        {
            reader.ReadOperator(ref evaluator);
        }
        return evaluator.Inner.Result;
    }

    private nint[] EvaluateElements(ElementSegment segment)
    {
        var items = new nint[segment.Count];
        if (segment.FunctionIndices is { } indices)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                items[i] = Functions[indices[i]].FuncRef;
            }
        }
        else
        {
            for (int i = 0; i < items.Length; i++)
            {
                items[i] = (nint)Evaluate(segment.Expressions![i]).Low;
                if (segment.ElementType.Erased() == ValType.ExternRef)
                {
                    // The segment holds its items until dropped.
                    ExternRefHeap.Increment(items[i]);
                }
            }
        }
        return items;
    }

    /// <summary>
    /// Evaluates a validated constant expression: constants, ref.null, ref.func and global.get, combined by 3.0's
    /// extended constants (i32/i64 add, sub, mul); the result is the last value standing.
    /// </summary>
    private struct ConstantEvaluator(InstanceState instance) : IConstantExpressionVisitor
    {
        public bool Done;
        public ConstantValue Result;
        // Values below the top: only extended constants have more than one.
        private Stack<ConstantValue>? _below;
        private bool _any;

        private void Push(ConstantValue value)
        {
            if (_any)
            {
                (_below ??= new()).Push(Result);
            }
            Result = value;
            _any = true;
        }

        public void VisitEnd() => Done = true;
        public void VisitI32Const(int value) => Push(new((uint)value, 0));
        public void VisitI64Const(long value) => Push(new((ulong)value, 0));
        public void VisitF32Const(uint bits) => Push(new(bits, 0));
        public void VisitF64Const(ulong bits) => Push(new(bits, 0));

        public void VisitV128Const(Vector128<byte> value) =>
            Push(new(value.AsUInt64().GetElement(0), value.AsUInt64().GetElement(1)));

        public void VisitRefNull(ValType type) => Push(new(0, 0));
        public void VisitRefFunc(uint functionIndex) => Push(new((ulong)instance.Functions[functionIndex].FuncRef, 0));

        public void VisitGlobalGet(uint globalIndex)
        {
            GlobalInstance global = instance._globals[globalIndex];
            Push(new(global.Bits, global.Type.Type == ValType.V128 ? ((ulong*)global.Cell)[1] : 0));
        }

        public void VisitPlain(Opcode opcode)
        {
            ulong right = Result.Low;
            ulong left = _below!.Pop().Low;
            ulong result = opcode switch
            {
                Opcode.I32Add => (uint)(left + right),
                Opcode.I32Sub => (uint)(left - right),
                Opcode.I32Mul => (uint)((uint)left * (uint)right),
                Opcode.I64Add => left + right,
                Opcode.I64Sub => left - right,
                Opcode.I64Mul => left * right,
                _ => throw new InvalidOperationException($"{OperatorInfo.Name(opcode)} is no constant operator"),
            };
            Result = new(result, 0);
        }

        public void NotConstant(Opcode opcode) =>
            throw new InvalidOperationException($"{OperatorInfo.Name(opcode)} in a constant expression (the validator should have rejected it)");
    }

    // ---- the operations the tiers call ----

    public override int MemoryGrow(uint deltaPages) => _memory!.Grow(deltaPages);

    public override void MemoryInit(uint dataIndex, uint destination, uint source, uint length) =>
        MemoryInit(dataIndex, 0, destination, source, length);

    public override long MemoryGrow(uint memoryIndex, ulong deltaPages) => _memories[memoryIndex].Grow(deltaPages);

    public override void MemoryInit(uint dataIndex, uint memoryIndex, ulong destination, uint source, uint length)
    {
        DataSegment segment = _module.Data[(int)dataIndex];
        ulong available = _dataDropped[dataIndex] ? 0u : (ulong)segment.DataLength;
        LinearMemory? memory = memoryIndex < (uint)_memories.Length ? _memories[memoryIndex] : null;
        if ((ulong)source + length > available || memory is null || !InBounds(memory, destination, length))
        {
            throw new TrapException(TrapCode.MemoryOutOfBounds);
        }
        _module.Bytes.AsSpan(segment.DataStart + (int)source, (int)length).CopyTo(memory.Slice(destination, (int)length));
    }

    public override void MemoryCopy(uint destinationMemory, uint sourceMemory, ulong destination, ulong source, ulong length)
    {
        LinearMemory to = _memories[destinationMemory], from = _memories[sourceMemory];
        if (!InBounds(to, destination, length) || !InBounds(from, source, length))
        {
            throw new TrapException(TrapCode.MemoryOutOfBounds);
        }
        // SAFETY: both ranges were checked against their memories' current lengths; Buffer.MemoryCopy handles overlap.
        Buffer.MemoryCopy(from.Base + source, to.Base + destination, length, length);
    }

    public override void MemoryFill(uint memoryIndex, ulong destination, byte value, ulong length)
    {
        LinearMemory memory = _memories[memoryIndex];
        if (!InBounds(memory, destination, length))
        {
            throw new TrapException(TrapCode.MemoryOutOfBounds);
        }
        // SAFETY: the range was checked against the memory's current length.
        NativeMemory.Fill(memory.Base + destination, (nuint)length, value);
    }

    /// <summary>True when [start, start + length) lies inside <paramref name="memory"/> (no wrap-around of 64-bit sums).</summary>
    private static bool InBounds(LinearMemory memory, ulong start, ulong length) =>
        start <= memory.Length && length <= memory.Length - start;

    public override void DataDrop(uint dataIndex) => _dataDropped[dataIndex] = true;

    public override int TableGrow(uint tableIndex, nint initial, uint delta) => _tables[tableIndex].Grow(delta, initial);

    public override void TableFill(uint tableIndex, uint start, nint value, uint length)
    {
        TableInstance table = _tables[tableIndex];
        if ((ulong)start + length > table.Length)
        {
            throw new TrapException(TrapCode.TableOutOfBounds);
        }
        table.Fill(start, value, length);
    }

    public override void TableCopy(uint destinationTable, uint sourceTable, uint destination, uint source, uint length)
    {
        TableInstance to = _tables[destinationTable], from = _tables[sourceTable];
        if ((ulong)source + length > from.Length || (ulong)destination + length > to.Length)
        {
            throw new TrapException(TrapCode.TableOutOfBounds);
        }
        // Copy in the direction that reads every element before overwriting it.
        if (destination <= source)
        {
            for (uint i = 0; i < length; i++)
            {
                to.Set(destination + i, from.Get(source + i));
            }
        }
        else
        {
            for (uint i = length; i > 0; i--)
            {
                to.Set(destination + i - 1, from.Get(source + i - 1));
            }
        }
    }

    public override void TableInit(uint elemIndex, uint tableIndex, uint destination, uint source, uint length)
    {
        nint[] items = _elements[elemIndex] ?? [];
        TableInstance table = _tables[tableIndex];
        if ((ulong)source + length > (ulong)items.Length || (ulong)destination + length > table.Length)
        {
            throw new TrapException(TrapCode.TableOutOfBounds);
        }
        for (uint i = 0; i < length; i++)
        {
            table.Set(destination + i, items[source + i]);
        }
    }

    public override void ElemDrop(uint elemIndex)
    {
        nint[]? items = _elements[elemIndex];
        _elements[elemIndex] = null;
        if (items != null && _module.Elements[(int)elemIndex].ElementType.Erased() == ValType.ExternRef)
        {
            foreach (nint item in items)
            {
                _store.Heap.Decrement(item);
            }
        }
    }

    public override void TableSetExternRef(uint tableIndex, uint index, nint value)
    {
        TableInstance table = _tables[tableIndex];
        if (index >= table.Length)
        {
            throw new TrapException(TrapCode.TableOutOfBounds);
        }
        table.Set(index, value);
    }

    public override void GlobalSetExternRef(uint globalIndex, nint value) => _globals[globalIndex].SetReference(value);

    public override bool IsSubtype(int subTypeId, int superTypeId) => _store.Engine.Types.IsSubtype(subTypeId, superTypeId);

    public override void RootExternRef(nint value) => _store.Activations.Insert(value);

    public override void CheckInterrupt()
    {
        if (*(long*)_vm->EpochCounter >= _vm->EpochDeadline)
        {
            throw new TrapException(TrapCode.Interrupted, "wasm execution interrupted: the epoch deadline was reached");
        }
        if (*(long*)_vm->FuelCounter < 0)
        {
            *(long*)_vm->FuelCounter = 0;
            throw new TrapException(TrapCode.OutOfFuel);
        }
    }

    public void Dispose()
    {
        lock (_publishLock)
        {
            DisposeState();
        }
    }

    private void DisposeState()
    {
        if (_vm == null)
        {
            return;
        }
        for (int i = 0; i < _elements.Length; i++)
        {
            ElemDrop((uint)i);
        }
        NativeMemory.Free((void*)_arrays);
        NativeMemory.Free(_vm);
        _vm = null;
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}
