using System.Runtime.InteropServices;
using Engine.CodeGen.X64;
using Engine.Core;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// The process's SIGSEGV/SIGBUS handler for guard-page memories, and the table of fault sites it reads (tiers.md section
/// 4, "Bounds checks"). The handler is machine code (<see cref="RuntimeStubs.FaultHandler"/>) that turns a fault at a
/// recorded heap access of compiled code into a jump to that function's trap path and passes every other signal to the
/// action that was there before it (.NET's own handler, which makes NullReferenceException out of faults in managed code).
/// </summary>
/// <remarks>
/// <para>Installed once, when the first code that relies on it is placed (<see cref="Register"/>), which is before such
/// code can run: .NET installs its handlers when the runtime starts, before any of our code, so ours comes first and
/// chains to them. Nothing here is ever uninstalled. Someone who later replaced our action without chaining to it would
/// turn out-of-bounds accesses into crashes; <see cref="IsActive"/> sees that, and new memories then get explicit
/// checks.</para>
/// <para>The table is a snapshot in unmanaged memory (<see cref="FaultTableLayout"/>): regions of code with their sorted
/// fault sites. Writers (registration when code is placed, removal when it is unmapped) build a new snapshot under a lock
/// and publish it with one atomic exchange; the handler counts itself in <c>Active</c> before it reads the pointer and out
/// after its last read, so a replaced snapshot (and a removed region's sites) is freed only once no handler runs.</para>
/// </remarks>
internal static unsafe partial class FaultHandler
{
    private const int SaSiginfo = 0x4;
    private const int SaOnstack = 0x08000000;
    private const int SaResethand = unchecked((int)0x80000000);

    private static readonly object s_lock = new();
    // SAFETY: never freed: the handler may read it at any moment for the rest of the process.
    private static readonly byte* s_state = (byte*)NativeMemory.AllocZeroed(FaultTableLayout.StateSize);
    // The handler's code, mapped for the rest of the process once installed.
    private static CodeRegion? s_handler;
    private static readonly List<RegionSites> s_regions = new();
    private static readonly List<nint> s_retired = new();

    private readonly record struct RegionSites(nint Start, nint End, nint Sites, int Count, ulong HeapBytes);

    /// <summary>glibc's <c>struct sigaction</c> on x86-64 (152 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SigAction
    {
        public nint Handler;
        public fixed ulong Mask[16];
        public int Flags;
        private readonly int _padding;
        public nint Restorer;
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int Sigaction(int signal, SigAction* action, SigAction* previous);

    /// <summary>True once the handler is installed.</summary>
    public static bool IsInstalled => Volatile.Read(ref s_handler) is not null;

    /// <summary>
    /// True when guard-page code may rely on the handler from now on: it is not installed yet (it will be, before such
    /// code runs), or it is still the action of both signals.
    /// </summary>
    public static bool IsActive()
    {
        if (Volatile.Read(ref s_handler) is not { } handler)
        {
            return true;
        }
        return IsCurrent(FaultTableLayout.SigSegv, handler.Address) && IsCurrent(FaultTableLayout.SigBus, handler.Address);
    }

    private static bool IsCurrent(int signal, nint handler)
    {
        SigAction current;
        return Sigaction(signal, null, &current) == 0 && current.Handler == handler;
    }

    /// <summary>The number of code regions with fault sites in the table (for tests).</summary>
    internal static int RegionCount
    {
        get
        {
            lock (s_lock)
            {
                return s_regions.Count;
            }
        }
    }

    /// <summary>
    /// Adds the fault sites of <paramref name="region"/>'s functions (placed, in address order, not yet published), whose
    /// code assumes memories reserved for <paramref name="heapBytes"/>; installs the handler first if needed. Nothing when
    /// the region has no fault site.
    /// </summary>
    public static void Register(CodeRegion region, ulong heapBytes)
    {
        int count = 0;
        foreach (NativeFunction function in region.Functions)
        {
            foreach (TrapSite site in function.Artifact.TrapSites)
            {
                count += site.Kind == TrapSiteKind.Fault ? 1 : 0;
            }
        }
        if (count == 0)
        {
            return;
        }
        EnsureInstalled();
        // SAFETY: a block of count sites, owned by the table until the region is removed and no handler can read it.
        uint* sites = (uint*)NativeMemory.Alloc((nuint)count, FaultTableLayout.SiteSize);
        int n = 0;
        foreach (NativeFunction function in region.Functions)
        {
            // Functions in address order, each one's sites sorted: the region's sites come out sorted.
            uint start = (uint)(function.Entry - region.Address);
            uint entry = start + (uint)function.Artifact.FaultEntryOffset;
            foreach (TrapSite site in function.Artifact.TrapSites)
            {
                if (site.Kind == TrapSiteKind.Fault)
                {
                    sites[2 * n] = start + (uint)site.NativeOffset;
                    sites[2 * n + 1] = entry;
                    n++;
                }
            }
        }
        lock (s_lock)
        {
            int at = s_regions.FindIndex(r => r.Start > region.Address);
            s_regions.Insert(at < 0 ? s_regions.Count : at, new RegionSites(region.Address, region.End, (nint)sites, count, heapBytes));
            PublishLocked();
        }
    }

    /// <summary>Removes the region starting at <paramref name="start"/> (its code is being unmapped), if it has sites.</summary>
    public static void Unregister(nint start)
    {
        lock (s_lock)
        {
            int index = s_regions.FindIndex(r => r.Start == start);
            if (index < 0)
            {
                return;
            }
            s_retired.Add(s_regions[index].Sites);
            s_regions.RemoveAt(index);
            PublishLocked();
        }
    }

    /// <summary>Builds and publishes a snapshot of the regions, retires the one it replaces, frees what no handler reads.</summary>
    private static void PublishLocked()
    {
        nint snapshot = 0;
        if (s_regions.Count > 0)
        {
            // SAFETY: a fresh block, immutable once published, freed only through the retired list.
            byte* table = (byte*)NativeMemory.Alloc((nuint)(FaultTableLayout.Regions + FaultTableLayout.RegionSize * s_regions.Count));
            *(ulong*)table = (ulong)s_regions.Count;
            for (int i = 0; i < s_regions.Count; i++)
            {
                RegionSites r = s_regions[i];
                byte* record = table + FaultTableLayout.Regions + FaultTableLayout.RegionSize * i;
                *(nint*)(record + FaultTableLayout.RegionStart) = r.Start;
                *(nint*)(record + FaultTableLayout.RegionEnd) = r.End;
                *(nint*)(record + FaultTableLayout.RegionSites) = r.Sites;
                *(ulong*)(record + FaultTableLayout.RegionSiteCount) = (ulong)r.Count;
                *(ulong*)(record + FaultTableLayout.RegionHeapBytes) = r.HeapBytes;
            }
            snapshot = (nint)table;
        }
        // The exchange is a full barrier: a handler that reads Active as 0 after it has not started, and will read the new pointer.
        nint old = Interlocked.Exchange(ref *(nint*)(s_state + FaultTableLayout.Table), snapshot);
        if (old != 0)
        {
            s_retired.Add(old);
        }
        if (Volatile.Read(ref *(long*)(s_state + FaultTableLayout.Active)) == 0)
        {
            foreach (nint block in s_retired)
            {
                NativeMemory.Free((void*)block);
            }
            s_retired.Clear();
        }
    }

    /// <summary>
    /// Installs the handler for SIGSEGV and SIGBUS (once per process), keeping each signal's previous action, its mask and
    /// flags, so the handler runs where the previous one would (on the alternate stack .NET gives its threads) and passes
    /// on to it exactly. Throws when the system refuses.
    /// </summary>
    public static void EnsureInstalled()
    {
        if (IsInstalled)
        {
            return;
        }
        lock (s_lock)
        {
            if (s_handler is not null)
            {
                return;
            }
            var code = new CodeRegion(RuntimeStubs.FaultHandler((long)s_state));
            Install(FaultTableLayout.SigSegv, FaultTableLayout.PreviousSegv, code.Address);
            Install(FaultTableLayout.SigBus, FaultTableLayout.PreviousBus, code.Address);
            Volatile.Write(ref s_handler, code);
        }
    }

    private static void Install(int signal, int previousOffset, nint handler)
    {
        SigAction previous;
        if (Sigaction(signal, null, &previous) != 0)
        {
            throw new InvalidOperationException($"sigaction({signal}) failed (errno {Marshal.GetLastPInvokeError()})");
        }
        // The previous action must be in place for the handler before the handler is.
        WritePrevious(previousOffset, previous);
        SigAction ours = previous;
        ours.Handler = handler;
        // SA_ONSTACK: a fault from a stack overflow can run a handler only on the alternate stack (and .NET's handler,
        // which we pass it to, expects to be there). The mask and the other flags stay the previous action's.
        ours.Flags = (previous.Flags | SaSiginfo | SaOnstack) & ~SaResethand;
        SigAction replaced;
        if (Sigaction(signal, &ours, &replaced) != 0)
        {
            throw new InvalidOperationException($"sigaction({signal}) failed (errno {Marshal.GetLastPInvokeError()})");
        }
        if (replaced.Handler != previous.Handler || replaced.Flags != previous.Flags)
        {
            // Changed by someone else between the two calls: pass on to what was really there.
            WritePrevious(previousOffset, replaced);
        }
    }

    /// <summary>Stores a previous action in the kernel's layout the handler reads (handler, flags, restorer, mask).</summary>
    private static void WritePrevious(int offset, SigAction action)
    {
        ulong* kernel = (ulong*)(s_state + offset);
        kernel[0] = (ulong)action.Handler;
        kernel[1] = (uint)action.Flags;
        kernel[2] = (ulong)action.Restorer;
        kernel[3] = action.Mask[0];
    }
}
