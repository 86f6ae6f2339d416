using Engine.Core;

namespace Engine.Optimizing.Lir;

/// <summary>
/// The register calling convention between optimized functions of one instance (tiers.md section 5). A function whose
/// signature fits (at most six integer and eight float parameters, at most one result, no references or vectors) gets a
/// second entry besides the native one: its arguments arrive in registers (integers in rcx, rdx, rsi, rdi, r8, r9 in
/// order, floats in xmm0..xmm7), r14 and r15 already hold the instance's vmctx and memory base, and its result leaves
/// in rcx or xmm0 (eax still carries the status). The native entry at offset 0 is the adapter for every other caller:
/// it loads the arguments from the argument area into those registers and the epilogue stores the result back.
/// </summary>
internal static class RegisterConvention
{
    private static readonly int[] s_intArgs =
        [PhysicalRegisters.Rcx, PhysicalRegisters.Rdx, PhysicalRegisters.Rsi, PhysicalRegisters.Rdi, PhysicalRegisters.R8, PhysicalRegisters.R9];

    private const int FloatArgCount = 8;

    /// <summary>The register of an integer result.</summary>
    public const int IntResult = PhysicalRegisters.Rcx;

    /// <summary>The register of a float result (xmm0).</summary>
    public const int FloatResult = PhysicalRegisters.FirstXmm;

    /// <summary>True when a function of type <paramref name="type"/> takes and returns its values in registers.</summary>
    public static bool Fits(FuncType type)
    {
        if (type.Results.Length > 1 || (type.Results.Length == 1 && !IsScalar(type.Results[0])))
        {
            return false;
        }
        int ints = 0, floats = 0;
        foreach (ValType p in type.Params)
        {
            if (!IsScalar(p))
            {
                return false;
            }
            if (p is ValType.F32 or ValType.F64)
            {
                floats++;
            }
            else
            {
                ints++;
            }
        }
        return ints <= s_intArgs.Length && floats <= FloatArgCount;
    }

    /// <summary>The registers of the parameters of <paramref name="type"/> (which <see cref="Fits"/>), in order.</summary>
    public static void ArgumentRegisters(FuncType type, Span<int> registers)
    {
        int ints = 0, floats = 0;
        for (int k = 0; k < type.Params.Length; k++)
        {
            registers[k] = type.Params[k] is ValType.F32 or ValType.F64 ? PhysicalRegisters.FirstXmm + floats++ : s_intArgs[ints++];
        }
    }

    /// <summary>The register of a result of type <paramref name="type"/>.</summary>
    public static int ResultRegister(ValType type) => type is ValType.F32 or ValType.F64 ? FloatResult : IntResult;

    private static bool IsScalar(ValType type) => type is ValType.I32 or ValType.I64 or ValType.F32 or ValType.F64;
}
