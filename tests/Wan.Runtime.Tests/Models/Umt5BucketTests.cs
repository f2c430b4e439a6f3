using Wan.Runtime.Models.Umt5;

namespace Wan.Runtime.Tests.Models;

public class Umt5BucketTests
{
    /// <summary>The float32 log of the official code against a float64 evaluation of the same formula.</summary>
    [TestCase(16, 128)]
    [TestCase(24, 128)]
    [TestCase(32, 128)]
    [TestCase(64, 128)]
    [TestCase(10, 20)]
    public void BucketsAgreeWithFloat64Formula(int buckets, int maxDistance)
    {
        for (int rel = -700; rel <= 700; rel++)
        {
            var expected = Umt5ReferenceEncoder.Bucket(rel, buckets, maxDistance);
            Assert.That(RelativePositionBuckets.Bucket(rel, buckets, maxDistance), Is.EqualTo(expected), $"relative position {rel}");
        }
    }

    [Test]
    public void DirectionsUseSeparateHalvesAndFarDistancesShareTheLastBucket()
    {
        Assert.That(RelativePositionBuckets.Bucket(0, 32, 128), Is.EqualTo(0));
        Assert.That(RelativePositionBuckets.Bucket(-7, 32, 128), Is.EqualTo(7));
        Assert.That(RelativePositionBuckets.Bucket(7, 32, 128), Is.EqualTo(23));
        Assert.That(RelativePositionBuckets.Bucket(-1000, 32, 128), Is.EqualTo(15));
        Assert.That(RelativePositionBuckets.Bucket(1000, 32, 128), Is.EqualTo(31));
    }

    [Test]
    public void OffsetTableCoversEveryKeyMinusQuery()
    {
        var table = RelativePositionBuckets.ForOffsets(5, 9, 32, 128);
        Assert.That(table, Has.Length.EqualTo(13));
        for (int offset = -4; offset <= 8; offset++)
        {
            Assert.That(table[offset + 4], Is.EqualTo(RelativePositionBuckets.Bucket(offset, 32, 128)), $"offset {offset}");
        }
    }

    [Test]
    public void UnusableBucketSettingsAreRejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => RelativePositionBuckets.Bucket(3, 3, 128))!.Message, Does.Contain("at least 4 buckets, got 3"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => RelativePositionBuckets.Bucket(3, 32, 8))!.Message, Does.Contain("max_distance 8"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => RelativePositionBuckets.ForOffsets(0, 4, 32, 128))!.Message, Does.Contain("0 x 4"));
    }
}
