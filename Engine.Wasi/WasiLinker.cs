using Engine.Core;
using Engine.Runtime;
using Engine.Runtime.Vm;

namespace Engine.Wasi;

/// <summary>Defines <c>wasi_snapshot_preview1</c> in a <see cref="Linker"/>.</summary>
public static class WasiLinker
{
    /// <summary>
    /// Defines every preview1 function in <paramref name="linker"/>, running against <paramref name="context"/>
    /// and the calling instance's memory 0. <c>proc_exit</c> raises <see cref="WasiExitException"/>, which
    /// leaves wasm unchanged and reaches the caller of the wasm function.
    /// </summary>
    public static Linker DefineWasi(this Linker linker, WasiContext context)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(context);
        foreach (WasiFunction function in WasiFunctions.All)
        {
            WasiInvoker invoke = function.Invoke;
            bool returnsErrno = function.Results.Length > 0;
            linker.DefineHost(WasiFunctions.ModuleName, function.Name, new FuncType(function.Params, function.Results), (store, slots) =>
            {
                int errno = invoke(context, CallerMemory(store), slots);
                if (returnsErrno)
                {
                    slots[0] = (uint)errno;
                }
            });
        }
        return linker;
    }

    private static Span<byte> CallerMemory(Store store)
    {
        if (store.CurrentInstance is not InstanceState { Memory: { } memory })
        {
            return Span<byte>.Empty;
        }
        // Spans are limited to 2 GiB; WASI arguments beyond that read as out of bounds (EFAULT).
        return memory.Slice(0, (int)Math.Min(memory.Length, int.MaxValue));
    }
}
