using Wan.Testing;

namespace Wan.Runtime.Tests.Infrastructure;

/// <summary>A printed seed replays the same inputs; the replay variable is parsed strictly.</summary>
public sealed class RandomDataTests
{
    [Test]
    public void TheSameSeedGivesTheSameValues()
    {
        var first = new RandomData();
        var replay = new RandomData(first.Seed);
        Assert.Multiple(() =>
        {
            Assert.That(replay.Normal(257), Is.EqualTo(first.Normal(257)));
            Assert.That(replay.Int(0, 1_000_000), Is.EqualTo(first.Int(0, 1_000_000)));
        });
    }

    [Test]
    public void DifferentSeedsGiveDifferentValues() =>
        Assert.That(new RandomData(1).Normal(64), Is.Not.EqualTo(new RandomData(2).Normal(64)));

    [TestCase(null, null)]
    [TestCase("", null)]
    [TestCase("1234", 1234)]
    [TestCase("-7", -7)]
    public void SeedVariableIsParsed(string? value, int? seed) => Assert.That(RandomData.SeedFrom(value), Is.EqualTo(seed));

    [TestCase("12x")]
    [TestCase("99999999999")]
    public void ABadSeedVariableIsNamed(string value) =>
        Assert.That(() => RandomData.SeedFrom(value),
            Throws.ArgumentException.With.Message.Contains(RandomData.SeedVariable).And.Message.Contains(value));
}
