using System.Runtime.InteropServices;
using Engine.Runtime.Vm;

namespace Engine.Runtime.Native;

/// <summary>
/// A region of executable memory: mapped readable and writable, filled once, then made readable and
/// executable and never writable again (W^X). Unmapped when the region is disposed or finalized, which
/// happens only when nothing can run its code any more: every function whose code lies here is reachable
/// from the region's owner (a module's compiled code, kept alive by every instance of the module).
/// </summary>
internal sealed class CodeRegion : IDisposable
{
    private readonly Mapping _mapping;

    /// <summary>Maps a region, copies <paramref name="code"/> into it and seals it executable.</summary>
    public CodeRegion(ReadOnlySpan<byte> code)
    {
        _mapping = new Mapping(code);
        Address = _mapping.Address;
        Size = code.Length;
    }

    /// <summary>The first byte of the code.</summary>
    public nint Address { get; }

    /// <summary>The bytes of code in the region.</summary>
    public int Size { get; }

    /// <summary>One past the last byte of code.</summary>
    public nint End => Address + Size;

    /// <summary>The compiled functions placed in the region, in address order (set once, before <see cref="CodeMap.Register"/>).</summary>
    public NativeFunction[] Functions { get; set; } = [];

    /// <summary>The function whose code contains <paramref name="pc"/>, or null (padding between functions).</summary>
    public NativeFunction? FunctionAt(nint pc) => AddressRange.Find(Functions, pc) is int i and >= 0 ? Functions[i] : null;

    public void Dispose() => _mapping.Dispose();

    /// <summary>
    /// The mapping itself, the only finalizable part: it references nothing, so a region waiting for finalization
    /// keeps no module alive (a finalizable object keeps everything it references through one more collection,
    /// and promotes it: with the functions and their module here, each collection in a program that loads
    /// modules often copied megabytes).
    /// </summary>
    private sealed unsafe class Mapping : IDisposable
    {
        private const int PageSize = 4096;
        private nint _address;
        private readonly nuint _size;

        public Mapping(ReadOnlySpan<byte> code)
        {
            _size = (nuint)((Math.Max(code.Length, 1) + PageSize - 1) & ~(PageSize - 1));
            // SAFETY: a fresh private anonymous mapping owned by this object; written only before it becomes executable.
            _address = NativeMethods.Mmap(0, _size, NativeMethods.ProtRead | NativeMethods.ProtWrite,
                NativeMethods.MapPrivate | NativeMethods.MapAnonymous, -1, 0);
            if (_address == NativeMethods.MapFailed || _address == 0)
            {
                _address = 0;
                GC.SuppressFinalize(this);
                throw new OutOfMemoryException($"cannot map {_size} bytes for compiled code (errno {Marshal.GetLastPInvokeError()})");
            }
            code.CopyTo(new Span<byte>((void*)_address, code.Length));
            if (NativeMethods.Mprotect(_address, _size, NativeMethods.ProtRead | NativeMethods.ProtExec) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                Dispose();
                throw new InvalidOperationException($"cannot make compiled code executable (errno {errno})");
            }
        }

        public nint Address => _address;

        public void Dispose()
        {
            Unmap();
            GC.SuppressFinalize(this);
        }

        ~Mapping() => Unmap();

        private void Unmap()
        {
            if (_address != 0)
            {
                CodeMap.Unregister(_address);
                FaultHandler.Unregister(_address);
                NativeMethods.Munmap(_address, _size);
                _address = 0;
            }
        }
    }
}
