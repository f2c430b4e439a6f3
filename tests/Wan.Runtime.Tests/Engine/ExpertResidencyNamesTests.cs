using Wan.Runtime.Engine;
using Wan.Runtime.Planning;

namespace Wan.Runtime.Tests.Engine;

/// <summary><c>wan plan</c> names the <c>wan generate --experts-resident</c> value of every residency it plans, which parses as an <see cref="ExpertResidency"/>.</summary>
public sealed class ExpertResidencyNamesTests
{
    [Test]
    public void EveryRunnableResidencyOfThePlanIsAnEngineResidency()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Enum.Parse<ExpertResidency>(DeploymentPlan.GenerateOption(WeightResidency.BothExperts), ignoreCase: true), Is.EqualTo(ExpertResidency.Both));
            Assert.That(Enum.Parse<ExpertResidency>(DeploymentPlan.GenerateOption(WeightResidency.ActiveExpert), ignoreCase: true), Is.EqualTo(ExpertResidency.Active));
            Assert.That(Enum.Parse<ExpertResidency>(DeploymentPlan.GenerateOption(WeightResidency.StreamedBlocks), ignoreCase: true), Is.EqualTo(ExpertResidency.Streamed));
        });
    }
}
