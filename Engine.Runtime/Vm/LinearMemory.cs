using System.Runtime.InteropServices;
using Engine.Core;

namespace Engine.Runtime.Vm;

/// <summary>
/// What a store's new memories get: a guard-page reservation (when compiled code can use one) of 4 GiB + <see cref="GuardSize"/>,
/// or a reservation for the maximum with explicit checks.
/// </summary>
/// <param name="GuardPages">Try the guard-page reservation first.</param>
/// <param name="GuardSize">The guard region past the 4 GiB a 32-bit index reaches.</param>
/// <param name="ExplicitReason">Without guard pages, why (for statistics).</param>
internal readonly record struct MemoryPolicy(bool GuardPages, ulong GuardSize, string? ExplicitReason = null)
{
    /// <summary>Explicit checks only, for <paramref name="reason"/>.</summary>
    public static MemoryPolicy Explicit(string reason) => new(false, 0, reason);
}

/// <summary>
/// A linear memory: address space reserved once (so the base never moves and every tier may cache it), made accessible
/// as it grows. Two kinds (tiers.md section 4, "Bounds checks"): a guard-page memory reserves 4 GiB + a guard region, so
/// compiled code need not check the accesses the reservation covers (everything past the accessible size faults, and the
/// fault handler makes the trap); an explicit memory reserves its maximum (less when that much address space is not to be
/// had: growth then stops there) and compiled code checks every access. Every <see cref="VMContext"/> that uses the memory
/// (its defining instance and its importers) is kept current on growth.
/// </summary>
internal sealed unsafe class LinearMemory : IDisposable
{
    /// <summary>Bytes per wasm page.</summary>
    public const ulong PageSize = 65536;

    private readonly List<nint> _contexts = new();
    private nint _base;
    private readonly ulong _reserved;

    /// <summary>
    /// Creates a memory of <paramref name="type"/>'s minimum size; <paramref name="pageLimit"/> caps growth (the store's
    /// limit: it counts accessible pages, never reserved ones); <paramref name="policy"/> says which reservation to try.
    /// </summary>
    public LinearMemory(MemoryType type, uint pageLimit, MemoryPolicy policy)
    {
        Type = type;
        ulong declaredMaximum = type.Limits.Max ?? (type.Limits.Is64 ? ModuleValidator.MaxMemory64Pages : ModuleValidator.MaxMemoryPages);
        uint maximum = (uint)Math.Min(declaredMaximum, pageLimit);
        if (type.Limits.Min > maximum)
        {
            throw new ResourceLimitException($"memory of {type.Limits.Min} pages exceeds the limit of {maximum} pages");
        }
        // SAFETY: the memory's VMMemory cell, owned by this object and freed with it; every tier reads it for memories
        // other than 0 (and 64-bit ones).
        _cell = (VMMemory*)NativeMemory.AllocZeroed((nuint)sizeof(VMMemory));
        if (type.Limits.Is64)
        {
            // A 64-bit address reaches past any guard region: compiled code checks every access of such a memory.
            ExplicitReason = "a 64-bit memory (its accesses are always checked)";
        }
        else if (policy.GuardPages && Native.FaultHandler.IsActive())
        {
            ulong size = MemoryReservation.ReservedBytes(policy.GuardSize);
            // SAFETY: a private anonymous mapping owned by this object, released in Dispose; PROT_NONE until committed.
            _base = Reserve(size);
            if (_base != 0)
            {
                _reserved = size;
                BoundsChecks = BoundsCheckStrategy.GuardPages;
                GuardSize = policy.GuardSize;
            }
            else
            {
                ExplicitReason = $"the reservation of {size >> 20} MiB of address space failed (errno {Marshal.GetLastPInvokeError()})";
            }
        }
        else
        {
            ExplicitReason = policy.GuardPages ? "another SIGSEGV handler replaced the engine's" : policy.ExplicitReason;
        }
        if (_base == 0)
        {
            // Explicit checks: the maximum, or as much as can be had down to the minimum (growth stops there).
            ulong wanted = Math.Max((ulong)maximum * PageSize, PageSize);
            ulong least = Math.Max((ulong)type.Limits.Min * PageSize, PageSize);
            for (ulong size = wanted; ; size = Math.Max(least, (size / 2 + PageSize - 1) / PageSize * PageSize))
            {
                _base = Reserve(size);
                if (_base != 0)
                {
                    _reserved = size;
                    break;
                }
                if (size == least)
                {
                    throw new ResourceLimitException($"cannot reserve {least} bytes of address space for a linear memory (errno {Marshal.GetLastPInvokeError()})");
                }
            }
            maximum = (uint)Math.Min(maximum, _reserved / PageSize);
        }
        MaximumPages = maximum;
        if (!Commit(0, (uint)type.Limits.Min))
        {
            Dispose();
            throw new ResourceLimitException($"cannot commit {type.Limits.Min} pages of linear memory");
        }
        Pages = (uint)type.Limits.Min;
        _cell->Base = _base;
        _cell->Length = (nuint)Length;
    }

    private VMMemory* _cell;

    /// <summary>The memory's <see cref="VMMemory"/> cell (base and current length), which <see cref="VMContext.Memories"/> points to.</summary>
    public VMMemory* Definition => _cell;

    private static nint Reserve(ulong size)
    {
        nint address = NativeMethods.Mmap(0, (nuint)size, NativeMethods.ProtNone,
            NativeMethods.MapPrivate | NativeMethods.MapAnonymous | NativeMethods.MapNoReserve, -1, 0);
        return address == NativeMethods.MapFailed ? 0 : address;
    }

    /// <summary>How compiled code must check this memory's accesses: <see cref="BoundsCheckStrategy.GuardPages"/> when it is a guard-page reservation.</summary>
    public BoundsCheckStrategy BoundsChecks { get; }

    /// <summary>The guard region past 4 GiB (guard-page memories), else 0.</summary>
    public ulong GuardSize { get; }

    /// <summary>The bytes of address space reserved.</summary>
    public ulong ReservedBytes => _reserved;

    /// <summary>Why the memory has explicit checks (null for a guard-page memory).</summary>
    public string? ExplicitReason { get; }

    /// <summary>True for a 64-bit memory.</summary>
    public bool Is64 => Type.Limits.Is64;

    /// <summary>The memory's declared type.</summary>
    public MemoryType Type { get; }

    /// <summary>The current size in pages.</summary>
    public uint Pages { get; private set; }

    /// <summary>The most pages it may grow to.</summary>
    public uint MaximumPages { get; }

    /// <summary>The current size in bytes.</summary>
    public ulong Length => (ulong)Pages * PageSize;

    /// <summary>The first byte (valid up to <see cref="Length"/>).</summary>
    public byte* Base => (byte*)_base;

    /// <summary>The current type (minimum = current size), for import matching.</summary>
    public MemoryType CurrentType => new(new Limits(Pages, Type.Limits.Max) { Is64 = Type.Limits.Is64 });

    /// <summary>Keeps <paramref name="vmContext"/>'s memory fields current from now on.</summary>
    public void Attach(VMContext* vmContext)
    {
        _contexts.Add((nint)vmContext);
        vmContext->MemoryBase = _base;
        vmContext->MemoryLength = (nuint)Length;
    }

    /// <summary><c>memory.grow</c>: the old size in pages, or -1 when the maximum (or the store's limit) forbids it.</summary>
    public int Grow(uint deltaPages) => (int)Grow((ulong)deltaPages);

    /// <summary><c>memory.grow</c> of any memory: the old size in pages, or -1 when the maximum (or the store's limit) forbids it.</summary>
    public long Grow(ulong deltaPages)
    {
        uint old = Pages;
        if (deltaPages == 0)
        {
            return old;
        }
        if (deltaPages > MaximumPages || old + deltaPages > MaximumPages || !Commit(old, (uint)deltaPages))
        {
            return -1;
        }
        Pages = old + (uint)deltaPages;
        _cell->Length = (nuint)Length;
        foreach (nint context in _contexts)
        {
            ((VMContext*)context)->MemoryLength = (nuint)Length;
        }
        return old;
    }

    private bool Commit(uint firstPage, uint pages)
    {
        if (pages == 0)
        {
            return true;
        }
        // SAFETY: the range lies inside the reservation (callers keep first + pages <= MaximumPages).
        return NativeMethods.Mprotect(_base + (nint)((ulong)firstPage * PageSize), (nuint)((ulong)pages * PageSize),
            NativeMethods.ProtRead | NativeMethods.ProtWrite) == 0;
    }

    /// <summary>Bounds-checks a range; false when any byte of it lies outside the memory.</summary>
    public bool InBounds(ulong offset, ulong length) => offset + length <= Length;

    /// <summary>The bytes [offset, offset + length); the caller checked the bounds.</summary>
    public Span<byte> Slice(ulong offset, int length) => new((byte*)_base + offset, length);

    public void Dispose()
    {
        if (_base != 0)
        {
            NativeMethods.Munmap(_base, (nuint)_reserved);
            _base = 0;
        }
        FreeCell();
        GC.SuppressFinalize(this);
    }

    private void FreeCell()
    {
        if (_cell != null)
        {
            NativeMemory.Free(_cell);
            _cell = null;
        }
    }

    ~LinearMemory()
    {
        if (_base != 0)
        {
            NativeMethods.Munmap(_base, (nuint)_reserved);
        }
        FreeCell();
    }
}
