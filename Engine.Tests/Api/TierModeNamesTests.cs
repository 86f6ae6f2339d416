using Engine.Runtime;
using NUnit.Framework;

namespace Engine.Tests.Api;

/// <summary>The one parser of tier names, used by the command line, the perf tools and embedders alike.</summary>
[TestFixture]
public sealed class TierModeNamesTests
{
    [Test]
    public void EveryModeRoundTripsThroughItsName()
    {
        foreach (TierMode mode in Enum.GetValues<TierMode>())
        {
            Assert.That(TierModeNames.Parse(TierModeNames.Name(mode)), Is.EqualTo(mode));
        }
    }

    [TestCase("interp", TierMode.Interpreter)]
    [TestCase("Interpreter", TierMode.Interpreter)]
    [TestCase("BASELINE", TierMode.Baseline)]
    [TestCase("tiered", TierMode.Tiered)]
    public void AcceptsShortFormsInAnyCase(string text, TierMode expected)
    {
        Assert.That(TierModeNames.TryParse(text, out TierMode mode), Is.True);
        Assert.That(mode, Is.EqualTo(expected));
    }

    [TestCase("jit")]
    [TestCase("")]
    [TestCase("1")]
    public void RejectsOtherNamesWithTheAcceptedOnes(string text)
    {
        Assert.That(TierModeNames.TryParse(text, out _), Is.False);
        var e = Assert.Throws<FormatException>(() => TierModeNames.Parse(text));
        Assert.That(e!.Message, Does.Contain(TierModeNames.Accepted));
    }
}
