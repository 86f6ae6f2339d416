namespace Engine.Fuzz.Targets;

public sealed class WasiTarget : FuzzTarget
{
    public override string Name => "wasi";
    public override string Extension => ".txt";
    public override byte[] Generate(Random random) => throw new NotImplementedException();
    public override Finding? Run(byte[] input) => throw new NotImplementedException();
}
