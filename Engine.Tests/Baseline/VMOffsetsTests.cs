using System.Runtime.InteropServices;
using Engine.Core;
using Engine.Gc;
using NUnit.Framework;

namespace Engine.Tests.Baseline;

/// <summary>Every offset compiled code uses (<see cref="VMOffsets"/>) against the real struct layouts.</summary>
[TestFixture]
public sealed class VMOffsetsTests
{
    private static int Of<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    [Test]
    public void VMContextOffsetsMatchTheStruct()
    {
        Assert.Multiple(() =>
        {
            Assert.That(VMOffsets.MemoryBase, Is.EqualTo(Of<VMContext>(nameof(VMContext.MemoryBase))));
            Assert.That(VMOffsets.MemoryLength, Is.EqualTo(Of<VMContext>(nameof(VMContext.MemoryLength))));
            Assert.That(VMOffsets.Globals, Is.EqualTo(Of<VMContext>(nameof(VMContext.Globals))));
            Assert.That(VMOffsets.Tables, Is.EqualTo(Of<VMContext>(nameof(VMContext.Tables))));
            Assert.That(VMOffsets.Functions, Is.EqualTo(Of<VMContext>(nameof(VMContext.Functions))));
            Assert.That(VMOffsets.TypeIds, Is.EqualTo(Of<VMContext>(nameof(VMContext.TypeIds))));
            Assert.That(VMOffsets.Builtins, Is.EqualTo(Of<VMContext>(nameof(VMContext.Builtins))));
            Assert.That(VMOffsets.StackLimit, Is.EqualTo(Of<VMContext>(nameof(VMContext.StackLimit))));
            Assert.That(VMOffsets.EpochDeadline, Is.EqualTo(Of<VMContext>(nameof(VMContext.EpochDeadline))));
            Assert.That(VMOffsets.EpochCounter, Is.EqualTo(Of<VMContext>(nameof(VMContext.EpochCounter))));
            Assert.That(VMOffsets.FuelCounter, Is.EqualTo(Of<VMContext>(nameof(VMContext.FuelCounter))));
            Assert.That(VMOffsets.StoreContext, Is.EqualTo(Of<VMContext>(nameof(VMContext.StoreContext))));
            Assert.That(VMOffsets.Instance, Is.EqualTo(Of<VMContext>(nameof(VMContext.Instance))));
            Assert.That(VMOffsets.Memories, Is.EqualTo(Of<VMContext>(nameof(VMContext.Memories))));
            Assert.That(VMOffsets.VMContextSize, Is.EqualTo(Marshal.SizeOf<VMContext>()));
            Assert.That(VMOffsets.MemoryDefinitionLength, Is.EqualTo(Of<VMMemory>(nameof(VMMemory.Length))));
        });
    }

    [Test]
    public void StoreContextFuncRefTableAndGlobalOffsetsMatchTheStructs()
    {
        Assert.Multiple(() =>
        {
            Assert.That(VMOffsets.StoreExitFp, Is.EqualTo(Of<VMStoreContext>(nameof(VMStoreContext.ExitFp))));
            Assert.That(VMOffsets.StoreExitPc, Is.EqualTo(Of<VMStoreContext>(nameof(VMStoreContext.ExitPc))));
            Assert.That(VMOffsets.StoreHandle, Is.EqualTo(Of<VMStoreContext>(nameof(VMStoreContext.Handle))));
            Assert.That(VMOffsets.StoreExitVmctx, Is.EqualTo(Of<VMStoreContext>(nameof(VMStoreContext.ExitVmctx))));
            Assert.That(VMOffsets.StoreContextSize, Is.EqualTo(Marshal.SizeOf<VMStoreContext>()));
            Assert.That(VMOffsets.FuncRefNativeCode, Is.EqualTo(Of<VMFuncRef>(nameof(VMFuncRef.NativeCode))));
            Assert.That(VMOffsets.FuncRefTypeId, Is.EqualTo(Of<VMFuncRef>(nameof(VMFuncRef.TypeId))));
            Assert.That(VMOffsets.FuncRefVmctx, Is.EqualTo(Of<VMFuncRef>(nameof(VMFuncRef.Vmctx))));
            Assert.That(VMOffsets.FuncRefFunction, Is.EqualTo(Of<VMFuncRef>(nameof(VMFuncRef.Function))));
            Assert.That(VMOffsets.FuncRefRegisterCode, Is.EqualTo(Of<VMFuncRef>(nameof(VMFuncRef.RegisterCode))));
            Assert.That(VMOffsets.TableElements, Is.EqualTo(Of<VMTable>(nameof(VMTable.Elements))));
            Assert.That(VMOffsets.TableLength, Is.EqualTo(Of<VMTable>(nameof(VMTable.Length))));
            Assert.That(VMOffsets.TableSize, Is.EqualTo(Marshal.SizeOf<VMTable>()));
            Assert.That(VMOffsets.GlobalValue, Is.EqualTo(Of<VMGlobal>(nameof(VMGlobal.Low))));
            Assert.That(ExternRefLayout.Size, Is.EqualTo(16));
        });
    }

    [Test]
    public void EveryBuiltinHasAnEntry()
    {
        Assert.That(Builtins.Count, Is.EqualTo(Enum.GetValues<BuiltinId>().Length));
    }
}
