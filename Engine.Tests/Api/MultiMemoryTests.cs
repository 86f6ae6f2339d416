using Engine.Core;
using Engine.Runtime;
using Engine.Tests.Baseline;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>
/// WebAssembly 3.0's multiple memories and 64-bit memories and tables through the embedding API, in every tier mode:
/// memories by index (imported, defined, exported or not) from the instance and from a host function's caller, copies
/// between memories, growth of a memory other than 0, and 64-bit addresses, sizes and growth with their traps.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class MultiMemoryTests
{
    public static IEnumerable<string> Modes() => TierModes.All();

    private const string MultiMemoryModule = """
        (module
          (import "host" "mem" (memory 1))
          (import "host" "peek" (func $peek (param i32) (result i32)))
          (memory $data 1 4)
          (memory $scratch (export "scratch") 2)
          (data (memory $data) (i32.const 16) "abc")
          (func (export "store") (param $memory i32) (param $address i32) (param $value i32)
            (if (i32.eq (local.get $memory) (i32.const 0)) (then (i32.store 0 (local.get $address) (local.get $value))))
            (if (i32.eq (local.get $memory) (i32.const 1)) (then (i32.store $data (local.get $address) (local.get $value))))
            (if (i32.eq (local.get $memory) (i32.const 2)) (then (i32.store $scratch (local.get $address) (local.get $value)))))
          (func (export "load_data") (param i32) (result i32) (i32.load8_u $data (local.get 0)))
          (func (export "copy_data_to_scratch") (param i32 i32 i32) (memory.copy $scratch $data (local.get 0) (local.get 1) (local.get 2)))
          (func (export "grow_data") (param i32) (result i32) (memory.grow $data (local.get 0)))
          (func (export "size_data") (result i32) (memory.size $data))
          (func (export "peek") (param i32) (result i32) (call $peek (local.get 0))))
        """;

    [TestCaseSource(nameof(Modes))]
    public void MemoriesAreReachableByIndexFromTheInstanceAndTheCaller(string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        var hostMemory = new Engine.Runtime.Memory(store, new MemoryType(new Limits(1, null)));
        var linker = new Linker(engine);
        linker.Define("host", "mem", hostMemory);
        // The host reads memory 1 of its caller (not exported): by index, through the caller.
        linker.DefineFunction("host", "peek", new FuncType([ValType.I32], [ValType.I32]), (caller, arguments, results) =>
        {
            Engine.Runtime.Memory? memory = caller.GetMemory(1);
            results[0] = Value.I32(memory is null ? -1 : memory.GetSpan(arguments[0].AsI32(), 1)[0]);
        });
        Instance instance = linker.Instantiate(store, Module.FromBytes(engine, Engine.Text.WatParser.ParseModule(MultiMemoryModule)));

        Assert.That(instance.MemoryCount, Is.EqualTo(3));
        Engine.Runtime.Memory data = instance.GetMemory(1);
        Engine.Runtime.Memory scratch = instance.GetMemory(2);
        Assert.Multiple(() =>
        {
            Assert.That(instance.GetMemory(0).Length, Is.EqualTo(hostMemory.Length), "memory 0 is the imported one");
            Assert.That(scratch.Length, Is.EqualTo(2 * 65536));
            Assert.That(instance.GetMemory("scratch")!.Length, Is.EqualTo(scratch.Length), "the export is memory 2");
            Assert.That(data.ReadString(16, 3), Is.EqualTo("abc"), "the data segment went to memory 1");
            Assert.That(() => instance.GetMemory(3), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });

        Function storeFunction = instance.GetFunction("store")!;
        for (int i = 0; i < 3; i++)
        {
            storeFunction.Invoke(Value.I32(i), Value.I32(100), Value.I32(0x1111 * (i + 1)));
        }
        Assert.Multiple(() =>
        {
            Assert.That(hostMemory.ReadInt32(100), Is.EqualTo(0x1111), "memory 0 is the host's");
            Assert.That(data.ReadInt32(100), Is.EqualTo(0x2222));
            Assert.That(scratch.ReadInt32(100), Is.EqualTo(0x3333));
        });

        // Written by the host, read by wasm; written by wasm, read by the host through its caller.
        data.GetSpan(200, 1)[0] = 77;
        Assert.That(instance.GetFunction("load_data")!.Invoke(Value.I32(200))[0].AsI32(), Is.EqualTo(77));
        Assert.That(instance.GetFunction("peek")!.Invoke(Value.I32(17))[0].AsI32(), Is.EqualTo('b'));

        // memory.copy between two memories, and its bounds in the source memory.
        instance.GetFunction("copy_data_to_scratch")!.Invoke(Value.I32(1000), Value.I32(16), Value.I32(3));
        Assert.That(scratch.ReadString(1000, 3), Is.EqualTo("abc"));
        var trap = Assert.Throws<TrapException>(() =>
            instance.GetFunction("copy_data_to_scratch")!.Invoke(Value.I32(0), Value.I32(65535), Value.I32(2)))!;
        Assert.That(trap.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));

        // Growth of memory 1 changes memory 1 only, up to its maximum.
        Function grow = instance.GetFunction("grow_data")!;
        Assert.Multiple(() =>
        {
            Assert.That(grow.Invoke(Value.I32(3))[0].AsI32(), Is.EqualTo(1));
            Assert.That(grow.Invoke(Value.I32(1))[0].AsI32(), Is.EqualTo(-1), "past the maximum of 4 pages");
            Assert.That(instance.GetFunction("size_data")!.Invoke()[0].AsI32(), Is.EqualTo(4));
            Assert.That(data.Length, Is.EqualTo(4 * 65536));
            Assert.That(hostMemory.Length, Is.EqualTo(65536));
            Assert.That(scratch.Length, Is.EqualTo(2 * 65536));
        });
        storeFunction.Invoke(Value.I32(1), Value.I32(4 * 65536 - 4), Value.I32(42));
        Assert.That(data.ReadInt32(4 * 65536 - 4), Is.EqualTo(42), "the grown pages are usable");
    }

    private const string Memory64Module = """
        (module
          (memory (export "memory") i64 1 3)
          (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
          (func (export "load_far") (param i64) (result i32) (i32.load offset=0xFFFF_FFFF_FFFF_FFF0 (local.get 0)))
          (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
          (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
          (func (export "size") (result i64) (memory.size))
          (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2))))
        """;

    [TestCaseSource(nameof(Modes))]
    public void Memory64GrowsAndTrapsWithI64Addresses(string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromBytes(engine, Engine.Text.WatParser.ParseModule(Memory64Module)));
        Engine.Runtime.Memory memory = instance.GetMemory("memory")!;
        Function load = instance.GetFunction("load")!, loadFar = instance.GetFunction("load_far")!;
        Function storeFunction = instance.GetFunction("store")!, grow = instance.GetFunction("grow")!;

        Assert.That(memory.Is64, Is.True);
        Assert.That(memory.Type.ToString(), Does.Contain("i64"));
        storeFunction.Invoke(Value.I64(65532), Value.I32(0x12345678));
        Assert.That(load.Invoke(Value.I64(65532))[0].AsI32(), Is.EqualTo(0x12345678));

        // Out of bounds: past the end, at 2^32 (which a 32-bit address would wrap), and where address + offset overflows.
        foreach (long address in new[] { 65533L, 1L << 32, (1L << 32) + 65532, long.MaxValue, -1L })
        {
            var trap = Assert.Throws<TrapException>(() => load.Invoke(Value.I64(address)), $"load at {address:x}")!;
            Assert.Multiple(() =>
            {
                Assert.That(trap.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
                Assert.That(trap.Message, Does.Contain("out of bounds memory access"));
            });
        }
        foreach (long address in new[] { 0L, 0x10L, 0x20L })
        {
            var trap = Assert.Throws<TrapException>(() => loadFar.Invoke(Value.I64(address)), $"load at {address:x} + 2^64 - 16")!;
            Assert.That(trap.Code, Is.EqualTo(TrapCode.MemoryOutOfBounds));
        }
        Assert.That(Assert.Throws<TrapException>(() => instance.GetFunction("fill")!.Invoke(Value.I64(1L << 32), Value.I32(0), Value.I64(0)))!.Code,
            Is.EqualTo(TrapCode.MemoryOutOfBounds), "memory.fill at 2^32 with length 0");

        // memory.grow and memory.size are i64; growth past the maximum (or by a delta beyond 32 bits) gives -1.
        Assert.Multiple(() =>
        {
            Assert.That(grow.Invoke(Value.I64(1L << 32))[0].AsI64(), Is.EqualTo(-1L));
            Assert.That(grow.Invoke(Value.I64(2))[0].AsI64(), Is.EqualTo(1L));
            Assert.That(grow.Invoke(Value.I64(1))[0].AsI64(), Is.EqualTo(-1L));
            Assert.That(instance.GetFunction("size")!.Invoke()[0].AsI64(), Is.EqualTo(3L));
            Assert.That(memory.Grow(0UL), Is.EqualTo(3L), "the API's 64-bit grow");
        });
        storeFunction.Invoke(Value.I64(3 * 65536 - 4), Value.I32(7));
        Assert.That(memory.ReadInt32(3 * 65536 - 4), Is.EqualTo(7));
        Assert.That(() => load.Invoke(Value.I64(3 * 65536 - 3)), Throws.InstanceOf<TrapException>());
    }

    private const string Table64Module = """
        (module
          (type $f (func (result i32)))
          (table $t i64 2 10 funcref)
          (elem (table $t) (i64.const 0) func $one)
          (func $one (result i32) (i32.const 1))
          (func (export "call") (param i64) (result i32) (call_indirect $t (type $f) (local.get 0)))
          (func (export "size") (result i64) (table.size $t))
          (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
          (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0)))))
        """;

    [TestCaseSource(nameof(Modes))]
    public void Table64TakesI64IndicesSizesAndDeltas(string mode)
    {
        var engine = new WasmEngine(TierModes.Config(mode));
        using var store = new Store(engine);
        Instance instance = new Linker(engine).Instantiate(store, Module.FromBytes(engine, Engine.Text.WatParser.ParseModule(Table64Module)));
        Function call = instance.GetFunction("call")!, grow = instance.GetFunction("grow")!, isNull = instance.GetFunction("is_null")!;

        Assert.That(call.Invoke(Value.I64(0))[0].AsI32(), Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<TrapException>(() => call.Invoke(Value.I64(1)))!.Code, Is.EqualTo(TrapCode.UninitializedElement));
            Assert.That(Assert.Throws<TrapException>(() => call.Invoke(Value.I64(1L << 32)))!.Code, Is.EqualTo(TrapCode.UndefinedElement),
                "index 2^32 (0 if it were cut to 32 bits)");
            Assert.That(Assert.Throws<TrapException>(() => isNull.Invoke(Value.I64(1L << 32)))!.Code, Is.EqualTo(TrapCode.TableOutOfBounds));
            Assert.That(isNull.Invoke(Value.I64(1))[0].AsI32(), Is.EqualTo(1));
            Assert.That(grow.Invoke(Value.I64((1L << 32) + 1))[0].AsI64(), Is.EqualTo(-1L), "a delta beyond 32 bits");
            Assert.That(grow.Invoke(Value.I64(3))[0].AsI64(), Is.EqualTo(2L));
            Assert.That(grow.Invoke(Value.I64(6))[0].AsI64(), Is.EqualTo(-1L), "past the maximum of 10");
            Assert.That(instance.GetFunction("size")!.Invoke()[0].AsI64(), Is.EqualTo(5L));
        });
    }
}
