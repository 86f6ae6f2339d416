using Engine.Core;
using Engine.Gc;

namespace Engine.Interpreter;

/// <summary>
/// One <c>try_table</c> of a translation: the code range of its body (word positions) and its catch clauses, in order.
/// </summary>
/// <param name="Start">The first word of the body.</param>
/// <param name="End">One past the body's last word.</param>
/// <param name="Clauses">The catch clauses.</param>
internal sealed record ExceptionHandler(int Start, int End, HandlerClause[] Clauses)
{
    /// <summary>The body's end, set when the translator reaches the try_table's <c>end</c>.</summary>
    public int End { get; set; } = End;
}

/// <summary>
/// A catch clause as the interpreter runs it: which exceptions it takes (tag index or all), the landing pad it continues
/// at, and the frame slot from which it writes the exception's values (then its exnref for the <c>_ref</c> kinds).
/// </summary>
internal readonly record struct HandlerClause(CatchKind Kind, uint Tag, int Target, int ValueSlot);

/// <summary>Throwing and catching wasm exceptions in the interpreter (3.0 exception handling).</summary>
internal static unsafe class ExceptionHandling
{
    /// <summary>The exception <c>throw t</c> raises with the tag's values at <paramref name="arguments"/>; it owns a count on each reference among them.</summary>
    public static TagException NewException(VMInstance instance, uint tagIndex, ulong* arguments)
    {
        TagInstance tag = instance.Tags[tagIndex];
        var payload = new ulong[tag.PayloadSlots];
        new Span<ulong>(arguments, payload.Length).CopyTo(payload);
        ForEachReference(tag, payload, ExternRefHeap.Increment);
        return new TagException(tag, payload);
    }

    /// <summary>The exception an exnref (a non-null box) stands for.</summary>
    public static TagException FromReference(nint reference) => (TagException)ExternRefHeap.GetObject(reference)!;

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
