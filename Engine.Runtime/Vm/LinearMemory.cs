using System.Runtime.InteropServices;
using Engine.Core;

namespace Engine.Runtime.Vm;

/// <summary>
/// A linear memory: address space for its maximum size reserved once (so the base never moves and
/// every tier may cache it), committed as it grows. Every <see cref="VMContext"/> that uses the memory
/// (its defining instance and its importers) is kept current on growth.
/// </summary>
internal sealed unsafe class LinearMemory : IDisposable
{
    /// <summary>Bytes per wasm page.</summary>
    public const ulong PageSize = 65536;

    private readonly List<nint> _contexts = new();
    private nint _base;
    private readonly ulong _reserved;

    /// <summary>Creates a memory of <paramref name="type"/>'s minimum size; <paramref name="pageLimit"/> caps growth (the store's limit).</summary>
    public LinearMemory(MemoryType type, uint pageLimit)
    {
        Type = type;
        uint declaredMaximum = type.Limits.Max ?? (uint)ModuleValidator.MaxMemoryPages;
        MaximumPages = Math.Min(declaredMaximum, pageLimit);
        if (type.Limits.Min > MaximumPages)
        {
            throw new ResourceLimitException($"memory of {type.Limits.Min} pages exceeds the limit of {MaximumPages} pages");
        }
        _reserved = Math.Max((ulong)MaximumPages * PageSize, PageSize);
        // SAFETY: a private anonymous mapping owned by this object, released in Dispose; PROT_NONE until committed.
        _base = NativeMethods.Mmap(0, (nuint)_reserved, NativeMethods.ProtNone,
            NativeMethods.MapPrivate | NativeMethods.MapAnonymous | NativeMethods.MapNoReserve, -1, 0);
        if (_base == NativeMethods.MapFailed || _base == 0)
        {
            _base = 0;
            throw new ResourceLimitException($"cannot reserve {_reserved} bytes of address space for a linear memory (errno {Marshal.GetLastPInvokeError()})");
        }
        if (!Commit(0, type.Limits.Min))
        {
            Dispose();
            throw new ResourceLimitException($"cannot commit {type.Limits.Min} pages of linear memory");
        }
        Pages = type.Limits.Min;
    }

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
    public MemoryType CurrentType => new(new Limits(Pages, Type.Limits.Max));

    /// <summary>Keeps <paramref name="vmContext"/>'s memory fields current from now on.</summary>
    public void Attach(VMContext* vmContext)
    {
        _contexts.Add((nint)vmContext);
        vmContext->MemoryBase = _base;
        vmContext->MemoryLength = (nuint)Length;
    }

    /// <summary><c>memory.grow</c>: the old size in pages, or -1 when the maximum (or the store's limit) forbids it.</summary>
    public int Grow(uint deltaPages)
    {
        uint old = Pages;
        if (deltaPages == 0)
        {
            return (int)old;
        }
        if ((ulong)old + deltaPages > MaximumPages || !Commit(old, deltaPages))
        {
            return -1;
        }
        Pages = old + deltaPages;
        foreach (nint context in _contexts)
        {
            ((VMContext*)context)->MemoryLength = (nuint)Length;
        }
        return (int)old;
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
        GC.SuppressFinalize(this);
    }

    ~LinearMemory()
    {
        if (_base != 0)
        {
            NativeMethods.Munmap(_base, (nuint)_reserved);
        }
    }
}
