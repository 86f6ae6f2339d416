namespace Engine.Runtime;

/// <summary>
/// A store's link to the engine's epoch for host code that blocks: a cancellation source that
/// <see cref="WasmEngine.IncrementEpoch"/> cancels once the epoch reaches the store's deadline, the
/// same moment running wasm traps with <c>Interrupted</c>. Made on first use of
/// <see cref="Store.InterruptionToken"/> (most stores never block in the host), registered with the
/// engine until the store is disposed.
/// </summary>
internal sealed class EpochWatch : IDisposable
{
    private readonly WasmEngine _engine;
    private CancellationTokenSource _source = new();
    private long _deadline;

    public EpochWatch(WasmEngine engine, long deadline)
    {
        _engine = engine;
        _deadline = deadline;
        engine.Watch(this);
    }

    /// <summary>The token for the current deadline (cancelled already if the epoch has reached it).</summary>
    public CancellationToken Token
    {
        get
        {
            CancellationTokenSource? due;
            CancellationToken token;
            lock (this)
            {
                token = _source.Token;
                due = _engine.CurrentEpoch >= _deadline && !_source.IsCancellationRequested ? _source : null;
            }
            due?.Cancel();
            return token;
        }
    }

    /// <summary>Moves the deadline; a source already cancelled for an earlier one is replaced.</summary>
    public void SetDeadline(long deadline)
    {
        lock (this)
        {
            _deadline = deadline;
            if (_source.IsCancellationRequested && _engine.CurrentEpoch < deadline)
            {
                _source.Dispose();
                _source = new CancellationTokenSource();
            }
        }
    }

    /// <summary>The source to cancel now that the epoch is <paramref name="epoch"/>, or null. Called by the engine.</summary>
    public CancellationTokenSource? DueAt(long epoch)
    {
        lock (this)
        {
            return epoch >= _deadline && !_source.IsCancellationRequested ? _source : null;
        }
    }

    public void Dispose()
    {
        _engine.Unwatch(this);
        lock (this)
        {
            _source.Dispose();
        }
    }
}
