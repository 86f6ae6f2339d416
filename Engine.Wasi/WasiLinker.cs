using System.Runtime.CompilerServices;
using Engine.Core;
using Engine.Runtime;

namespace Engine.Wasi;

/// <summary>
/// Defines <c>wasi_snapshot_preview1</c> in a <see cref="Linker"/>, through the public embedding
/// API only (<see cref="Linker.DefineFunctionUnchecked"/>, <see cref="Caller"/>), in one of two shapes:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>bound to one context: <c>linker.DefineWasi(context)</c>, every store instantiated through
/// the linker shares that context; simplest for one program run;</item>
/// <item>bound to the store, as in wasmtime: <c>linker.DefineWasi()</c> with
/// <c>store.SetWasi(context)</c> on each store, or <c>linker.DefineWasi(store => ...)</c> taking the
/// context from wherever the embedder keeps it (for example its <see cref="Store.Data"/>); one
/// linker then serves many stores, each running its own program.</item>
/// </list>
/// <para>
/// Either way each call passes the calling instance's memory 0 (<see cref="Caller.DefaultMemorySpan"/>)
/// and the raw arguments to <see cref="WasiFunction.Invoke"/>. <c>proc_exit</c> raises
/// <see cref="WasiExitException"/>, which leaves wasm unchanged and reaches the caller of the wasm
/// function. Before a call that may block, the context's <see cref="WasiContext.Interruption"/>
/// is set to the store's <see cref="Store.InterruptionToken"/>, so epoch interruption (the command
/// line's <c>--timeout</c>) stops a guest blocked in WASI with a trap, as it stops running code.
/// </para>
/// </remarks>
public static class WasiLinker
{
    private static readonly ConditionalWeakTable<Store, WasiContext> s_storeContexts = new();

    /// <summary>Defines every preview1 function in <paramref name="linker"/>, running against <paramref name="context"/>.</summary>
    public static Linker DefineWasi(this Linker linker, WasiContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Define(linker, context, null);
    }

    /// <summary>
    /// Defines every preview1 function in <paramref name="linker"/>, running against the context
    /// <paramref name="contextOf"/> gives for the calling store (called on every WASI call: keep it cheap).
    /// </summary>
    public static Linker DefineWasi(this Linker linker, Func<Store, WasiContext> contextOf)
    {
        ArgumentNullException.ThrowIfNull(contextOf);
        return Define(linker, null, contextOf);
    }

    /// <summary>
    /// Defines every preview1 function in <paramref name="linker"/>, running against the context
    /// set on the calling store with <see cref="SetWasi"/>. A call from a store without one fails
    /// with <see cref="InvalidOperationException"/>.
    /// </summary>
    public static Linker DefineWasi(this Linker linker) => Define(linker, null, GetStoreContext);

    /// <summary>
    /// Gives <paramref name="store"/> the WASI context its programs run against when instantiated
    /// through a linker with <see cref="DefineWasi(Linker)"/>. The caller keeps owning the context
    /// (dispose it when the store is done); setting another replaces it.
    /// </summary>
    public static void SetWasi(this Store store, WasiContext context)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(context);
        s_storeContexts.AddOrUpdate(store, context);
    }

    /// <summary>The context set on <paramref name="store"/> with <see cref="SetWasi"/>, or null.</summary>
    public static WasiContext? GetWasi(this Store store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return s_storeContexts.TryGetValue(store, out WasiContext? context) ? context : null;
    }

    private static WasiContext GetStoreContext(Store store) =>
        s_storeContexts.TryGetValue(store, out WasiContext? context)
            ? context
            : throw new InvalidOperationException("the store has no WASI context: call store.SetWasi(context) before running the program");

    /// <summary>Binds every function to <paramref name="fixedContext"/>, or else to the context
    /// <paramref name="contextOf"/> gives for the calling store.</summary>
    private static Linker Define(Linker linker, WasiContext? fixedContext, Func<Store, WasiContext>? contextOf)
    {
        ArgumentNullException.ThrowIfNull(linker);
        foreach (WasiFunction function in WasiFunctions.All)
        {
            WasiInvoker invoke = function.Invoke;
            bool returnsErrno = function.Results.Length > 0;
            bool mayBlock = function.MayBlock;
            linker.DefineFunctionUnchecked(WasiFunctions.ModuleName, function.Name, new FuncType(function.Params, function.Results), (caller, slots) =>
            {
                WasiContext context = fixedContext ?? contextOf!(caller.Store);
                if (mayBlock)
                {
                    context.Interruption = caller.Store.InterruptionToken;
                }
                int errno = invoke(context, caller.DefaultMemorySpan, slots);
                if (returnsErrno)
                {
                    slots[0] = (uint)errno;
                }
            });
        }
        return linker;
    }
}
