using System.Runtime.Intrinsics;
using Engine.Core;
using Engine.Wast.Scripts;
using Engine.Text;
using Engine.Runtime;

namespace Engine.Wast;

/// <summary>
/// The state of one script run: a store, a linker holding the <c>spectest</c> module and registered
/// instances, the named modules and the current one.
/// </summary>
internal sealed class WastSession : IDisposable
{
    private readonly WastOptions _options;
    private readonly WasmEngine _engine;
    private readonly Store _store;
    private readonly Linker _linker;
    private readonly Dictionary<string, Instance> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, HostReference> _hostReferences = new();
    private Instance? _current;

    public WastSession(WastOptions options)
    {
        _options = options;
        _engine = options.Engine ?? new WasmEngine(options.Config);
        _store = new Store(_engine);
        _linker = new Linker(_engine) { AllowShadowing = true };
        if (options.Execute)
        {
            SpecTestModule.Define(_linker, _store);
        }
    }

    public void Dispose() => _store.Dispose();

    private readonly List<Module> _modules = new();
    private readonly Dictionary<string, Module> _definitions = new(StringComparer.Ordinal);
    private Module? _lastDefinition;

    /// <summary>Functions of the modules defined so far that were compiled to machine code.</summary>
    public int CompiledFunctions => _modules.Sum(m => m.CompiledFunctionCount);

    /// <summary>Functions of the modules defined so far whose code is the optimizing tier's.</summary>
    public int OptimizedFunctions => _modules.Sum(m => m.OptimizedFunctionCount);

    /// <summary>Why the functions of the modules defined so far that the machine-code tier could not compile stayed interpreted.</summary>
    public IEnumerable<CompileFailure> Fallbacks => _modules.SelectMany(m => m.TierFallbacks.Select(f => f.Failure));

    public (WastOutcome Outcome, string? Failure) Execute(ScriptCommand command) => command.Kind switch
    {
        ScriptCommandKind.Module => DefineModule(command.Module!),
        ScriptCommandKind.Unreadable => Failed($"the script reader cannot read this command: {command.Text}"),
        ScriptCommandKind.AssertInvalid => ExpectRejected<InvalidModuleException>(command),
        ScriptCommandKind.AssertMalformed => ExpectRejected<MalformedModuleException>(command),
        ScriptCommandKind.AssertUnlinkable => ExpectInstantiationFailure<LinkException>(command),
        ScriptCommandKind.AssertUninstantiable => ExpectInstantiationFailure<TrapException>(command),
        _ when !_options.Execute => Skipped(),
        ScriptCommandKind.Register => Register(command),
        ScriptCommandKind.Action => Action(command),
        ScriptCommandKind.AssertReturn => AssertReturn(command),
        ScriptCommandKind.AssertTrap => AssertTrap(command, exhaustion: false),
        ScriptCommandKind.AssertExhaustion => AssertTrap(command, exhaustion: true),
        ScriptCommandKind.ModuleInstance => InstantiateDefinition(command),
        ScriptCommandKind.AssertException => AssertException(command),
        _ => Skipped(),
    };

    private static (WastOutcome, string?) Skipped() => (WastOutcome.Skipped, null);

    private static (WastOutcome, string?) Passed() => (WastOutcome.Passed, null);

    private static (WastOutcome, string?) Failed(string message) => (WastOutcome.Failed, message);

    /// <summary>The module's binary: as given, or parsed from its text (a .wat file or a quote module).</summary>
    private static byte[] BinaryOf(ScriptModule module) =>
        module.Binary ?? WatParser.ParseModule(module.Text!, module.Origin);

    private Module Load(ScriptModule module) => Module.FromBytes(_engine, BinaryOf(module));

    private (WastOutcome, string?) DefineModule(ScriptModule scriptModule)
    {
        Module module;
        try
        {
            module = Load(scriptModule);
        }
        catch (WasmException e)
        {
            return Failed($"{scriptModule.Origin}: {e.Message}");
        }
        if (!_options.Execute)
        {
            return Passed();
        }
        _modules.Add(module);
        if (scriptModule.IsDefinition)
        {
            _lastDefinition = module;
            if (scriptModule.Name != null)
            {
                _definitions[scriptModule.Name] = module;
            }
            return Passed();
        }
        // A module that fails to instantiate leaves no current module, so the actions meant for it fail rather than
        // run against the one before.
        _current = null;
        try
        {
            Instance instance = _linker.Instantiate(_store, module);
            _current = instance;
            if (scriptModule.Name != null)
            {
                _named[scriptModule.Name] = instance;
            }
            return Passed();
        }
        catch (WasmException e)
        {
            return Failed($"{scriptModule.Origin}: instantiation failed: {e.Message}");
        }
    }

    /// <summary><c>(module instance $i $m)</c>: instantiates a module defined by <c>(module definition $m ...)</c> (the last one without <c>$m</c>).</summary>
    private (WastOutcome, string?) InstantiateDefinition(ScriptCommand command)
    {
        Module? module = command.RegisterModuleName is null ? _lastDefinition : _definitions.GetValueOrDefault(command.RegisterModuleName);
        if (module is null)
        {
            return Failed($"module instance: no module definition {command.RegisterModuleName ?? "(last)"}");
        }
        _current = null;
        try
        {
            Instance instance = _linker.Instantiate(_store, module);
            _current = instance;
            if (command.InstanceName != null)
            {
                _named[command.InstanceName] = instance;
            }
            return Passed();
        }
        catch (WasmException e)
        {
            return Failed($"module instance: instantiation failed: {e.Message}");
        }
    }

    /// <summary>
    /// <c>(assert_exception action)</c>: the action must throw a WebAssembly exception (a <see cref="TagException"/> that
    /// no try_table caught); a return or a trap fails the command.
    /// </summary>
    private (WastOutcome, string?) AssertException(ScriptCommand command)
    {
        try
        {
            Value[] results = Perform(command.Action!);
            return Failed($"{Describe(command.Action!)}: expected an exception, returned [{string.Join(", ", results)}]");
        }
        catch (TagException)
        {
            return Passed();
        }
        catch (Exception e) when (e is WasmException or WastHarnessException)
        {
            return Failed($"{Describe(command.Action!)}: expected a WebAssembly exception, got {e.GetType().Name}: {e.Message}");
        }
    }

    private (WastOutcome, string?) ExpectRejected<TException>(ScriptCommand command) where TException : WasmException
    {
        ScriptModule module = command.Module!;
        try
        {
            ModuleLoader.DecodeAndValidate(BinaryOf(module), _engine.Config.Features);
        }
        catch (TException)
        {
            return Passed();
        }
        catch (TextFormatException) when (typeof(TException) == typeof(MalformedModuleException))
        {
            // A text module the text format rejects is malformed.
            return Passed();
        }
        catch (WasmException e)
        {
            return Failed($"{module.Origin}: expected {typeof(TException).Name} ({command.Text}), got {e.GetType().Name}: {e.Message}");
        }
        return Failed($"{module.Origin}: expected {typeof(TException).Name} ({command.Text}), but the module was accepted");
    }

    private (WastOutcome, string?) ExpectInstantiationFailure<TException>(ScriptCommand command) where TException : WasmException
    {
        ScriptModule scriptModule = command.Module!;
        Module module;
        try
        {
            module = Load(scriptModule);
        }
        catch (WasmException e)
        {
            return Failed($"{scriptModule.Origin}: must be valid, got {e.Message}");
        }
        if (!_options.Execute)
        {
            return Skipped();
        }
        try
        {
            _linker.Instantiate(_store, module);
        }
        catch (TException)
        {
            return Passed();
        }
        catch (WasmException e)
        {
            return Failed($"{scriptModule.Origin}: expected {typeof(TException).Name} ({command.Text}), got {e.GetType().Name}: {e.Message}");
        }
        return Failed($"{scriptModule.Origin}: expected {typeof(TException).Name} ({command.Text}), but instantiation succeeded");
    }

    private (WastOutcome, string?) Register(ScriptCommand command)
    {
        Instance? instance = command.RegisterModuleName is null ? _current : _named.GetValueOrDefault(command.RegisterModuleName);
        if (instance is null)
        {
            return Failed($"register: no module {command.RegisterModuleName ?? "(current)"}");
        }
        _linker.DefineInstance(command.RegisterAs!, instance);
        return Passed();
    }

    private Instance? Target(ScriptAction action) =>
        action.ModuleName is null ? _current : _named.GetValueOrDefault(action.ModuleName);

    /// <summary>Performs an action; returns its results, or a failure message when the target is missing.</summary>
    private Value[] Perform(ScriptAction action)
    {
        Instance instance = Target(action) ?? throw new WastHarnessException($"no module {action.ModuleName ?? "(current)"}");
        if (action.IsGet)
        {
            Global global = instance.GetGlobal(action.Field) ?? throw new WastHarnessException($"no global export \"{action.Field}\"");
            return [global.Value];
        }
        Function function = instance.GetFunction(action.Field) ?? throw new WastHarnessException($"no function export \"{action.Field}\"");
        Value[] arguments = action.Args.Select(ToValue).ToArray();
        return function.Invoke(arguments);
    }

    private (WastOutcome, string?) Action(ScriptCommand command)
    {
        try
        {
            Perform(command.Action!);
            return Passed();
        }
        catch (Exception e) when (e is WasmException or WastHarnessException)
        {
            return Failed($"{Describe(command.Action!)}: {e.Message}");
        }
    }

    private (WastOutcome, string?) AssertReturn(ScriptCommand command)
    {
        Value[] results;
        try
        {
            results = Perform(command.Action!);
        }
        catch (Exception e) when (e is WasmException or WastHarnessException)
        {
            return Failed($"{Describe(command.Action!)}: {e.GetType().Name}: {e.Message}");
        }
        if (results.Length != command.Expected.Count)
        {
            return Failed($"{Describe(command.Action!)}: {results.Length} results, expected {command.Expected.Count}");
        }
        for (int i = 0; i < results.Length; i++)
        {
            if (!WastValues.Matches(command.Expected[i], results[i]))
            {
                return Failed($"{Describe(command.Action!)}: result {i} is {results[i]}, expected {command.Expected[i]}");
            }
        }
        return Passed();
    }

    private (WastOutcome, string?) AssertTrap(ScriptCommand command, bool exhaustion)
    {
        try
        {
            Value[] results = Perform(command.Action!);
            return Failed($"{Describe(command.Action!)}: expected a trap ({command.Text}), returned [{string.Join(", ", results)}]");
        }
        catch (TrapException e)
        {
            _options.TrapObserver?.Invoke(command, e);
            if (exhaustion && e.Code != TrapCode.StackExhausted)
            {
                return Failed($"{Describe(command.Action!)}: expected stack exhaustion, trapped with {e.Message}");
            }
            if (!exhaustion && command.Text != null && !e.Message.StartsWith(command.Text, StringComparison.Ordinal)
                && !command.Text.StartsWith(e.Message, StringComparison.Ordinal))
            {
                return Failed($"{Describe(command.Action!)}: expected trap \"{command.Text}\", got \"{e.Message}\"");
            }
            return Passed();
        }
        catch (Exception e) when (e is WasmException or WastHarnessException)
        {
            return Failed($"{Describe(command.Action!)}: expected a trap, got {e.GetType().Name}: {e.Message}");
        }
    }

    private static string Describe(ScriptAction action) =>
        action.IsGet ? $"get \"{action.Field}\"" : $"invoke \"{action.Field}\"({string.Join(", ", action.Args)})";

    private Value ToValue(ScriptValue value) => value.Type switch
    {
        ValType.I32 => Value.I32((int)value.Low),
        ValType.I64 => Value.I64((long)value.Low),
        ValType.F32 => Value.F32Bits((uint)value.Low),
        ValType.F64 => Value.F64Bits(value.Low),
        ValType.V128 => Value.V128(Vector128.Create(value.Low, value.High).AsByte()),
        ValType.ExternRef => Value.ExternRef(value.IsNull ? null : HostReferenceFor(value.Low)),
        ValType.FuncRef => value.IsNull ? Value.FuncRef(null) : throw new WastHarnessException("a non-null funcref argument cannot be written in a script"),
        _ => throw new WastHarnessException($"unsupported argument type {value.Type}"),
    };

    private HostReference HostReferenceFor(ulong id)
    {
        if (!_hostReferences.TryGetValue(id, out HostReference? reference))
        {
            reference = new HostReference(id);
            _hostReferences[id] = reference;
        }
        return reference;
    }
}

/// <summary>The host object a script's <c>(ref.extern N)</c> stands for.</summary>
/// <param name="Id">N.</param>
internal sealed record HostReference(ulong Id)
{
    public override string ToString() => $"ref.extern {Id}";
}

/// <summary>The script refers to something that does not exist (a harness-level failure of the command).</summary>
internal sealed class WastHarnessException(string message) : Exception(message);
