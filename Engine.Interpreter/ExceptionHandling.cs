using Engine.Core;
using Engine.Gc;

namespace Engine.Interpreter;

/// <summary>
/// One <c>try_table</c> or legacy <c>try</c> of a translation: the code range of its body (word positions) and its catch
/// clauses, in order. Handlers are listed in the order their blocks open, so of the handlers covering a position the
/// later ones are the inner ones.
/// </summary>
/// <param name="Start">The first word of the body.</param>
/// <param name="End">One past the body's last word.</param>
/// <param name="Clauses">The catch clauses.</param>
internal sealed record ExceptionHandler(int Start, int End, HandlerClause[] Clauses)
{
    /// <summary><see cref="DelegateTo"/> of a handler that does not delegate.</summary>
    public const int NotDelegating = -2;

    /// <summary><see cref="DelegateTo"/> of a <c>delegate</c> to the function's label: the exception leaves the frame.</summary>
    public const int ToCaller = -1;

    /// <summary>The body's end, set when the translator reaches the try_table's <c>end</c> (a try's first catch).</summary>
    public int End { get; set; } = End;

    /// <summary>The catch clauses (a legacy try's grow with each <c>catch</c>).</summary>
    public HandlerClause[] Clauses { get; set; } = Clauses;

    /// <summary>
    /// For a legacy <c>try ... delegate l</c>: the handler whose clauses an exception from the body goes to next (the
    /// innermost handler whose body encloses label l's block, skipping those in between), or <see cref="ToCaller"/>;
    /// <see cref="NotDelegating"/> otherwise.
    /// </summary>
    public int DelegateTo { get; set; } = NotDelegating;
}

/// <summary>
/// A catch clause as the interpreter runs it: which exceptions it takes (tag index or all), the landing pad it continues
/// at, and the frame slot from which it writes the exception's values (then its exnref for the <c>_ref</c> kinds).
/// </summary>
internal readonly record struct HandlerClause(CatchKind Kind, uint Tag, int Target, int ValueSlot);

/// <summary>
/// Throwing and catching wasm exceptions (3.0 exception handling): what the interpreter does, and the compiled tiers'
/// builtins do the same way (<c>NativeRuntime</c>).
/// </summary>
public static unsafe class ExceptionHandling
{
    /// <summary>The exception <c>throw t</c> raises with the tag's values at <paramref name="arguments"/>; it owns a count on each reference among them.</summary>
    public static TagException NewException(VMInstance instance, uint tagIndex, ulong* arguments)
    {
        TagInstance tag = instance.Tags[tagIndex];
        var payload = new ulong[tag.PayloadSlots];
        new Span<ulong>(arguments, payload.Length).CopyTo(payload);
        // A 32-bit value's slot may hold a stale upper half (the tiers write i32 and f32 results with 32-bit stores):
        // the payload reaches the host (TagException.Payload), so it gets the canonical form, zero-extended as Value.I32's.
        ValType[] types = tag.Type.Params;
        for (int i = 0, slot = 0; i < types.Length; slot += FunctionInstance.SlotsOf(types[i]), i++)
        {
            if (types[i] == ValType.I32 || types[i] == ValType.F32)
            {
                payload[slot] = (uint)payload[slot];
            }
        }
        ForEachReference(tag, payload, ExternRefHeap.Increment);
        return new TagException(tag, payload);
    }

    /// <summary>The exception an exnref (a non-null box) stands for.</summary>
    public static TagException FromReference(nint reference) => (TagException)ExternRefHeap.GetObject(reference)!;

    /// <summary>True when a catch clause of <paramref name="kind"/> (for tag <paramref name="tagIndex"/> of <paramref name="instance"/>) takes <paramref name="exception"/>.</summary>
    public static bool Takes(VMInstance instance, CatchKind kind, uint tagIndex, TagException exception) =>
        kind is CatchKind.CatchAll or CatchKind.CatchAllRef || ReferenceEquals(instance.Tags[tagIndex], exception.Tag);

    /// <summary>
    /// Delivers <paramref name="exception"/>, caught by a clause of <paramref name="kind"/>, to a frame of
    /// <paramref name="instance"/>: for <c>catch</c> and <c>catch_ref</c> its values go to <paramref name="destination"/>
    /// (slots), each reference rooted as a frame's (frames hold references uncounted); for the <c>_ref</c> kinds its exnref
    /// (a new box) follows. Returns the slots written. Rooting and boxing may collect: call it while the frames still hold
    /// what the stack maps say.
    /// </summary>
    public static int Deliver(VMInstance instance, TagException exception, CatchKind kind, ulong* destination)
    {
        int payloadSlots = 0;
        if (kind is CatchKind.Catch or CatchKind.CatchRef)
        {
            ForEachReference(exception.Tag, exception.Payload, instance.RootExternRef);
            payloadSlots = exception.Payload.Length;
        }
        nint reference = kind is CatchKind.CatchRef or CatchKind.CatchAllRef ? instance.BoxException(exception) : 0;
        if (payloadSlots > 0)
        {
            exception.Payload.CopyTo(new Span<ulong>(destination, payloadSlots));
        }
        if (kind is CatchKind.CatchRef or CatchKind.CatchAllRef)
        {
            destination[payloadSlots++] = (ulong)reference;
        }
        return payloadSlots;
    }

    /// <summary>Calls <paramref name="action"/> with each reference value of <paramref name="payload"/> (externrefs and exnrefs: counted boxes).</summary>
    public static void ForEachReference(TagInstance tag, ReadOnlySpan<ulong> payload, Action<nint> action)
    {
        ValType[] types = tag.Type.Params;
        for (int i = 0, slot = 0; i < types.Length; slot += FunctionInstance.SlotsOf(types[i]), i++)
        {
            if (types[i].Erased() == ValType.ExternRef && payload[slot] != 0)
            {
                action((nint)payload[slot]);
            }
        }
    }
}
