using Engine.Core;

namespace Engine.Optimizing.Lir;

/// <summary>
/// How a wasm operator emitted by a shared sequence takes its operands (<see cref="LOp.Wasm"/>): in place (the result
/// overwrites a copy of the first operand) or into a fresh destination, and the scratch registers it needs.
/// </summary>
/// <param name="InPlace">The result replaces the first operand (x86's two-operand form).</param>
/// <param name="EarlyDef">The destination is written before the sources are all read.</param>
/// <param name="SecondMayBeMemory">The second operand may be a stack slot.</param>
/// <param name="XmmTemps">Scratch xmm registers.</param>
/// <param name="GprTemps">Scratch general registers.</param>
internal readonly record struct WasmShape(bool InPlace, bool EarlyDef, bool SecondMayBeMemory, int XmmTemps, int GprTemps);

/// <summary>The <see cref="WasmShape"/> of each operator the instruction selector leaves to the shared sequences.</summary>
internal static class WasmShapes
{
    public static WasmShape Of(Opcode opcode)
    {
        ReadOnlySpan<ValType> parameters = OperatorInfo.Params(opcode);
        ReadOnlySpan<ValType> results = OperatorInfo.Results(opcode);
        bool sameClass = parameters.Length > 0 && results.Length > 0 && ClassOf(parameters[0]) == ClassOf(results[0]);
        return new WasmShape(InPlace: sameClass, EarlyDef: false, SecondMayBeMemory: false, XmmTemps: 1, GprTemps: 0);
    }

    private static int ClassOf(ValType type) => type is ValType.F32 or ValType.F64 or ValType.V128 ? 1 : 0;
}
