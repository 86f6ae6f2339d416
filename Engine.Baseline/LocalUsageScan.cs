using Engine.Core;

namespace Engine.Baseline;

/// <summary>
/// A quick pass over a body before compiling it: how much each local is used, weighted by loop depth
/// (an access inside a loop counts 8 times one outside it, per level, up to 4 levels). The code generator
/// pins the heaviest numeric locals in registers for the whole function. Read through <see cref="LocalAccessVisitor{TScan}"/>.
/// </summary>
internal struct LocalUsageScan : ILocalAccessScan
{
    private readonly long[] _weights;
    private ulong _loopMask;
    private int _loopDepth;

    public LocalUsageScan(long[] weights) => _weights = weights;

    private readonly long Weight => 1L << (3 * Math.Min(_loopDepth, 4));

    public void Open(int depth, bool loop)
    {
        if (depth < 64 && loop)
        {
            _loopMask |= 1UL << depth;
            _loopDepth++;
        }
    }

    public void Close(int depth)
    {
        if (depth < 64 && (_loopMask & (1UL << depth)) != 0)
        {
            _loopMask &= ~(1UL << depth);
            _loopDepth--;
        }
    }

    public readonly void Read(uint localIndex) => _weights[localIndex] += Weight;
    public readonly void Write(uint localIndex) => _weights[localIndex] += Weight;
}
