using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Gc;

namespace Engine.Interpreter;

/// <summary>
/// Translates a validated function body from wasm's stack code into the interpreter's three-address
/// instructions over frame slots, in one pass through the shared operator reader.
/// </summary>
/// <remarks>
/// <para>Each wasm operand-stack position has a home slot (temporaries follow the locals; a v128 takes
/// two). The translator keeps a model of the operand stack in which an entry is either a temporary in
/// its home slot, a reference to a local's slot (<c>local.get</c> copies nothing), or a constant (kept
/// out of slots until needed, so instructions can take it as an immediate). Lazy entries are
/// materialized into their home slots when their local is about to change, at block boundaries (all
/// paths must agree on where values live), and for calls (arguments must be consecutive).</para>
/// <para>Peephole fusions, each where it measurably pays: a compare followed by <c>br_if</c> or
/// <c>if</c> becomes one compare-and-branch; <c>local.set</c> of an instruction's result retargets the
/// instruction's destination; a constant operand becomes an immediate. Fusion never crosses a branch
/// target (the barrier) or a safepoint.</para>
/// <para>Safepoints (calls, and reads of externrefs from tables and globals) record in the stack map
/// which slots hold references: reference-typed locals and materialized reference temporaries below
/// the call's arguments.</para>
/// </remarks>
public sealed partial class Translator
{
    private enum EntryKind : byte
    {
        Temp,
        Local,
        Const,
    }

    /// <summary>An operand-stack entry of the model.</summary>
    private struct Entry
    {
        public EntryKind Kind;
        public ValType Type;
        /// <summary>The home slot of the entry's stack position.</summary>
        public int Slot;
        /// <summary>For a local: the local's slot.</summary>
        public int Source;
        /// <summary>For a constant: its bits.</summary>
        public long Value;
    }

    /// <summary>An open block: the shared frame, and where its values live and which branch words wait for its end.</summary>
    private sealed class Control : ControlFrame
    {
        /// <summary>The home slot of stack position <see cref="ControlFrame.Height"/>: results (and a loop's parameters) live from here.</summary>
        public int BaseSlot;
        /// <summary>A loop's first instruction.</summary>
        public int LoopStart;
        /// <summary>A loop's OSR point (the index of its iteration counter), or -1 without one.</summary>
        public int OsrPoint = -1;
        /// <summary>An if's branch to its else (or end): the code word to patch.</summary>
        public int ElsePatch = -1;
        /// <summary>Code words holding forward branch targets to this block's end.</summary>
        public readonly List<int> Patches = new();
        /// <summary>A try_table's handler, or a legacy try's while in its body (its index in the translation's list), or -1.</summary>
        public int HandlerIndex = -1;
        /// <summary>A legacy try's handler from its first catch on (its clauses grow with each catch), or -1.</summary>
        public int LegacyHandler = -1;
    }

    /// <summary>The most slots a frame may have (locals and operand-stack homes together).</summary>
    public const int MaxFrameSlots = ushort.MaxValue;

    private ModuleInfo _module = null!;
    private FuncType _type = null!;
    private TranslationOptions _options;
    private ValType[] _localTypes = new ValType[16];
    private int[] _localSlots = new int[16];
    private int _localCount;
    private int _localsEnd;
    // A hidden local after the declared ones: zeroed on entry like them and never written, it is the
    // base slot of memory accesses at constant addresses.
    private int _zeroSlot;
    private int _resultSlots;

    private int[] _words = new int[256];
    private int _length;
    private Entry[] _stack = new Entry[64];
    private int _height;
    private int _maxSlot;
    private readonly ControlStack<Control> _controls = new();
    private bool _unreachable;

    private readonly List<int> _instructionStarts = new();
    private readonly List<int> _wasmOffsets = new();
    private int _wasmOffset;
    private readonly StackMapBuilder _stackMaps = new();
    private readonly List<OsrPoint> _osrPoints = new();
    // Branches back to counted loop headers: (OSR point, code word holding the target).
    private readonly List<(int Point, int Word)> _backEdges = new();
    private readonly List<int> _liveRefs = new();
    private readonly List<ExceptionHandler> _handlers = new();

    // Peephole state: the last instruction's start, whether it must stay as it is (a safepoint, whose return address
    // the stack map names, or a tier-up counter, which other code patches), and the last branch target.
    private int _lastStart = -1;
    private bool _lastIsFixed;
    private int _barrier;

    /// <summary>Translates defined function <paramref name="functionIndex"/> of a validated module.</summary>
    internal InterpretedCode Translate(ModuleInfo module, uint functionIndex, TranslationOptions options)
    {
        Reset(module, functionIndex, options);
        FunctionBody body = module.Body(functionIndex);
        var reader = new WasmReader(module.Bytes, body.CodeStart, body.End);
        var visitor = new Visitor(this);
        while (_controls.Depth > 0)
        {
            _wasmOffset = reader.Position;
            reader.ReadOperator(ref visitor);
        }
        int frameSlots = Math.Max(Math.Max(_maxSlot, _localsEnd), Math.Max(_resultSlots, 1));
        if (frameSlots > MaxFrameSlots)
        {
            // Stack maps address slots with 16 bits; no real program comes near this.
            throw new ImplementationLimitException(
                $"function {functionIndex} needs {frameSlots} frame slots; the interpreter supports at most {MaxFrameSlots}");
        }
        return new InterpretedCode(_words.AsSpan(0, _length), FunctionInstance.SlotsOf(_type.Params), _localsEnd, frameSlots,
            _stackMaps.Build(), _instructionStarts.ToArray(), _wasmOffsets.ToArray(), body.End - body.Start)
        {
            OsrPoints = _osrPoints.Count == 0 ? [] : OsrPointsWithBackEdges(),
            Handlers = _handlers.Count == 0 ? [] : _handlers.ToArray(),
        };
    }

    /// <summary>The loop counters, each with the code words of the branches back to its header.</summary>
    private OsrPoint[] OsrPointsWithBackEdges()
    {
        var points = new OsrPoint[_osrPoints.Count];
        for (int i = 0; i < points.Length; i++)
        {
            OsrPoint point = _osrPoints[i];
            var words = new List<int>();
            foreach ((int Point, int Word) edge in _backEdges)
            {
                if (edge.Point == i)
                {
                    System.Diagnostics.Debug.Assert(_words[edge.Word] == point.CounterPosition, "a back edge lost its target");
                    words.Add(edge.Word);
                }
            }
            points[i] = point with { BackEdges = words.ToArray() };
        }
        return points;
    }

    /// <summary>Drops the references to the module just translated, so a pooled translator keeps no module alive.</summary>
    public void Release()
    {
        _module = null!;
        _type = null!;
    }

    private void Reset(ModuleInfo module, uint functionIndex, TranslationOptions options)
    {
        _handlers.Clear();
        _module = module;
        _options = options;
        _type = module.FunctionType(functionIndex);
        FunctionBody body = module.Body(functionIndex);
        _localCount = _type.Params.Length + body.Locals.Length;
        if (_localTypes.Length < _localCount)
        {
            _localTypes = new ValType[_localCount];
            _localSlots = new int[_localCount];
        }
        _type.Params.CopyTo(_localTypes, 0);
        body.Locals.CopyTo(_localTypes, _type.Params.Length);
        int slot = 0;
        for (int i = 0; i < _localCount; i++)
        {
            _localSlots[i] = slot;
            slot += FunctionInstance.SlotsOf(_localTypes[i]);
        }
        _zeroSlot = slot;
        _localsEnd = slot + 1;
        _resultSlots = FunctionInstance.SlotsOf(_type.Results);
        _length = 0;
        _height = 0;
        _maxSlot = _localsEnd;
        _controls.Clear();
        _unreachable = false;
        _instructionStarts.Clear();
        _wasmOffsets.Clear();
        _stackMaps.Clear();
        _lastStart = -1;
        _barrier = 0;
        Control function = PushControl(ControlKind.Function, [], _type.Results);
        function.BaseSlot = 0;
        _osrPoints.Clear();
        _backEdges.Clear();
        if (options.CallThreshold > 0)
        {
            // The counter is the instruction's own operand word (shared by every instance, like the code).
            Begin(Op.TierUpEntry, fixedInPlace: true);
            Put(options.CallThreshold);
        }
        EmitEntryChecks();
    }

    // ---- code emission ----

    private int Begin(Op op, bool fixedInPlace = false)
    {
        EnsureWords(16);
        int start = _length;
        _instructionStarts.Add(start);
        _wasmOffsets.Add(_wasmOffset);
        _words[_length++] = (int)op;
        _lastStart = start;
        _lastIsFixed = fixedInPlace;
        return start;
    }

    private void EnsureWords(int count)
    {
        if (_length + count > _words.Length)
        {
            Array.Resize(ref _words, Math.Max(_words.Length * 2, _length + count));
        }
    }

    private void Put(int word)
    {
        EnsureWords(1);
        _words[_length++] = word;
    }

    private void PutLong(long value)
    {
        Put((int)value);
        Put((int)(value >> 32));
    }

    private void Emit(Op op) => Begin(op);

    private void Emit(Op op, int a)
    {
        Begin(op);
        Put(a);
    }

    private void Emit(Op op, int a, int b)
    {
        Begin(op);
        Put(a);
        Put(b);
    }

    private void Emit(Op op, int a, int b, int c)
    {
        Begin(op);
        Put(a);
        Put(b);
        Put(c);
    }

    private void Emit(Op op, int a, int b, int c, int d)
    {
        Begin(op);
        Put(a);
        Put(b);
        Put(c);
        Put(d);
    }

    private void Emit(Op op, int a, int b, int c, int d, int e)
    {
        Begin(op);
        Put(a);
        Put(b);
        Put(c);
        Put(d);
        Put(e);
    }

    /// <summary>Marks the current position as a branch target: no fusion may reach back across it.</summary>
    private void BindLabel() => _barrier = _length;

    /// <summary>Points the forward branch word at <paramref name="patch"/> to the current position.</summary>
    private void PatchHere(int patch)
    {
        _words[patch] = _length;
        BindLabel();
    }

    /// <summary>
    /// Points the branch word at <paramref name="word"/> to the header of <paramref name="loop"/> and, when the
    /// loop counts its iterations, remembers it as a back edge (so the counter can be skipped while it has
    /// nothing to do: <see cref="InterpretedCode.SkipLoopCounter"/>).
    /// </summary>
    private void PatchToLoop(Control loop, int word)
    {
        _words[word] = loop.LoopStart;
        if (loop.OsrPoint >= 0)
        {
            _backEdges.Add((loop.OsrPoint, word));
        }
    }

    /// <summary>Removes the last instruction (for fusing it into the next one).</summary>
    private void DropLastInstruction()
    {
        _length = _lastStart;
        _instructionStarts.RemoveAt(_instructionStarts.Count - 1);
        _wasmOffsets.RemoveAt(_wasmOffsets.Count - 1);
        _lastStart = -1;
    }

    /// <summary>True when the last instruction wrote <paramref name="slot"/> and may be rewritten.</summary>
    private bool LastWrote(int slot) =>
        _lastStart >= _barrier && _lastStart >= 0 && !_lastIsFixed
        && OpInfo.HasDestination((Op)_words[_lastStart]) && _words[_lastStart + 1] == slot;

    /// <summary>Records the live externref slots at the safepoint ending at the current position.</summary>
    private void RecordSafepoint(int argumentHeight)
    {
        _liveRefs.Clear();
        // Only externrefs: a funcref is the address of a VMFuncRef, which the collector must never count.
        for (int i = 0; i < _localCount; i++)
        {
            if (_localTypes[i].Erased() == ValType.ExternRef)
            {
                _liveRefs.Add(_localSlots[i]);
            }
        }
        for (int i = 0; i < argumentHeight; i++)
        {
            ref Entry entry = ref _stack[i];
            if (entry.Kind == EntryKind.Temp && entry.Type.Erased() == ValType.ExternRef)
            {
                _liveRefs.Add(entry.Slot);
            }
        }
        _stackMaps.Add((uint)_length, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_liveRefs));
    }

    /// <summary>
    /// A loop header's iteration counter, with what on-stack replacement needs to know about the frame here:
    /// where each wasm operand is (block entry materialized every lazy local; constants may stay lazy).
    /// </summary>
    private void EmitLoopCounter()
    {
        var slots = new int[_height];
        var constants = new long[_height];
        var types = new ValType[_height];
        for (int i = 0; i < _height; i++)
        {
            ref Entry entry = ref _stack[i];
            types[i] = entry.Type;
            if (entry.Kind == EntryKind.Const)
            {
                slots[i] = -1;
                constants[i] = entry.Value;
            }
            else
            {
                slots[i] = entry.Slot;
            }
        }
        int localSlots = 0;
        for (int i = 0; i < _localCount; i++)
        {
            localSlots += FunctionInstance.SlotsOf(_localTypes[i]);
        }
        _osrPoints.Add(new OsrPoint(_wasmOffset, localSlots, slots, constants, types, _options.LoopThreshold) { CounterPosition = _length });
        // No stack map (not a safepoint: the frame is either left as it is or, by on-stack replacement, skipped by
        // walks), but fixed in place: its counter word is patched while it runs.
        Begin(Op.TierUpLoop, fixedInPlace: true);
        Put(_options.LoopThreshold);
        Put(_osrPoints.Count - 1);
    }

    private void EmitEntryChecks()
    {
        if (_options.EpochChecks)
        {
            Begin(Op.CheckEpoch, fixedInPlace: true);
            RecordSafepoint(_height);
        }
        if (_options.Fuel)
        {
            Begin(Op.ConsumeFuel, fixedInPlace: true);
            Put(1);
            RecordSafepoint(_height);
        }
    }

    // ---- the operand stack model ----

    private int NextHome() => _height == 0 ? _localsEnd : _stack[_height - 1].Slot + FunctionInstance.SlotsOf(_stack[_height - 1].Type);

    private int HomeOf(int position) => position < _height ? _stack[position].Slot : NextHome();

    private ref Entry PushEntry(EntryKind kind, ValType type)
    {
        if (_height == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }
        int home = NextHome();
        ref Entry entry = ref _stack[_height++];
        entry.Kind = kind;
        entry.Type = type;
        entry.Slot = home;
        entry.Source = 0;
        entry.Value = 0;
        int end = home + FunctionInstance.SlotsOf(type);
        if (end > _maxSlot)
        {
            _maxSlot = end;
        }
        return ref entry;
    }

    /// <summary>Pushes a temporary; returns its home slot (where the producing instruction writes).</summary>
    private int PushTemp(ValType type) => PushEntry(EntryKind.Temp, type).Slot;

    private void PushLocal(uint index)
    {
        ref Entry entry = ref PushEntry(EntryKind.Local, _localTypes[index]);
        entry.Source = _localSlots[index];
    }

    private void PushConst(ValType type, long value)
    {
        ref Entry entry = ref PushEntry(EntryKind.Const, type);
        entry.Value = value;
    }

    private Entry Pop() => _stack[--_height];

    private ref Entry Peek(int depth = 0) => ref _stack[_height - 1 - depth];

    /// <summary>Writes an entry's value into slot <paramref name="slot"/> (its home or another).</summary>
    private void EmitMove(in Entry entry, int slot)
    {
        switch (entry.Kind)
        {
            case EntryKind.Temp:
                if (entry.Slot != slot)
                {
                    Emit(entry.Type == ValType.V128 ? Op.CopyV128 : Op.Copy, slot, entry.Slot);
                }
                break;
            case EntryKind.Local:
                if (entry.Source != slot)
                {
                    Emit(entry.Type == ValType.V128 ? Op.CopyV128 : Op.Copy, slot, entry.Source);
                }
                break;
            default:
                EmitConst(entry.Type, entry.Value, slot);
                break;
        }
    }

    private void EmitConst(ValType type, long value, int slot)
    {
        if (type is ValType.I32 or ValType.F32)
        {
            Emit(Op.Const32, slot, (int)value);
        }
        else
        {
            Begin(Op.Const64);
            Put(slot);
            PutLong(value);
        }
    }

    /// <summary>Makes the entry at <paramref name="position"/> a temporary in its home slot.</summary>
    private void Materialize(int position)
    {
        ref Entry entry = ref _stack[position];
        if (entry.Kind != EntryKind.Temp)
        {
            EmitMove(entry, entry.Slot);
            entry.Kind = EntryKind.Temp;
        }
    }

    /// <summary>The slot holding a (popped) operand's value, materializing a constant into its home slot.</summary>
    private int Operand(in Entry entry)
    {
        switch (entry.Kind)
        {
            case EntryKind.Temp:
                return entry.Slot;
            case EntryKind.Local:
                return entry.Source;
            default:
                EmitConst(entry.Type, entry.Value, entry.Slot);
                return entry.Slot;
        }
    }

    /// <summary>Materializes every stack entry that reads local slot <paramref name="localSlot"/> (before the local changes).</summary>
    private void MaterializeReadersOf(int localSlot)
    {
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == EntryKind.Local && _stack[i].Source == localSlot)
            {
                Materialize(i);
            }
        }
    }

    private bool HasReadersOf(int localSlot)
    {
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == EntryKind.Local && _stack[i].Source == localSlot)
            {
                return true;
            }
        }
        return false;
    }

    private void MaterializeAllLocals()
    {
        for (int i = 0; i < _height; i++)
        {
            if (_stack[i].Kind == EntryKind.Local)
            {
                Materialize(i);
            }
        }
    }

    private void MaterializeTop(int count)
    {
        for (int i = _height - count; i < _height; i++)
        {
            Materialize(i);
        }
    }

    /// <summary>True when the top <paramref name="count"/> entries already are temporaries in the slots from <paramref name="slot"/>.</summary>
    private bool TopIsAt(int count, int slot)
    {
        for (int i = _height - count; i < _height; i++)
        {
            ref Entry entry = ref _stack[i];
            if (entry.Kind != EntryKind.Temp || entry.Slot != slot)
            {
                return false;
            }
            slot += FunctionInstance.SlotsOf(entry.Type);
        }
        return true;
    }

    /// <summary>
    /// Copies the top <paramref name="count"/> entries (without popping them) to consecutive slots from
    /// <paramref name="slot"/>. Destinations never lie above their sources' homes, so copying upward
    /// never overwrites a value still to be read.
    /// </summary>
    private void MoveTopTo(int count, int slot)
    {
        for (int i = _height - count; i < _height; i++)
        {
            EmitMove(_stack[i], slot);
            slot += FunctionInstance.SlotsOf(_stack[i].Type);
        }
    }

    // ---- control ----

    private Control PushControl(ControlKind kind, ValType[] parameters, ValType[] results)
    {
        Control control = _controls.Push(kind, parameters, results, _height - parameters.Length);
        control.ElsePatch = -1;
        control.HandlerIndex = -1;
        control.LegacyHandler = -1;
        control.Patches.Clear();
        control.BaseSlot = HomeOf(control.Height);
        return control;
    }

    private Control ControlAt(uint depth) => _controls[depth];

    private (ValType[] Params, ValType[] Results) BlockTypes(BlockType blockType) => Core.BlockTypes.Resolve(_module, blockType);

    private void PushDeadControl()
    {
        Control control = _controls.PushDead(_height);
        control.ElsePatch = -1;
        control.HandlerIndex = -1;
        control.LegacyHandler = -1;
        control.Patches.Clear();
        control.BaseSlot = HomeOf(control.Height);
    }

    /// <summary>Opens a block, loop or legacy try; returns its control entry, or null in unreachable code (a dead entry).</summary>
    private Control? EnterBlock(ControlKind kind, BlockType blockType)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return null;
        }
        var (parameters, results) = BlockTypes(blockType);
        // Every path through the block must find values in the same slots, and the block may change locals.
        MaterializeAllLocals();
        MaterializeTop(parameters.Length);
        Control control = PushControl(kind, parameters, results);
        if (kind == ControlKind.Loop)
        {
            BindLabel();
            control.LoopStart = _length;
            control.OsrPoint = -1;
            if (_options.LoopThreshold > 0)
            {
                EmitLoopCounter();
                control.OsrPoint = _osrPoints.Count - 1;
            }
            EmitEntryChecks();
        }
        return control;
    }

    /// <summary>
    /// <c>try_table</c>: a block whose body has a handler. Before the body, skipped by a branch, a landing pad per catch
    /// clause: the exception's values (then its exnref) arrive in the homes of the operand-stack positions where the
    /// try_table's parameters began, as if pushed there, and the pad branches to the clause's label with them
    /// (<see cref="ExecutionStack"/> writes them and continues at the pad).
    /// </summary>
    private void TryTable(BlockType blockType, TryTableCatch[] catches)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        MaterializeAllLocals();
        MaterializeTop(parameters.Length);
        var clauses = new HandlerClause[catches.Length];
        if (catches.Length > 0)
        {
            Emit(Op.Br, 0);
            int skip = _length - 1;
            int height = _height, outer = _height - parameters.Length;
            Entry[] saved = _stack.AsSpan(outer, parameters.Length).ToArray();
            for (int i = 0; i < catches.Length; i++)
            {
                TryTableCatch clause = catches[i];
                _height = outer;
                BindLabel();
                int pad = _length;
                int valueSlot = HomeOf(outer);
                if (clause.HasTag)
                {
                    foreach (ValType type in _module.TagType(clause.Tag).Params)
                    {
                        PushTemp(type.Erased());
                    }
                }
                if (clause.PassesReference)
                {
                    PushTemp(ValType.ExternRef);
                }
                clauses[i] = new HandlerClause(clause.Kind, clause.Tag, pad, valueSlot);
                // The clause's label counts from the labels around the try_table (its own is not pushed yet).
                Branch(clause.Label);
            }
            _height = outer;
            foreach (Entry entry in saved)
            {
                _stack[_height++] = entry;
            }
            _height = height;
            PatchHere(skip);
        }
        Control control = PushControl(ControlKind.Block, parameters, results);
        if (catches.Length > 0)
        {
            control.HandlerIndex = _handlers.Count;
            _handlers.Add(new ExceptionHandler(_length, _length, clauses));
        }
    }

    /// <summary>
    /// Legacy <c>try</c>: a block whose body a handler covers; its clauses come with each <c>catch</c> (<see cref="Catch"/>),
    /// or its exceptions go elsewhere (<see cref="Delegate"/>).
    /// </summary>
    private void Try(BlockType blockType)
    {
        if (EnterBlock(ControlKind.Try, blockType) is not Control control)
        {
            return;
        }
        control.HandlerIndex = _handlers.Count;
        _handlers.Add(new ExceptionHandler(_length, _length, []));
    }

    /// <summary>
    /// Legacy <c>catch</c> (<paramref name="tagIndex"/>) or <c>catch_all</c> (null): the code before goes to the try's end;
    /// here starts a landing pad. The caught exception's exnref is kept in the slot of the try's first stack position (a
    /// hidden entry below the handler's operands, for <c>rethrow</c>); for catch the tag's values come above it. The
    /// clause delivers values then exnref (<see cref="ExceptionHandling.Deliver"/>), so catch's exnref lands above the
    /// values and the pad moves it down.
    /// </summary>
    private void Catch(uint? tagIndex)
    {
        Control control = ControlAt(0);
        if (control.Dead)
        {
            return;
        }
        JumpToEndIfReachable(control);
        if (control.HandlerIndex >= 0)
        {
            // The body ends here: the handlers are outside it.
            _handlers[control.HandlerIndex].End = _length;
            control.LegacyHandler = control.HandlerIndex;
            control.HandlerIndex = -1;
        }
        control.Kind = tagIndex is null ? ControlKind.CatchAll : ControlKind.Catch;
        _height = control.Height;
        BindLabel();
        int pad = _length;
        int exceptionSlot = PushTemp(ValType.ExternRef);
        HandlerClause clause;
        if (tagIndex is { } tag)
        {
            int valueSlot = NextHome();
            foreach (ValType type in _module.TagType(tag).Params)
            {
                PushTemp(type.Erased());
            }
            int deliveredAt = PushTemp(ValType.ExternRef);
            Emit(Op.Copy, exceptionSlot, deliveredAt);
            _height--;
            clause = new HandlerClause(CatchKind.CatchRef, tag, pad, valueSlot);
        }
        else
        {
            clause = new HandlerClause(CatchKind.CatchAllRef, 0, pad, exceptionSlot);
        }
        ExceptionHandler handler = _handlers[control.LegacyHandler];
        handler.Clauses = [.. handler.Clauses, clause];
        _unreachable = false;
    }

    /// <summary>
    /// Legacy <c>delegate l</c>: ends the try as <c>end</c> does; an exception from its body goes to the handler of the
    /// innermost try (in its body) or try_table at or around label l (counted from outside the try), or leaves the frame.
    /// </summary>
    private void Delegate(uint depth)
    {
        Control control = ControlAt(0);
        if (!control.Dead)
        {
            ExceptionHandler handler = _handlers[control.HandlerIndex];
            handler.End = _length;
            handler.DelegateTo = ExceptionHandler.ToCaller;
            for (uint d = depth + 1; d < (uint)_controls.Depth; d++)
            {
                if (ControlAt(d).HandlerIndex >= 0)
                {
                    handler.DelegateTo = ControlAt(d).HandlerIndex;
                    break;
                }
            }
            control.HandlerIndex = -1;
        }
        End();
    }

    /// <summary>Legacy <c>rethrow l</c>: throws the exnref kept by the catch at label l (<see cref="Catch"/>).</summary>
    private void Rethrow(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        Control target = ControlAt(depth);
        Begin(Op.ThrowRef, fixedInPlace: true);
        Put(target.BaseSlot);
        RecordSafepoint(_height);
        _unreachable = true;
    }

    private void If(BlockType blockType)
    {
        if (_unreachable)
        {
            PushDeadControl();
            return;
        }
        var (parameters, results) = BlockTypes(blockType);
        Entry condition = Pop();
        MaterializeAllLocals();
        MaterializeTop(parameters.Length);
        int patch = EmitConditionalBranch(condition, branchIfTrue: false);
        Control control = PushControl(ControlKind.If, parameters, results);
        control.ElsePatch = patch;
        if (parameters.Length > 0)
        {
            // The then-branch works on copies of the parameters, so the else-branch still finds the originals.
            int first = _height - parameters.Length;
            for (int i = 0; i < parameters.Length; i++)
            {
                Entry original = _stack[first + i];
                int slot = PushTemp(original.Type);
                EmitMove(original, slot);
            }
        }
    }

    /// <summary>
    /// Where one part of a block ends and another begins (<c>else</c>, a legacy <c>catch</c>): a reachable end moves the
    /// results home and jumps to the block's end.
    /// </summary>
    private void JumpToEndIfReachable(Control control)
    {
        if (!_unreachable)
        {
            MoveTopTo(control.Results.Length, control.BaseSlot);
            Emit(Op.Br, 0);
            control.Patches.Add(_length - 1);
        }
    }

    private void Else()
    {
        Control control = ControlAt(0);
        if (control.Dead)
        {
            return;
        }
        JumpToEndIfReachable(control);
        PatchHere(control.ElsePatch);
        control.ElsePatch = -1;
        control.Kind = ControlKind.Else;
        _height = control.Height;
        foreach (ValType type in control.Params)
        {
            PushTemp(type);
        }
        _unreachable = false;
    }

    private void End()
    {
        Control control = ControlAt(0);
        if (control.Dead)
        {
            _controls.Pop();
            return;
        }
        if (control.Kind == ControlKind.Function)
        {
            if (!_unreachable)
            {
                EmitReturn();
            }
            _controls.Pop();
            return;
        }
        if (control.HandlerIndex >= 0)
        {
            // The try_table's body ends here: what follows is outside its catch clauses.
            _handlers[control.HandlerIndex].End = _length;
        }
        bool reachable = !_unreachable;
        if (reachable)
        {
            MoveTopTo(control.Results.Length, control.BaseSlot);
        }
        if (control.ElsePatch >= 0)
        {
            // An if without else: the false path passes its parameters through, already in place.
            PatchHere(control.ElsePatch);
            reachable = true;
        }
        if (control.Kind != ControlKind.Loop)
        {
            foreach (int patch in control.Patches)
            {
                _words[patch] = _length;
                reachable = true;
            }
            BindLabel();
        }
        _controls.Pop();
        _height = control.Height;
        foreach (ValType type in control.Results)
        {
            PushTemp(type);
        }
        _unreachable = !reachable;
    }

    /// <summary>Moves the top results into slots 0.. and returns.</summary>
    private void EmitReturn()
    {
        int count = _type.Results.Length;
        int first = _height - count;
        int destination = 0;
        for (int i = first; i < _height; i++)
        {
            // A local read lazily may sit in the result area and be overwritten by an earlier result.
            if (_stack[i].Kind == EntryKind.Local && _stack[i].Source < _resultSlots && _stack[i].Source != destination)
            {
                Materialize(i);
            }
            destination += FunctionInstance.SlotsOf(_stack[i].Type);
        }
        if (count == 1 && _type.Results[0] != ValType.V128)
        {
            ref Entry result = ref Peek();
            if (result.Kind == EntryKind.Temp && result.Slot != 0 && LastWrote(result.Slot))
            {
                // The instruction that produced the result writes slot 0 directly.
                _words[_lastStart + 1] = 0;
                Emit(Op.Return);
                return;
            }
            if (result.Kind != EntryKind.Const)
            {
                int source = result.Kind == EntryKind.Temp ? result.Slot : result.Source;
                if (source != 0)
                {
                    Emit(Op.ReturnSlot, source);
                    return;
                }
            }
        }
        MoveTopTo(count, 0);
        Emit(Op.Return);
    }

    private void Branch(uint depth)
    {
        Control target = ControlAt(depth);
        if (target.Kind == ControlKind.Function)
        {
            EmitReturn();
            return;
        }
        MoveTopTo(target.LabelTypes.Length, target.BaseSlot);
        EmitJump(target);
    }

    private void EmitJump(Control target)
    {
        if (target.Kind == ControlKind.Loop)
        {
            Emit(Op.Br, 0);
            PatchToLoop(target, _length - 1);
        }
        else
        {
            Emit(Op.Br, 0);
            target.Patches.Add(_length - 1);
        }
    }

    private void Br(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        Branch(depth);
        _unreachable = true;
    }

    private void BrIf(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        Entry condition = Pop();
        Control target = ControlAt(depth);
        int arity = target.LabelTypes.Length;
        if (target.Kind != ControlKind.Function && TopIsAt(arity, target.BaseSlot))
        {
            int patch = EmitConditionalBranch(condition, branchIfTrue: true);
            if (target.Kind == ControlKind.Loop)
            {
                PatchToLoop(target, patch);
            }
            else
            {
                target.Patches.Add(patch);
            }
            return;
        }
        // Values must move (or the branch returns): skip over the moves and the jump when the condition is false.
        int skip = EmitConditionalBranch(condition, branchIfTrue: false);
        Branch(depth);
        PatchHere(skip);
    }

    /// <summary><c>br_on_null</c>: the reference on top stays (as non-null) when it is not null; the label takes the values below it.</summary>
    private void BrOnNull(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        Entry reference = Pop();
        BranchOnReference(Operand(reference), depth, whenNull: true);
        reference.Type = reference.Type.WithNullable(false);
        _stack[_height++] = reference;
    }

    /// <summary><c>br_on_non_null</c>: the label takes the values and the reference when it is not null; else the reference is dropped.</summary>
    private void BrOnNonNull(uint depth)
    {
        if (_unreachable)
        {
            return;
        }
        BranchOnReference(Operand(Peek()), depth, whenNull: false);
        Pop();
    }

    /// <summary>Branches to the label at <paramref name="depth"/> with the top values when the reference in <paramref name="slot"/> is null (or not).</summary>
    private void BranchOnReference(int slot, uint depth, bool whenNull)
    {
        Control target = ControlAt(depth);
        if (target.Kind != ControlKind.Function && TopIsAt(target.LabelTypes.Length, target.BaseSlot))
        {
            Emit(whenNull ? Op.BrIfNull : Op.BrIfNonNull, slot, 0);
            AddPatch(target, _length - 1);
            return;
        }
        // Values must move (or the branch returns): skip over the moves and the jump when the branch is not taken.
        Emit(whenNull ? Op.BrIfNonNull : Op.BrIfNull, slot, 0);
        int skip = _length - 1;
        Branch(depth);
        PatchHere(skip);
    }

    /// <summary>Records a branch word to <paramref name="target"/>: a loop's start is known, a block's end is patched at its end.</summary>
    private void AddPatch(Control target, int word)
    {
        if (target.Kind == ControlKind.Loop)
        {
            PatchToLoop(target, word);
        }
        else
        {
            target.Patches.Add(word);
        }
    }

    private void BrTable(BrTable table)
    {
        if (_unreachable)
        {
            return;
        }
        Entry index = Pop();
        int indexSlot = Operand(index);
        int count = (int)table.Count;
        Begin(Op.BrTable);
        Put(indexSlot);
        Put(count);
        int targetsStart = _length;
        EnsureWords(count + 1);
        _length += count + 1;
        Span<uint> depths = count + 1 <= 256 ? stackalloc uint[count + 1] : new uint[count + 1];
        int k = 0;
        foreach (uint depth in table)
        {
            depths[k++] = depth;
        }
        depths[count] = table.Default;
        // Targets whose values are already in place jump straight there; the others go through a stub
        // that moves the values first. Stubs are shared per depth.
        var stubs = new Dictionary<uint, int>();
        for (int i = 0; i <= count; i++)
        {
            Control target = ControlAt(depths[i]);
            int word = targetsStart + i;
            if (target.Kind != ControlKind.Function && TopIsAt(target.LabelTypes.Length, target.BaseSlot))
            {
                if (target.Kind == ControlKind.Loop)
                {
                    PatchToLoop(target, word);
                }
                else
                {
                    target.Patches.Add(word);
                }
            }
            else if (stubs.TryGetValue(depths[i], out int stub))
            {
                _words[word] = stub;
            }
            else
            {
                BindLabel();
                stubs[depths[i]] = _length;
                _words[word] = _length;
                Branch(depths[i]);
            }
        }
        _unreachable = true;
    }

    /// <summary>
    /// Emits a branch taken when the condition is true (or false); returns the code word of its target,
    /// to be patched. Fuses a compare that produced the condition just before.
    /// </summary>
    private int EmitConditionalBranch(in Entry condition, bool branchIfTrue)
    {
        if (condition.Kind == EntryKind.Temp && LastWrote(condition.Slot) && TryFuseCompare(branchIfTrue, out int patch))
        {
            return patch;
        }
        Emit(branchIfTrue ? Op.BrIfNonZero : Op.BrIfZero, Operand(condition), 0);
        return _length - 1;
    }
}
