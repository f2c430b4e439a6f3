using Wan.Testing;

namespace Wan.Runtime.Tests.Infrastructure;

/// <summary>The shared error measure: exact on a hand-computed case, and it flags what it must.</summary>
public sealed class MetricsTests
{
    [Test]
    public void RelativeL2IsTheNormOfTheDifferenceOverTheNormOfTheReference() =>
        // ‖[3,5,0] − [3,4,0]‖ = 1, ‖[3,4,0]‖ = 5
        Assert.That(Metrics.RelativeL2([3f, 5f, 0f], [3f, 4f, 0f]), Is.EqualTo(0.2).Within(1e-15));

    [Test]
    public void AssertCloseFlagsAnErrorAboveTheTolerance() =>
        Assert.That(() => Metrics.AssertClose([3f, 5f], [3f, 4f], 0.1, "wrong output"),
            Throws.TypeOf<AssertionException>().With.Message.Contains("wrong output"));

    [Test]
    public void AssertCloseFlagsANonFiniteElementByIndex() =>
        Assert.That(() => Metrics.AssertClose([1f, float.NaN], [1f, 1f], 1.0, "poisoned"),
            Throws.TypeOf<AssertionException>().With.Message.Contains("element 1 is NaN"));

    [Test]
    public void AnAllZeroReferenceIsRefused() =>
        Assert.That(() => Metrics.RelativeL2([1f, 2f], [0f, 0f]), Throws.TypeOf<AssertionException>().With.Message.Contains("all zeros"));

    [Test]
    public void DifferentLengthsAreRefused() =>
        Assert.That(() => Metrics.RelativeL2([1f, 2f, 3f], [1f, 2f]), Throws.TypeOf<AssertionException>().With.Message.Contains("length 3"));
}
