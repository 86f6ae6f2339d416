using System.Globalization;
using System.Text;
using Engine.Core;
using Engine.Text;

namespace Engine.Fuzz.Generation;

/// <summary>
/// Makes random valid modules in the text format, shaped for differential testing of the tiers: calls (direct,
/// indirect, recursive), loops, blocks and branches with values, multi-value, memory (loads, stores, bulk
/// operations, growth), tables (funcref and externref, bulk operations), globals of every type, externrefs made by
/// the host, and SIMD (when asked); and when asked the 3.0 features of <see cref="Options"/> (tail calls and
/// exceptions among them). Every operator of the operator table with a fixed signature can appear.
/// Termination is built in: a global budget, reset by the export <c>hangLimitInitializer</c>, is spent by each
/// function entry and each loop iteration; when it is gone functions return zeros and loops stop.
/// </summary>
/// <remarks>
/// Imports (module <c>fuzz</c>): <c>log_i32/log_i64/log_f32/log_f64 (param T)</c> record a value,
/// <c>make_ref (param i32) (result externref)</c> makes a host object numbered by its argument, and
/// <c>ref_id (param externref) (result i32)</c> gives that number back (-1 for null).
/// </remarks>
public sealed class ModuleGenerator
{
    /// <summary>The WebAssembly 3.0 features the generator may use (none: 2.0 modules, as before).</summary>
    /// <param name="MultiMemory">One to two memories besides <c>$mem</c> (exported as <c>memory1</c>, <c>memory2</c>),
    /// each with an active data segment; loads, stores, size, grow, fill, copy (also between memories) and init name one at random.</param>
    /// <param name="Memory64">Each memory is 64-bit (i64 addresses, lengths and page counts) with probability one half.</param>
    /// <param name="FunctionReferences">A local of type <c>(ref null $t)</c> per function, set by <c>ref.func</c> or
    /// <c>ref.null $t</c>, called through <c>call_ref</c> (directly, after <c>ref.as_non_null</c>, or guarded by <c>br_on_null</c>).</param>
    /// <param name="RelaxedSimd">The relaxed SIMD operators among the SIMD ones (only with SIMD). Their results are
    /// implementation-defined: compare such modules among our tiers only.</param>
    /// <param name="TailCalls"><c>return_call</c> (to defined and imported functions), <c>return_call_indirect</c> and, with
    /// function references, <c>return_call_ref</c>: conditional and unconditional, in place of a <c>return</c> or of a
    /// function's final results, also inside <c>try_table</c> (whose handlers no longer cover the callee).</param>
    /// <param name="Exceptions">One to three tags (exported as <c>e0</c>...) of random parameter types, <c>throw</c>
    /// (mostly conditional), <c>try_table</c> as a statement and as an expression with zero to four catch clauses of
    /// the four kinds (each with its handler block, which logs the caught values and keeps or rethrows the exnref),
    /// an <c>exnref</c> local per function and <c>throw_ref</c> of it (guarded by a null test, rarely not).</param>
    /// <param name="Calls">Call-heavy code for the optimizing tier's calls and inlining: small leaf callees without a budget
    /// check (numeric or reference parameters and results, conditional traps and throws inside) called often, small
    /// non-leaf functions, wide signatures (6 to 19 parameters and up to 5 results of mixed types, beyond what the
    /// registers hold), a signature of scalars just around the register convention's limits, recursion chains (a depth parameter counted down to a base case that may trap, mutual when
    /// there are two, so traps come from deep inside with long backtraces), functions with many locals, and
    /// expressions keeping many values live across calls (not a 3.0 feature).</param>
    public readonly record struct Options(bool MultiMemory = false, bool Memory64 = false, bool FunctionReferences = false, bool RelaxedSimd = false,
        bool TailCalls = false, bool Exceptions = false, bool Calls = false)
    {
        /// <summary>Every feature the generator knows.</summary>
        public static Options All => new(true, true, true, true, true, true, true);
    }

    /// <summary>What a function is (<see cref="Options.Calls"/> adds the last three).</summary>
    private enum FunctionKind
    {
        Import,
        /// <summary>Budget check, one to eight statements, results.</summary>
        Regular,
        /// <summary>Budget check, at most one shallow statement, shallow results: small enough to inline now and then.</summary>
        Small,
        /// <summary>No budget check; calls only imports and leaves of lower index (so it always ends); tiny.</summary>
        Leaf,
        /// <summary>Recursion on an i32 depth parameter (masked to 0..63) down to a base case.</summary>
        Chain,
    }

    /// <summary>The type <c>exnref</c> (<c>(ref null exn)</c>).</summary>
    private static readonly ValType s_exnRef = RefTypes.Ref(AbstractHeapType.Exn, nullable: true);

    private static readonly Opcode[] s_operators = OperatorInfo.All.ToArray();

    private static readonly HashSet<string> s_nanProducing =
    [
        "add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest", "demote_f64", "promote_f32",
        "demote_f64x2_zero", "promote_low_f32x4",
    ];

    private readonly Random _random;
    private readonly bool _simd;
    private readonly bool _canonicalNaNs;
    private readonly Options _options;
    // Per memory (0 is $mem): whether it is 64-bit.
    private readonly List<bool> _memories = [];
    // The type of each function's typed-reference local, and its index in the function being generated (-1: none).
    private int _refType = -1;
    private int _refLocal = -1;
    // The tags' parameter types, and the exnref local of the function being generated (-1: none).
    private readonly List<ValType[]> _tags = [];
    private int _exnLocal = -1;
    private int _scratchF32, _scratchF64, _scratchV128;
    private readonly StringBuilder _out = new();
    private readonly List<ValType> _valueTypes;
    private readonly List<(ValType[] Params, ValType[] Results)> _types = [];
    private readonly List<int> _functionTypes = [];
    private readonly List<FunctionKind> _kinds = [];
    // The types of leaf functions and of recursion chains (Options.Calls).
    private readonly List<int> _leafTypes = [];
    private int _chainType = -1;
    // The function being generated, and whether it is a leaf (whose calls are restricted so that it always ends).
    private int _currentFunction;
    private bool _inLeaf;
    private readonly List<(ValType Type, bool Mutable)> _globals = [];
    private readonly Dictionary<ValType, List<Opcode>> _byResult = new();
    private readonly List<Opcode> _stores = [];
    private int _importCount;
    private int _funcTableSize;
    private int _refTableSize;

    // The function being generated.
    private List<ValType> _locals = [];
    private readonly List<Label> _labels = [];
    private int _nodes;
    private int _indent;

    private readonly record struct Label(bool IsLoop, ValType[] Results);

    /// <summary>
    /// A generator drawing from <paramref name="random"/>; <paramref name="simd"/> adds v128 values and operators;
    /// <paramref name="canonicalNaNs"/> replaces every NaN that float arithmetic makes by the canonical NaN, so no
    /// nondeterministic NaN bits reach memory, integers or v128 values (needed to compare with another engine).
    /// </summary>
    public ModuleGenerator(Random random, bool simd, bool canonicalNaNs = false, Options options = default)
    {
        _random = random;
        _options = options;
        _simd = simd;
        _canonicalNaNs = canonicalNaNs;
        _valueTypes = [ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.ExternRef, ValType.FuncRef];
        if (simd)
        {
            _valueTypes.Add(ValType.V128);
        }
        foreach (Opcode op in s_operators)
        {
            OperatorKind kind = OperatorInfo.Kind(op);
            // Relaxed SIMD stays out: its results are implementation-defined, so wasmtime (the reference) may choose
            // otherwise; RelaxedSimdTests compare the tiers on its operators.
            if (!OperatorInfo.HasFixedSignature(op) || (!simd && OperatorInfo.Feature(op) == "simd") || (OperatorInfo.IsRelaxedSimd(op) && !(simd && options.RelaxedSimd)))
            {
                continue;
            }
            if (kind is OperatorKind.Store or OperatorKind.StoreLane)
            {
                _stores.Add(op);
                continue;
            }
            if (kind is not (OperatorKind.Plain or OperatorKind.Load or OperatorKind.ExtractLane or OperatorKind.ReplaceLane or OperatorKind.LoadLane))
            {
                continue;
            }
            ReadOnlySpan<ValType> results = OperatorInfo.Results(op);
            if (results.Length != 1)
            {
                continue;
            }
            if (!_byResult.TryGetValue(results[0], out List<Opcode>? list))
            {
                _byResult[results[0]] = list = [];
            }
            list.Add(op);
        }
    }

    /// <summary>Makes one module's text.</summary>
    public string Generate()
    {
        Line("(module");
        _indent++;
        // Types: the imports' first, then random signatures for the defined functions.
        string[] logs = ["i32", "i64", "f32", "f64"];
        foreach (string t in logs)
        {
            _types.Add(([Parse(t)], []));
        }
        _types.Add(([ValType.I32], [ValType.ExternRef]));
        _types.Add(([ValType.ExternRef], [ValType.I32]));
        int signatures = 2 + _random.Next(5);
        for (int i = 0; i < signatures; i++)
        {
            _types.Add((RandomTypes(_random.Next(5)), RandomTypes(_random.Next(10) < 6 ? 1 : _random.Next(3))));
        }
        if (_options.Calls)
        {
            // Wide signatures (more arguments and results than the registers hold), leaf signatures (half without
            // references, which the inliner takes), one passing a reference through, and the recursion chains' one.
            int wide = 1 + _random.Next(2);
            for (int i = 0; i < wide; i++)
            {
                _leafTypes.Add(_types.Count);
                _types.Add((WideTypes(6 + _random.Next(14)), WideTypes(_random.Next(6))));
            }
            int leafTypes = 2 + _random.Next(3);
            for (int i = 0; i < leafTypes; i++)
            {
                bool numeric = _random.Next(2) == 0;
                int results = _random.Next(10) < 7 ? 1 : _random.Next(3);
                _leafTypes.Add(_types.Count);
                _types.Add(numeric ? (NumericTypes(_random.Next(4)), NumericTypes(results)) : (RandomTypes(_random.Next(4)), RandomTypes(results)));
            }
            // Around the limits of the optimizing tier's register convention (6 integer and 8 float argument registers,
            // one scalar result): one more or one fewer of each, in random order.
            int ints = 5 + _random.Next(3), floats = 7 + _random.Next(3);
            ValType[] boundary = Enumerable.Range(0, ints).Select(_ => _random.Next(2) == 0 ? ValType.I32 : ValType.I64)
                .Concat(Enumerable.Range(0, floats).Select(_ => _random.Next(2) == 0 ? ValType.F32 : ValType.F64))
                .Select(t => (Type: t, Key: _random.Next())).OrderBy(p => p.Key).Select(p => p.Type).ToArray();
            _leafTypes.Add(_types.Count);
            _types.Add((boundary, _random.Next(3) == 0 ? [] : [new[] { ValType.I32, ValType.I64, ValType.F32, ValType.F64 }[_random.Next(4)]]));
            ValType reference = _random.Next(2) == 0 ? ValType.ExternRef : ValType.FuncRef;
            _leafTypes.Add(_types.Count);
            _types.Add(([reference, .. NumericTypes(_random.Next(3))], [reference]));
            _chainType = _types.Count;
            _types.Add(([ValType.I32, .. RandomTypes(_random.Next(6))], RandomTypes(_random.Next(4))));
            signatures = _types.Count - 6;
        }
        _types.Add(([], []));
        for (int i = 0; i < _types.Count; i++)
        {
            Line($"(type $t{i} (func{Signature(_types[i].Params, _types[i].Results)}))");
        }
        for (int i = 0; i < logs.Length; i++)
        {
            Line($"(import \"fuzz\" \"log_{logs[i]}\" (func $log_{logs[i]} (type $t{i})))");
            _functionTypes.Add(i);
        }
        Line("(import \"fuzz\" \"make_ref\" (func $make_ref (type $t4)))");
        Line("(import \"fuzz\" \"ref_id\" (func $ref_id (type $t5)))");
        _functionTypes.Add(4);
        _functionTypes.Add(5);
        _importCount = _functionTypes.Count;
        _kinds.AddRange(Enumerable.Repeat(FunctionKind.Import, _importCount));
        int defined = 2 + _random.Next(7);
        for (int i = 0; i < defined; i++)
        {
            _functionTypes.Add(6 + _random.Next(signatures));
            _kinds.Add(_options.Calls && _random.Next(3) == 0 ? FunctionKind.Small : FunctionKind.Regular);
        }
        if (_options.Calls)
        {
            int leaves = 2 + _random.Next(5);
            for (int i = 0; i < leaves; i++)
            {
                _functionTypes.Add(_leafTypes[_random.Next(_leafTypes.Count)]);
                _kinds.Add(FunctionKind.Leaf);
            }
            int chains = 1 + _random.Next(2);
            for (int i = 0; i < chains; i++)
            {
                _functionTypes.Add(_chainType);
                _kinds.Add(FunctionKind.Chain);
            }
        }
        int functionCount = _functionTypes.Count;

        // Memory, tables, globals, segments.
        int memoryCount = 1 + (_options.MultiMemory ? 1 + _random.Next(2) : 0);
        for (int m = 0; m < memoryCount; m++)
        {
            bool is64 = _options.Memory64 && _random.Next(2) == 0;
            _memories.Add(is64);
            int maxPages = 1 + _random.Next(4);
            Line($"(memory {MemoryName(m)}{(is64 ? " i64" : "")} 1 {maxPages})");
        }
        _funcTableSize = functionCount + _random.Next(4);
        _refTableSize = 2 + _random.Next(6);
        Line($"(table $funcs {_funcTableSize} {_funcTableSize + 8} funcref)");
        Line($"(table $refs {_refTableSize} {_refTableSize + 8} externref)");
        if (_options.Exceptions)
        {
            int tags = 1 + _random.Next(3);
            for (int i = 0; i < tags; i++)
            {
                _tags.Add(RandomTypes(_random.Next(4)));
                Line($"(tag $e{i} (export \"e{i}\"){Signature(_tags[i], [])})");
            }
        }
        Line("(global $budget (mut i32) (i32.const 0))");
        int globals = 3 + _random.Next(6);
        for (int i = 0; i < globals; i++)
        {
            ValType type = _valueTypes[_random.Next(_valueTypes.Count)];
            bool mutable = _random.Next(4) != 0;
            _globals.Add((type, mutable));
            string init = type == ValType.FuncRef && _random.Next(2) == 0 ? $"ref.func {_random.Next(functionCount)}" : Constant(type);
            Line($"(global $g{i} (export \"g{i}\") {(mutable ? $"(mut {type.ToWatName()})" : type.ToWatName())} ({init}))");
        }
        Line($"(elem (table $funcs) (i32.const 0) func {string.Join(' ', Enumerable.Range(0, functionCount))})");
        Line($"(elem $passive func {string.Join(' ', Enumerable.Range(0, 1 + _random.Next(functionCount)).Select(_ => _random.Next(functionCount)))})");
        Line($"(data ({AddressType(0)}.const {_random.Next(200)}) \"{RandomBytes(8 + _random.Next(40))}\")");
        for (int m = 1; m < _memories.Count; m++)
        {
            Line($"(data (memory {MemoryName(m)}) ({AddressType(m)}.const {_random.Next(200)}) \"{RandomBytes(8 + _random.Next(40))}\")");
        }
        Line($"(data $passive_data \"{RandomBytes(4 + _random.Next(60))}\")");
        Line("(export \"memory\" (memory $mem))");
        for (int m = 1; m < _memories.Count; m++)
        {
            Line($"(export \"memory{m}\" (memory {MemoryName(m)}))");
        }
        Line("(export \"funcs\" (table $funcs))");
        Line("(export \"refs\" (table $refs))");
        for (int f = _importCount; f < functionCount; f++)
        {
            Function(f);
        }
        // Last, so the generated functions keep the indices computed above.
        Line($"(func (export \"hangLimitInitializer\") (global.set $budget (i32.const {500 + _random.Next(1500)})))");
        _indent--;
        Line(")");
        return _out.ToString();
    }

    private void Function(int index)
    {
        (ValType[] parameters, ValType[] results) = _types[_functionTypes[index]];
        FunctionKind kind = _kinds[index];
        _currentFunction = index;
        _locals = [.. parameters];
        // Many locals now and then (register pressure across the calls and loops that use them).
        int extra = kind switch
        {
            FunctionKind.Leaf => _random.Next(2),
            FunctionKind.Regular when _options.Calls && _random.Next(3) == 0 => 8 + _random.Next(17),
            _ => _random.Next(6),
        };
        var declared = new List<ValType>();
        for (int i = 0; i < extra; i++)
        {
            declared.Add(_valueTypes[_random.Next(_valueTypes.Count)]);
        }
        _locals.AddRange(declared);
        // Scratch locals of the NaN canonicalization, after the others and never picked at random.
        _scratchF32 = _locals.Count;
        _scratchF64 = _locals.Count + 1;
        _scratchV128 = _locals.Count + 2;
        declared.AddRange([ValType.F32, ValType.F64]);
        if (_simd)
        {
            declared.Add(ValType.V128);
        }
        var declaredNames = declared.Select(t => t.ToWatName()).ToList();
        _refLocal = -1;
        if (_options.FunctionReferences && kind != FunctionKind.Leaf)
        {
            // A typed reference to functions of a type some defined function has (so ref.func can fill it).
            _refType = _functionTypes[_importCount + _random.Next(_functionTypes.Count - _importCount)];
            _refLocal = parameters.Length + declared.Count;
            declaredNames.Add($"(ref null $t{_refType})");
        }
        _exnLocal = -1;
        if (_options.Exceptions && kind != FunctionKind.Leaf)
        {
            _exnLocal = parameters.Length + declaredNames.Count;
            declaredNames.Add("exnref");
        }
        Line($"(func $f{index} (export \"f{index}\") (type $t{_functionTypes[index]})" +
             (declaredNames.Count > 0 ? $" (local {string.Join(' ', declaredNames)})" : ""));
        _indent++;
        _nodes = 0;
        _labels.Clear();
        _labels.Add(new Label(false, results));
        if (kind == FunctionKind.Leaf)
        {
            LeafBody(results);
            _indent--;
            Line(")");
            return;
        }
        // The budget: each entry spends one unit; with none left, return zeros.
        Line("global.get $budget");
        Line("i32.eqz");
        Line("if");
        foreach (ValType t in results)
        {
            Line(Constant(t, zero: true));
        }
        Line("return");
        Line("end");
        SpendBudgetUnit();
        if (kind == FunctionKind.Chain)
        {
            ChainBody(parameters, results);
            _indent--;
            Line(")");
            return;
        }
        bool small = kind == FunctionKind.Small;
        int statements = small ? _random.Next(2) : 1 + _random.Next(8);
        for (int i = 0; i < statements; i++)
        {
            Statement(small ? 1 : 3);
        }
        if (small)
        {
            foreach (ValType t in results)
            {
                Expression(t, 2);
            }
        }
        else if (_options.TailCalls && _random.Next(4) == 0)
        {
            // The results come from a tail call (at worst of this function itself: the budget ends the chain).
            TailCall(4);
        }
        else
        {
            foreach (ValType t in results)
            {
                Expression(t, 4);
            }
        }
        _indent--;
        Line(")");
    }

    /// <summary>
    /// A leaf's body: at most one statement (a conditional trap, a throw, a store or a local or global set, a log), then
    /// shallow expressions for the results. Its calls go only to imports and lower leaves (<see cref="CanCall"/>).
    /// </summary>
    private void LeafBody(ValType[] results)
    {
        _inLeaf = true;
        switch (_random.Next(6))
        {
            case 0:
                ConditionalTrap();
                break;
            case 1 when _options.Exceptions:
                ThrowStatement(1);
                break;
            case 2:
            case 3:
                SimpleStatement();
                break;
        }
        foreach (ValType t in results)
        {
            Expression(t, 1 + _random.Next(2));
        }
        _inLeaf = false;
    }

    /// <summary><c>unreachable</c> when the low three bits of a random i32 are clear.</summary>
    private void ConditionalTrap()
    {
        Expression(ValType.I32, 1);
        Line("i32.const 7");
        Line("i32.and");
        Line("i32.eqz");
        Line("if");
        _indent++;
        Line("unreachable");
        _indent--;
        Line("end");
    }

    /// <summary>
    /// A recursion chain's body (after the budget check): the depth parameter masked to 0..63; at 0 the base case
    /// (maybe a trap or a call of a leaf, then the results), else a call of a chain function (this one or another)
    /// with the depth less one, its results kept on the stack across a statement now and then.
    /// </summary>
    private void ChainBody(ValType[] parameters, ValType[] results)
    {
        Line("local.get 0");
        Line($"i32.const {(_random.Next(3) == 0 ? 15 : 63)}");
        Line("i32.and");
        Line("local.tee 0");
        Line("i32.eqz");
        Line($"if{Signature([], results)}");
        Block(3, results, () =>
        {
            switch (_random.Next(4))
            {
                case 0:
                    ConditionalTrap();
                    break;
                case 1 when _options.Exceptions:
                    ThrowStatement(2);
                    break;
                default:
                    Statement(2);
                    break;
            }
            foreach (ValType t in results)
            {
                Expression(t, 2);
            }
            _indent--;
            Line("else");
            _indent++;
            if (_random.Next(3) == 0)
            {
                Statement(2);
            }
            Line("local.get 0");
            Line("i32.const 1");
            Line("i32.sub");
            Arguments(parameters[1..], 2);
            int[] chains = Enumerable.Range(0, _kinds.Count).Where(f => _kinds[f] == FunctionKind.Chain).ToArray();
            Line($"call {chains[_random.Next(chains.Length)]}");
            if (_random.Next(2) == 0)
            {
                // The results stay live (on the stack) across more code, calls included.
                Statement(2);
            }
        });
    }

    /// <summary>Whether the function being generated may call <paramref name="f"/>: anything, except that a leaf calls only imports and lower leaves.</summary>
    private bool CanCall(int f) => !_inLeaf || _kinds[f] == FunctionKind.Import || (_kinds[f] == FunctionKind.Leaf && f < _currentFunction);

    /// <summary>A callee that <paramref name="fits"/> and <see cref="CanCall"/>: half the time a leaf when there is one (-1: none at all).</summary>
    private int PickCallee(Func<int, bool> fits)
    {
        int[] candidates = Enumerable.Range(0, _functionTypes.Count).Where(f => fits(f) && CanCall(f)).ToArray();
        if (candidates.Length == 0)
        {
            return -1;
        }
        int[] leaves = candidates.Where(f => _kinds[f] == FunctionKind.Leaf).ToArray();
        return leaves.Length > 0 && _random.Next(2) == 0 ? leaves[_random.Next(leaves.Length)] : candidates[_random.Next(candidates.Length)];
    }

    /// <summary>A call of a function whose one result is <paramref name="type"/>; false when there is none to call.</summary>
    private bool CallReturning(ValType type, int depth)
    {
        int f = PickCallee(f => _types[_functionTypes[f]].Results is [var r] && r == type);
        if (f < 0)
        {
            return false;
        }
        Arguments(_types[_functionTypes[f]].Params, depth);
        Line($"call {f}");
        return true;
    }

    /// <summary>
    /// Many values of <paramref name="type"/> pushed one after the other (calls among them), then folded into one by binary
    /// operators: all but the last live across the later calls (register pressure, spills across calls).
    /// </summary>
    private void ManyLiveValues(ValType type, int depth)
    {
        int count = 3 + _random.Next(_options.Calls ? 14 : 6);
        for (int i = 0; i < count; i++)
        {
            if (_random.Next(3) != 0 || !CallReturning(type, Math.Min(depth, 2)))
            {
                Expression(type, Math.Min(depth - 1, 2));
            }
        }
        string t = type.ToWatName();
        for (int i = 1; i < count; i++)
        {
            if (type == ValType.V128)
            {
                Line(new[] { "v128.xor", "v128.or", "i32x4.add", "i16x8.sub", "i64x2.add", "i8x16.add" }[_random.Next(6)]);
            }
            else if (type is ValType.F32 or ValType.F64)
            {
                Line($"{t}.{new[] { "add", "sub", "mul", "min", "max" }[_random.Next(5)]}");
                if (_canonicalNaNs)
                {
                    CanonicalizeNaN(t);
                }
            }
            else
            {
                Line($"{t}.{new[] { "add", "sub", "xor", "or", "and", "mul" }[_random.Next(6)]}");
            }
        }
    }

    /// <summary>
    /// A value through a <c>br_table</c> with a value: one to eight nested blocks of result <paramref name="type"/> inside
    /// an outer one; the table sends the value to one of them (or straight out), and each block's end changes it and
    /// falls into the next end.
    /// </summary>
    private void BranchTableValue(ValType type, int depth)
    {
        int cases = 1 + _random.Next(_options.Calls ? 8 : 4);
        string signature = Signature([], [type]);
        for (int i = 0; i <= cases; i++)
        {
            Line("block" + signature);
            _indent++;
            _labels.Add(new Label(false, [type]));
        }
        Expression(type, depth - 1);
        if (_random.Next(3) == 0)
        {
            Line($"i32.const {_random.Next(cases + 3)}");
        }
        else
        {
            Expression(ValType.I32, depth - 1);
        }
        int targets = 1 + _random.Next(2 * cases + 2);
        Line($"br_table {string.Join(' ', Enumerable.Range(0, targets).Select(_ => _random.Next(cases + 1)))}");
        for (int i = 0; i <= cases; i++)
        {
            _labels.RemoveAt(_labels.Count - 1);
            _indent--;
            Line("end");
            if (i < cases)
            {
                ChangeValue(type);
            }
        }
    }

    /// <summary>An operation turning the value of <paramref name="type"/> on top of the stack into another of that type (or none), never a new NaN.</summary>
    private void ChangeValue(ValType type)
    {
        string t = type.ToWatName();
        switch (type)
        {
            case ValType.I32 or ValType.I64:
                Line($"{t}.const {_random.Next(1, 1000)}");
                Line($"{t}.{new[] { "add", "xor", "rotl", "mul" }[_random.Next(4)]}");
                break;
            case ValType.F32 or ValType.F64:
                if (_random.Next(3) != 0)
                {
                    Line($"{t}.{(_random.Next(2) == 0 ? "neg" : "abs")}");
                }
                break;
            case ValType.V128:
                if (_random.Next(2) == 0)
                {
                    Line("v128.not");
                }
                break;
        }
    }

    /// <summary>
    /// A dispatch loop as an interpreter's: <c>br_table</c> over two to twelve case blocks (or out), each case's code
    /// followed by going round again (spending budget) or falling into the next case; with an i32 local as the state
    /// that the cases set.
    /// </summary>
    private void DispatchLoop(int depth)
    {
        int cases = 2 + _random.Next(_options.Calls ? 11 : 4);
        int[] i32Locals = Enumerable.Range(0, _locals.Count).Where(l => _locals[l] == ValType.I32).ToArray();
        int state = i32Locals.Length > 0 && _random.Next(3) != 0 ? i32Locals[_random.Next(i32Locals.Length)] : -1;
        Line("block");
        _indent++;
        _labels.Add(new Label(false, []));
        Line("loop");
        _indent++;
        _labels.Add(new Label(true, []));
        for (int i = 0; i < cases; i++)
        {
            Line("block");
            _indent++;
            _labels.Add(new Label(false, []));
        }
        if (state >= 0)
        {
            Line($"local.get {state}");
        }
        else
        {
            Expression(ValType.I32, depth - 1);
        }
        // Targets: the cases (0..cases-1) and the exit (cases+1), never the loop itself (which spends no budget).
        int targets = 1 + _random.Next(cases + 4);
        Line($"br_table {string.Join(' ', Enumerable.Range(0, targets).Select(_ => _random.Next(8) == 0 ? cases + 1 : _random.Next(cases)))}");
        for (int i = 0; i < cases; i++)
        {
            _labels.RemoveAt(_labels.Count - 1);
            _indent--;
            Line("end");
            Statements(depth - 1);
            if (state >= 0 && _random.Next(2) == 0)
            {
                Line($"i32.const {_random.Next(cases + 2)}");
                Line($"local.set {state}");
            }
            if (_random.Next(4) == 0)
            {
                // Fall into the next case.
                continue;
            }
            OpenIfBudgetLeft();
            // The loop's label: past the cases still open and this if.
            int loop = cases - 1 - i + 1;
            if (_random.Next(3) == 0)
            {
                Expression(ValType.I32, Math.Min(depth, 2));
                Line($"br_if {loop}");
            }
            else
            {
                Line($"br {loop}");
            }
            _labels.RemoveAt(_labels.Count - 1);
            _indent--;
            Line("end");
        }
        _labels.RemoveAt(_labels.Count - 1);
        _indent--;
        Line("end");
        _labels.RemoveAt(_labels.Count - 1);
        _indent--;
        Line("end");
    }

    // ---- statements: leave the operand stack as they found it.

    private void Statement(int depth)
    {
        _nodes++;
        if (depth <= 0 || _nodes > 400)
        {
            SimpleStatement();
            return;
        }
        switch (_random.Next(16))
        {
            case 0:
            case 1:
                SimpleStatement();
                break;
            case 2:
                Expression(ValType.I32, depth - 1);
                Line("if");
                Block(depth, [], () =>
                {
                    Statements(depth - 1);
                    if (_random.Next(2) == 0)
                    {
                        _indent--;
                        Line("else");
                        _indent++;
                        Statements(depth - 1);
                    }
                });
                break;
            case 3:
                Line("block");
                Block(depth, [], () => Statements(depth - 1));
                break;
            case 4:
                // A loop that runs while the budget lasts and its condition holds.
                Line("loop");
                Block(depth, [], () =>
                {
                    Statements(depth - 1);
                    LoopBackEdge(depth);
                }, isLoop: true);
                break;
            case 5:
            {
                int f = PickCallee(_ => true);
                (ValType[] p, ValType[] r) = _types[_functionTypes[f]];
                Arguments(p, depth);
                Line($"call {f}");
                DropAll(r);
                break;
            }
            case 6 when !_inLeaf:
            {
                int type = _random.Next(_types.Count);
                (ValType[] p, ValType[] r) = _types[type];
                Arguments(p, depth);
                CalleeIndex(type, depth);
                Line($"call_indirect $funcs (type $t{type})");
                DropAll(r);
                break;
            }
            case 7:
                BranchStatement(depth);
                break;
            case 8:
                BulkStatement(depth);
                break;
            case 9:
            {
                ValType t = RandomType();
                Expression(t, depth);
                Line(t == ValType.I32 || t == ValType.I64 || t == ValType.F32 || t == ValType.F64 ? $"call $log_{t.ToWatName()}" : "drop");
                break;
            }
            case 11 when _refLocal >= 0:
                FunctionReferenceStatement(depth);
                break;
            case 12 when _options.Exceptions:
                ThrowStatement(depth);
                break;
            case 13 when _exnLocal >= 0:
                TryTable([], depth);
                break;
            case 14 when _exnLocal >= 0 && _random.Next(2) == 0:
                ThrowRefStatement(depth);
                break;
            case 15 when depth >= 2 && !_inLeaf:
                DispatchLoop(depth);
                break;
            case 10 when _options.TailCalls && !_inLeaf && _random.Next(3) == 0:
                if (_random.Next(3) == 0)
                {
                    TailCall(depth);
                }
                else
                {
                    Expression(ValType.I32, depth - 1);
                    Line("if");
                    Block(depth, [], () => TailCall(depth));
                }
                break;
            case 10:
                if (_random.Next(8) == 0)
                {
                    foreach (ValType t in _labels[0].Results)
                    {
                        Expression(t, depth - 1);
                    }
                    Line("return");
                }
                else
                {
                    SimpleStatement();
                }
                break;
            default:
                SimpleStatement(depth);
                break;
        }
    }

    private void Statements(int depth)
    {
        int n = _random.Next(4);
        for (int i = 0; i < n; i++)
        {
            Statement(depth);
        }
    }

    private void SimpleStatement(int depth = 1)
    {
        switch (_random.Next(5))
        {
            case 0:
            case 1:
            {
                int local = _random.Next(_locals.Count + 1) - 1;
                if (local >= 0)
                {
                    Expression(_locals[local], depth);
                    Line($"local.set {local}");
                    return;
                }
                goto case 2;
            }
            case 2:
            {
                int[] mutable = Enumerable.Range(0, _globals.Count).Where(g => _globals[g].Mutable).ToArray();
                if (mutable.Length > 0)
                {
                    int g = mutable[_random.Next(mutable.Length)];
                    Expression(_globals[g].Type, depth);
                    Line($"global.set $g{g}");
                    return;
                }
                goto default;
            }
            case 3:
            {
                Opcode store = _stores[_random.Next(_stores.Count)];
                ReadOnlySpan<ValType> p = OperatorInfo.Params(store);
                int memory = RandomMemory();
                Address(depth, memory);
                Expression(p[1], depth);
                Line($"{OperatorInfo.Name(store)} {MemoryImmediate(memory)}{MemArg(store)}{Lane(store)}");
                return;
            }
            default:
            {
                ValType t = RandomType();
                Expression(t, depth);
                Line("drop");
                return;
            }
        }
    }

    private void BranchStatement(int depth)
    {
        // Targets: the enclosing blocks without results (loops are entered again only through LoopBackEdge).
        List<int> targets = [];
        for (int i = 0; i < _labels.Count; i++)
        {
            Label label = _labels[_labels.Count - 1 - i];
            if (!label.IsLoop && label.Results.Length == 0)
            {
                targets.Add(i);
            }
        }
        if (targets.Count == 0)
        {
            SimpleStatement(depth);
            return;
        }
        Expression(ValType.I32, depth - 1);
        if (_random.Next(3) == 0)
        {
            int n = _random.Next(4) == 0 ? 5 + _random.Next(12) : _random.Next(5);
            Line($"br_table {string.Join(' ', Enumerable.Range(0, n + 1).Select(_ => targets[_random.Next(targets.Count)]))}");
        }
        else
        {
            Line($"br_if {targets[_random.Next(targets.Count)]}");
        }
    }

    private void BulkStatement(int depth)
    {
        switch (_random.Next(9))
        {
            case 0:
            {
                int memory = RandomMemory();
                Address(depth, memory);
                Expression(ValType.I32, 1);
                SmallLength(_memories[memory]);
                Line($"memory.fill{MemoryOperand(memory)}");
                break;
            }
            case 1:
            {
                int destination = RandomMemory(), source = RandomMemory();
                Address(depth, destination);
                Address(depth, source);
                // The length is 64-bit only when both memories are.
                SmallLength(_memories[destination] && _memories[source]);
                Line(destination == 0 && source == 0 ? "memory.copy" : $"memory.copy {MemoryName(destination)} {MemoryName(source)}");
                break;
            }
            case 2:
            {
                int memory = RandomMemory();
                Address(depth, memory);
                Line($"i32.const {_random.Next(8)}");
                Line($"i32.const {_random.Next(8)}");
                Line($"memory.init{MemoryOperand(memory)} $passive_data");
                break;
            }
            case 3:
                Line(_random.Next(2) == 0 ? "data.drop $passive_data" : "elem.drop $passive");
                break;
            case 4:
            {
                bool refs = _random.Next(2) == 0;
                TableIndex(refs ? _refTableSize : _funcTableSize, depth);
                Expression(refs ? ValType.ExternRef : ValType.FuncRef, depth - 1);
                Line(refs ? "table.set $refs" : "table.set $funcs");
                break;
            }
            case 5:
            {
                bool refs = _random.Next(2) == 0;
                TableIndex(refs ? _refTableSize : _funcTableSize, depth);
                Expression(refs ? ValType.ExternRef : ValType.FuncRef, depth - 1);
                Line($"i32.const {_random.Next(4)}");
                Line(refs ? "table.fill $refs" : "table.fill $funcs");
                break;
            }
            case 6:
            {
                bool refs = _random.Next(2) == 0;
                int size = refs ? _refTableSize : _funcTableSize;
                TableIndex(size, depth);
                TableIndex(size, depth);
                Line($"i32.const {_random.Next(4)}");
                Line(refs ? "table.copy $refs $refs" : "table.copy $funcs $funcs");
                break;
            }
            case 7:
                TableIndex(_funcTableSize, depth);
                Line($"i32.const {_random.Next(3)}");
                Line($"i32.const {_random.Next(3)}");
                Line("table.init $funcs $passive");
                break;
            default:
            {
                bool refs = _random.Next(2) == 0;
                Expression(refs ? ValType.ExternRef : ValType.FuncRef, depth - 1);
                Line($"i32.const {_random.Next(3)}");
                Line(refs ? "table.grow $refs" : "table.grow $funcs");
                Line("drop");
                break;
            }
        }
    }

    /// <summary>Opens an <c>if</c> (a label without results) taken while budget is left, and spends a unit inside it.</summary>
    private void OpenIfBudgetLeft()
    {
        Line("global.get $budget");
        Line("if");
        _indent++;
        _labels.Add(new Label(false, []));
        SpendBudgetUnit();
    }

    private void SpendBudgetUnit()
    {
        Line("global.get $budget");
        Line("i32.const 1");
        Line("i32.sub");
        Line("global.set $budget");
    }

    /// <summary>The end of a loop body: spend a unit of budget and go round again if some is left and a condition holds.</summary>
    private void LoopBackEdge(int depth)
    {
        OpenIfBudgetLeft();
        Expression(ValType.I32, Math.Min(depth, 2));
        Line("br_if 1");
        _labels.RemoveAt(_labels.Count - 1);
        _indent--;
        Line("end");
    }

    private void Block(int depth, ValType[] results, Action body, bool isLoop = false)
    {
        _indent++;
        _labels.Add(new Label(isLoop, results));
        body();
        _labels.RemoveAt(_labels.Count - 1);
        _indent--;
        Line("end");
    }

    // ---- expressions: push exactly one value of the type.

    private void Expression(ValType type, int depth)
    {
        _nodes++;
        if (depth <= 0 || _nodes > 600 || _random.Next(6) == 0)
        {
            Leaf(type);
            return;
        }
        int choice = _random.Next(20);
        switch (choice)
        {
            case < 7:
                if (type.IsReference())
                {
                    ReferenceExpression(type, depth);
                }
                else
                {
                    Operator(type, depth);
                }
                return;
            case 7:
                // A call to a function with this one result.
                if (!CallReturning(type, depth))
                {
                    goto default;
                }
                return;
            case 8 when !_inLeaf:
            {
                int[] candidates = Enumerable.Range(0, _types.Count).Where(t => _types[t].Results is [var r] && r == type).ToArray();
                if (candidates.Length == 0)
                {
                    goto default;
                }
                int t = candidates[_random.Next(candidates.Length)];
                Arguments(_types[t].Params, depth);
                CalleeIndex(t, depth);
                Line($"call_indirect $funcs (type $t{t})");
                return;
            }
            case 9:
                Expression(type, depth - 1);
                Expression(type, depth - 1);
                Expression(ValType.I32, depth - 1);
                Line(type.IsNumeric() && _random.Next(2) == 0 ? "select" : $"select (result {type.ToWatName()})");
                return;
            case 10:
                Line($"block (result {type.ToWatName()})");
                Block(depth, [type], () =>
                {
                    Statements(depth - 2);
                    Expression(type, depth - 1);
                    if (_random.Next(2) == 0)
                    {
                        // Leave early with the value when a condition holds.
                        Expression(ValType.I32, depth - 2);
                        Line("br_if 0");
                        Line("drop");
                        Expression(type, depth - 1);
                    }
                });
                return;
            case 11:
                Expression(ValType.I32, depth - 1);
                Line($"if (result {type.ToWatName()})");
                Block(depth, [type], () =>
                {
                    Statements(depth - 2);
                    Expression(type, depth - 1);
                    _indent--;
                    Line("else");
                    _indent++;
                    Expression(type, depth - 1);
                });
                return;
            case 12:
                Line($"loop (result {type.ToWatName()})");
                Block(depth, [type], () =>
                {
                    Statements(depth - 2);
                    LoopBackEdge(depth);
                    Expression(type, depth - 1);
                }, isLoop: true);
                return;
            case 13:
            {
                int[] locals = Enumerable.Range(0, _locals.Count).Where(l => _locals[l] == type).ToArray();
                if (locals.Length == 0)
                {
                    goto default;
                }
                Expression(type, depth - 1);
                Line($"local.tee {locals[_random.Next(locals.Length)]}");
                return;
            }
            case 14 when type == ValType.I32:
                I32Special(depth);
                return;
            case 15 when _exnLocal >= 0:
                TryTable([type], depth);
                return;
            case 16 when type.IsNumeric() || type == ValType.V128:
                ManyLiveValues(type, depth);
                return;
            case 17:
                BranchTableValue(type, depth);
                return;
            default:
                if (type.IsReference())
                {
                    ReferenceExpression(type, depth);
                }
                else
                {
                    Operator(type, depth);
                }
                return;
        }
    }

    private void I32Special(int depth)
    {
        switch (_random.Next(7))
        {
            case 0:
            {
                int memory = RandomMemory();
                Line($"memory.size{MemoryOperand(memory)}");
                WrapIf64(memory);
                break;
            }
            case 1:
            {
                int memory = RandomMemory();
                Line($"{AddressType(memory)}.const {_random.Next(3)}");
                Line($"memory.grow{MemoryOperand(memory)}");
                WrapIf64(memory);
                break;
            }
            case 2:
                Line(_random.Next(2) == 0 ? "table.size $funcs" : "table.size $refs");
                break;
            case 3:
            {
                bool refs = _random.Next(2) == 0;
                Expression(refs ? ValType.ExternRef : ValType.FuncRef, depth - 1);
                Line("ref.is_null");
                break;
            }
            case 4:
                Expression(ValType.ExternRef, depth - 1);
                Line("call $ref_id");
                break;
            default:
                Operator(ValType.I32, depth);
                break;
        }
    }

    private void ReferenceExpression(ValType type, int depth)
    {
        bool extern_ = type == ValType.ExternRef;
        switch (_random.Next(4))
        {
            case 0:
                TableIndex(extern_ ? _refTableSize : _funcTableSize, depth);
                Line(extern_ ? "table.get $refs" : "table.get $funcs");
                break;
            case 1 when extern_:
                Expression(ValType.I32, depth - 1);
                Line("call $make_ref");
                break;
            case 1:
                Line($"ref.func {_random.Next(_functionTypes.Count)}");
                break;
            case 2 when !extern_ && _refLocal >= 0:
                // (ref null $t) is a subtype of funcref.
                Line($"local.get {_refLocal}");
                break;
            default:
                Leaf(type);
                break;
        }
    }

    private void Operator(ValType type, int depth)
    {
        if (!_byResult.TryGetValue(type, out List<Opcode>? candidates))
        {
            Leaf(type);
            return;
        }
        Opcode op = candidates[_random.Next(candidates.Count)];
        OperatorKind kind = OperatorInfo.Kind(op);
        ReadOnlySpan<ValType> parameters = OperatorInfo.Params(op);
        int memory = kind is OperatorKind.Load or OperatorKind.LoadLane ? RandomMemory() : 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (i == 0 && kind is OperatorKind.Load or OperatorKind.LoadLane)
            {
                Address(depth, memory);
            }
            else
            {
                Expression(parameters[i], depth - 1);
            }
        }
        string name = OperatorInfo.Name(op);
        if (kind == OperatorKind.Plain && (name.Contains(".div_", StringComparison.Ordinal) || name.Contains(".rem_", StringComparison.Ordinal))
            && _random.Next(5) != 0)
        {
            // Mostly a divisor that is not zero (and not -1, so no overflow either).
            string t = name[..3];
            Line($"{t}.const 2");
            Line($"{t}.or");
        }
        string immediates = kind switch
        {
            OperatorKind.Load or OperatorKind.LoadLane => " " + MemoryImmediate(memory) + MemArg(op) + Lane(op),
            OperatorKind.ExtractLane or OperatorKind.ReplaceLane => Lane(op),
            _ => "",
        };
        Line(name + immediates);
        if (_canonicalNaNs && kind == OperatorKind.Plain && s_nanProducing.Contains(name[(name.IndexOf('.') + 1)..]))
        {
            CanonicalizeNaN(name[..name.IndexOf('.')]);
        }
    }

    /// <summary>Replaces a NaN on top of the stack (a float, or float lanes of a v128) by the canonical NaN.</summary>
    private void CanonicalizeNaN(string shape)
    {
        switch (shape)
        {
            case "f32":
            case "f64":
                // select(x, nan, x == x): x unless it is a NaN.
                int scratch = shape == "f32" ? _scratchF32 : _scratchF64;
                Line($"local.tee {scratch}");
                Line($"{shape}.const nan");
                Line($"local.get {scratch}");
                Line($"local.get {scratch}");
                Line($"{shape}.eq");
                Line("select");
                break;
            case "f32x4":
            case "f64x2":
                Line($"local.tee {_scratchV128}");
                Line(shape == "f32x4" ? "v128.const f32x4 nan nan nan nan" : "v128.const f64x2 nan nan");
                Line($"local.get {_scratchV128}");
                Line($"local.get {_scratchV128}");
                Line($"{shape}.eq");
                Line("v128.bitselect");
                break;
        }
    }

    private void Leaf(ValType type)
    {
        int choice = _random.Next(3);
        if (choice == 0)
        {
            int[] locals = Enumerable.Range(0, _locals.Count).Where(l => _locals[l] == type).ToArray();
            if (locals.Length > 0)
            {
                Line($"local.get {locals[_random.Next(locals.Length)]}");
                return;
            }
        }
        else if (choice == 1)
        {
            int[] globals = Enumerable.Range(0, _globals.Count).Where(g => _globals[g].Type == type).ToArray();
            if (globals.Length > 0)
            {
                Line($"global.get $g{globals[_random.Next(globals.Length)]}");
                return;
            }
        }
        Line(Constant(type));
    }

    private void Arguments(ValType[] parameters, int depth)
    {
        foreach (ValType p in parameters)
        {
            Expression(p, depth - 1);
        }
    }

    private void DropAll(ValType[] results)
    {
        foreach (ValType _ in results)
        {
            Line("drop");
        }
    }

    /// <summary>An address: mostly inside the first page (masked), sometimes anything (to trap).</summary>
    private void Address(int depth, int memory = 0)
    {
        bool is64 = _memories.Count > 0 && _memories[memory];
        if (is64 && _random.Next(12) == 0)
        {
            // Far out of a 32-bit memory's reach.
            Line($"i64.const {(_random.Next(2) == 0 ? 0x1_0000_0000L : -8L)}");
            return;
        }
        if (_random.Next(3) == 0)
        {
            Line($"i32.const {_random.Next(65536 + 64) - 16}");
        }
        else
        {
            Expression(ValType.I32, depth - 1);
            if (_random.Next(10) != 0)
            {
                Line($"i32.const {(_random.Next(4) switch { 0 => 0x7FF0, 1 => 0xFFF0, _ => 0x3FF })}");
                Line("i32.and");
            }
        }
        if (is64)
        {
            Line("i64.extend_i32_u");
        }
    }

    private int RandomMemory() => _memories.Count <= 1 ? 0 : _random.Next(_memories.Count);

    private static string MemoryName(int memory) => memory == 0 ? "$mem" : $"$m{memory}";

    /// <summary>The memory operand of a load or store: nothing for memory 0 (the 2.0 text), else its name and a space.</summary>
    private static string MemoryImmediate(int memory) => memory == 0 ? "" : MemoryName(memory) + " ";

    /// <summary>The memory operand of memory.size/grow/fill/init: nothing for memory 0, else a space and its name.</summary>
    private static string MemoryOperand(int memory) => memory == 0 ? "" : " " + MemoryName(memory);

    private string AddressType(int memory) => _memories[memory] ? "i64" : "i32";

    private void WrapIf64(int memory)
    {
        if (_memories[memory])
        {
            Line("i32.wrap_i64");
        }
    }

    /// <summary>
    /// Uses the function's <c>(ref null $t)</c> local: set it (<c>ref.func</c> of a function of that type, or null),
    /// call through it with <c>call_ref</c> (as is, after <c>ref.as_non_null</c>, or past a <c>br_on_null</c>), or
    /// call a <c>ref.func</c> directly.
    /// </summary>
    private void FunctionReferenceStatement(int depth)
    {
        (ValType[] p, ValType[] r) = _types[_refType];
        int[] matching = Enumerable.Range(0, _functionTypes.Count).Where(f => _functionTypes[f] == _refType).ToArray();
        switch (_random.Next(5))
        {
            case 0:
                Line(_random.Next(6) == 0 ? $"ref.null $t{_refType}" : $"ref.func {matching[_random.Next(matching.Length)]}");
                Line($"local.set {_refLocal}");
                break;
            case 1:
            case 2:
                Arguments(p, depth);
                Line($"local.get {_refLocal}");
                if (_random.Next(2) == 0)
                {
                    Line("ref.as_non_null");
                }
                Line($"call_ref $t{_refType}");
                DropAll(r);
                break;
            case 3:
                Line("block");
                Block(depth, [], () =>
                {
                    Line($"local.get {_refLocal}");
                    Line("br_on_null 0");
                    Line("drop");
                    Arguments(p, depth);
                    Line($"local.get {_refLocal}");
                    Line($"call_ref $t{_refType}");
                    DropAll(r);
                });
                break;
            default:
                Arguments(p, depth);
                Line($"ref.func {matching[_random.Next(matching.Length)]}");
                Line($"call_ref $t{_refType}");
                DropAll(r);
                break;
        }
    }

    /// <summary>
    /// A tail call whose callee returns what this function returns: <c>return_call</c> of a defined or imported function
    /// (this one is always a candidate), <c>return_call_indirect</c> through <c>$funcs</c>, or <c>return_call_ref</c> of
    /// the typed-reference local when its type fits. Unreachable code follows, as after <c>return</c>.
    /// </summary>
    private void TailCall(int depth)
    {
        ValType[] results = _labels[0].Results;
        int choice = _random.Next(_refLocal >= 0 && _types[_refType].Results.SequenceEqual(results) ? 4 : 3);
        if (choice == 1)
        {
            int[] types = Enumerable.Range(0, _types.Count).Where(t => _types[t].Results.SequenceEqual(results)).ToArray();
            int type = types[_random.Next(types.Length)];
            Arguments(_types[type].Params, depth);
            CalleeIndex(type, depth);
            Line($"return_call_indirect $funcs (type $t{type})");
            return;
        }
        if (choice == 3)
        {
            Arguments(_types[_refType].Params, depth);
            Line($"local.get {_refLocal}");
            if (_random.Next(2) == 0)
            {
                Line("ref.as_non_null");
            }
            Line($"return_call_ref $t{_refType}");
            return;
        }
        int[] functions = Enumerable.Range(0, _functionTypes.Count).Where(f => _types[_functionTypes[f]].Results.SequenceEqual(results)).ToArray();
        int callee = functions[_random.Next(functions.Length)];
        Arguments(_types[_functionTypes[callee]].Params, depth);
        Line($"return_call {callee}");
    }

    /// <summary><c>throw</c> of a random tag with its values, mostly under a condition.</summary>
    private void ThrowStatement(int depth)
    {
        int tag = _random.Next(_tags.Count);
        if (_random.Next(6) == 0)
        {
            Arguments(_tags[tag], depth);
            Line($"throw $e{tag}");
            return;
        }
        Expression(ValType.I32, depth - 1);
        Line("if");
        Block(depth, [], () =>
        {
            Arguments(_tags[tag], depth);
            Line($"throw $e{tag}");
        });
    }

    /// <summary>Rethrows the exception in the function's exnref local unless it is null (rarely: without the test, to trap on null).</summary>
    private void ThrowRefStatement(int depth)
    {
        if (_random.Next(10) == 0)
        {
            Line($"local.get {_exnLocal}");
            Line("throw_ref");
            return;
        }
        Line("block");
        Block(depth, [], () =>
        {
            Line($"local.get {_exnLocal}");
            Line("ref.is_null");
            Line("br_if 0");
            if (_random.Next(2) == 0)
            {
                Expression(ValType.I32, depth - 1);
                Line("br_if 0");
            }
            Line($"local.get {_exnLocal}");
            Line("throw_ref");
        });
    }

    /// <summary>
    /// A <c>try_table</c> giving <paramref name="results"/>, with zero to four catch clauses of random kinds; each clause
    /// goes to a block of its own around the <c>try_table</c>, after whose end the handler consumes what the clause
    /// delivers and produces the results for the outer block:
    /// <code>
    /// block $outer (result T)
    ///   block $c0 (result ...)  ...  block $cN-1 (result ...)
    ///     try_table (result T) (catch $e $cN-1) ... (catch_all_ref $c0)  body  end
    ///     br $outer
    ///   end  handler N-1; results; br $outer
    ///   ...
    /// end
    /// </code>
    /// </summary>
    private void TryTable(ValType[] results, int depth)
    {
        var clauses = new List<(string Text, ValType[] Delivers)>();
        int count = _random.Next(5);
        for (int i = 0; i < count; i++)
        {
            int tag = _random.Next(_tags.Count);
            int label = count - 1 - i;
            clauses.Add(_random.Next(4) switch
            {
                0 => ($"(catch $e{tag} {label})", _tags[tag]),
                1 => ($"(catch_ref $e{tag} {label})", [.. _tags[tag], s_exnRef]),
                2 => ($"(catch_all {label})", []),
                _ => ($"(catch_all_ref {label})", [s_exnRef]),
            });
        }
        Line($"block{Signature([], results)}");
        _indent++;
        _labels.Add(new Label(false, results));
        foreach ((_, ValType[] delivers) in clauses)
        {
            Line($"block{Signature([], delivers)}");
            _indent++;
            _labels.Add(new Label(false, delivers));
        }
        Line($"try_table{Signature([], results)}{string.Concat(clauses.Select(c => " " + c.Text))}");
        Block(depth, results, () =>
        {
            Statements(depth - 1);
            foreach (ValType t in results)
            {
                Expression(t, depth - 1);
            }
        });
        if (count > 0)
        {
            Line($"br {count}");
        }
        for (int i = count - 1; i >= 0; i--)
        {
            _labels.RemoveAt(_labels.Count - 1);
            _indent--;
            Line("end");
            Handler(clauses[i].Delivers);
            foreach (ValType t in results)
            {
                Expression(t, depth - 1);
            }
            if (i > 0)
            {
                Line($"br {i}");
            }
        }
        _labels.RemoveAt(_labels.Count - 1);
        _indent--;
        Line("end");
    }

    /// <summary>
    /// Consumes the values a catch clause delivers (top first): numbers are logged, references logged by what they are,
    /// vectors by a lane; an exnref is kept in the function's local, dropped, or rethrown with <c>throw_ref</c>.
    /// </summary>
    private void Handler(ValType[] delivers)
    {
        for (int i = delivers.Length - 1; i >= 0; i--)
        {
            ValType t = delivers[i];
            if (t == s_exnRef)
            {
                switch (_random.Next(5))
                {
                    case 0:
                        Line("drop");
                        break;
                    case 1:
                        // Rethrown: what is below it on the stack is gone, the code after it unreachable.
                        Line("throw_ref");
                        return;
                    default:
                        Line($"local.set {_exnLocal}");
                        break;
                }
                continue;
            }
            switch (t)
            {
                case ValType.I32 or ValType.I64 or ValType.F32 or ValType.F64:
                    Line($"call $log_{t.ToWatName()}");
                    break;
                case ValType.ExternRef:
                    Line("call $ref_id");
                    Line("call $log_i32");
                    break;
                case ValType.V128:
                    Line($"i64x2.extract_lane {_random.Next(2)}");
                    Line("call $log_i64");
                    break;
                default:
                    Line("ref.is_null");
                    Line("call $log_i32");
                    break;
            }
        }
    }

    /// <summary>
    /// The table index of an indirect call of type <paramref name="type"/>: mostly the slot where the active segment
    /// put a function of that signature (slot i holds function i), else any index (to trap).
    /// </summary>
    private void CalleeIndex(int type, int depth)
    {
        (ValType[] p, ValType[] r) = _types[type];
        int[] matching = Enumerable.Range(0, _functionTypes.Count)
            .Where(f => _types[_functionTypes[f]].Params.SequenceEqual(p) && _types[_functionTypes[f]].Results.SequenceEqual(r)).ToArray();
        if (matching.Length > 0 && _random.Next(8) != 0)
        {
            Line($"i32.const {matching[_random.Next(matching.Length)]}");
            return;
        }
        TableIndex(_funcTableSize, depth);
    }

    /// <summary>A table index: mostly in range, sometimes past the end (to trap).</summary>
    private void TableIndex(int size, int depth)
    {
        if (_random.Next(4) == 0)
        {
            Expression(ValType.I32, Math.Min(depth - 1, 1));
            Line($"i32.const {size}");
            Line("i32.rem_u");
        }
        else
        {
            Line($"i32.const {_random.Next(size + 2)}");
        }
    }

    private void SmallLength(bool is64 = false) => Line($"{(is64 ? "i64" : "i32")}.const {(_random.Next(8) == 0 ? 70000 : _random.Next(64))}");

    private string MemArg(Opcode op)
    {
        int natural = OperatorInfo.NaturalAlignmentLog2(op);
        int align = 1 << _random.Next(natural + 1);
        int offset = _random.Next(4) switch
        {
            0 => 0,
            1 => _random.Next(16),
            2 => _random.Next(8) == 0 ? _random.Next(4096) : _random.Next(64),
            _ => _random.Next(16) == 0 ? 65536 - _random.Next(32) : _random.Next(256),
        };
        return $"offset={offset} align={align}";
    }

    private string Lane(Opcode op)
    {
        int lanes = OperatorInfo.LaneCount(op);
        return lanes > 0 ? $" {_random.Next(lanes)}" : "";
    }

    private ValType RandomType() => _valueTypes[_random.Next(_valueTypes.Count)];

    private ValType[] RandomTypes(int n) => Enumerable.Range(0, n).Select(_ => RandomType()).ToArray();

    /// <summary>Numbers only (and v128 with SIMD): signatures the inliner takes.</summary>
    private ValType[] NumericTypes(int n) =>
        Enumerable.Range(0, n).Select(_ => _valueTypes.Where(t => !t.IsReference()).ElementAt(_random.Next(_simd ? 5 : 4))).ToArray();

    /// <summary>Mostly numbers, a reference now and then: the parameters and results of a wide signature.</summary>
    private ValType[] WideTypes(int n) => Enumerable.Range(0, n).Select(_ => _random.Next(6) == 0 ? RandomType() : NumericTypes(1)[0]).ToArray();

    private static string Signature(ValType[] parameters, ValType[] results) =>
        (parameters.Length > 0 ? $" (param {string.Join(' ', parameters.Select(t => t.ToWatName()))})" : "") +
        (results.Length > 0 ? $" (result {string.Join(' ', results.Select(t => t.ToWatName()))})" : "");

    private static ValType Parse(string name) => name switch
    {
        "i32" => ValType.I32,
        "i64" => ValType.I64,
        "f32" => ValType.F32,
        _ => ValType.F64,
    };

    private string RandomBytes(int n)
    {
        var text = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            text.Append('\\').Append(_random.Next(256).ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>A constant instruction: boundary values mostly, random bits sometimes.</summary>
    private string Constant(ValType type, bool zero = false)
    {
        switch (type)
        {
            case ValType.I32:
            {
                uint[] values = [0, 1, 2, 7, 8, 31, 32, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE];
                uint v = zero ? 0 : _random.Next(3) == 0 ? (uint)_random.NextInt64(0, 1L << 32) : values[_random.Next(values.Length)];
                return $"i32.const {(int)v}";
            }
            case ValType.I64:
            {
                ulong[] values = [0, 1, 2, 63, 64, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF];
                ulong v = zero ? 0 : _random.Next(3) == 0 ? (ulong)_random.NextInt64() * 3 : values[_random.Next(values.Length)];
                return $"i64.const {(long)v}";
            }
            case ValType.F32:
            {
                uint[] bits = [0, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F7FFFFF, 0x00000001, 0x4F000000, 0xCF000000, 0x5F000000, 0x3F000000];
                uint v = zero ? 0 : _random.Next(3) == 0 ? (uint)_random.NextInt64(0, 1L << 32) : bits[_random.Next(bits.Length)];
                return $"f32.const {FloatText(v)}";
            }
            case ValType.F64:
            {
                ulong[] bits = [0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
                    0x7FF8000000000000, 0x7FEFFFFFFFFFFFFF, 0x0000000000000001, 0x41E0000000000000, 0xC3E0000000000000, 0x43F0000000000000, 0x3FE0000000000000];
                ulong v = zero ? 0 : _random.Next(3) == 0 ? (ulong)_random.NextInt64() : bits[_random.Next(bits.Length)];
                return $"f64.const {DoubleText(v)}";
            }
            case ValType.V128:
            {
                if (zero)
                {
                    return "v128.const i64x2 0 0";
                }
                var lanes = new string[4];
                for (int i = 0; i < 4; i++)
                {
                    uint[] values = [0, 1, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x3F800000, 0x7FC00000, 0x7F800000];
                    lanes[i] = ((int)(_random.Next(3) == 0 ? (uint)_random.NextInt64(0, 1L << 32) : values[_random.Next(values.Length)])).ToString(CultureInfo.InvariantCulture);
                }
                return $"v128.const i32x4 {string.Join(' ', lanes)}";
            }
            case ValType.ExternRef:
                return "ref.null extern";
            default:
                return "ref.null func";
        }
    }

    private static string FloatText(uint bits)
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        if (float.IsNaN(value))
        {
            return $"{((bits & 0x80000000) != 0 ? "-" : "")}nan:0x{bits & 0x7FFFFF:x}";
        }
        return WatPrinter.FormatF32(bits);
    }

    private static string DoubleText(ulong bits)
    {
        double value = BitConverter.UInt64BitsToDouble(bits);
        if (double.IsNaN(value))
        {
            return $"{((bits & 0x8000000000000000) != 0 ? "-" : "")}nan:0x{bits & 0xFFFFFFFFFFFFF:x}";
        }
        return WatPrinter.FormatF64(bits);
    }

    private void Line(string text)
    {
        _out.Append(' ', _indent * 2).Append(text).Append('\n');
    }
}
