using Engine.Core;

namespace Engine.Cli;

/// <summary>Text descriptions of imports and exports, in the text format's notation.</summary>
internal static class ModuleDescription
{
    public static string Describe(ModuleInfo module, Import import) => import.Kind switch
    {
        ExternKind.Func => $"func {module.Types[(int)import.FuncTypeIndex]}",
        ExternKind.Table => $"table {import.Table.Limits} {import.Table.ElementType.ToWatName()}",
        ExternKind.Memory => $"memory {import.Memory.Limits}",
        _ => $"global {import.Global}",
    };

    public static string Describe(ModuleInfo module, Export export) => export.Kind switch
    {
        ExternKind.Func => $"func {module.FunctionType(export.Index)}",
        ExternKind.Table => $"table {module.Tables[(int)export.Index].Limits} {module.Tables[(int)export.Index].ElementType.ToWatName()}",
        ExternKind.Memory => $"memory {module.Memories[(int)export.Index].Limits}",
        _ => $"global {module.Globals[(int)export.Index]}",
    };
}
