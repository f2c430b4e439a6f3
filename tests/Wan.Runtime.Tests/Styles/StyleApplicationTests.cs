using Wan.Runtime.Pipeline;
using Wan.Runtime.Styles;

namespace Wan.Runtime.Tests.Styles;

/// <summary>How a style changes a request: prompt composition and recommended settings, explicit settings winning.</summary>
public class StyleApplicationTests
{
    private static Style Sample => new("ink", "ink painting", [], ["inkwash", "sumi-e"], "masterpiece", "soft light", "photo, 3d",
        Steps: 4, GuidanceLow: 1.0, GuidanceHigh: 1.5, Shift: 5.0, Sampler: "step-distill", ManifestPath: "/styles/ink.json");

    [Test]
    public void ThePromptGetsPrefixMissingTriggerWordsAndSuffix()
    {
        Assert.That(Sample.ComposePrompt("a heron in the reeds"), Is.EqualTo("masterpiece, inkwash, sumi-e, a heron in the reeds, soft light"));
        Assert.That(Sample.ComposePrompt("a SUMI-E heron"), Is.EqualTo("masterpiece, inkwash, a SUMI-E heron, soft light"), "a trigger word already present is not repeated");
        var bare = Sample with { PromptPrefix = "", PromptSuffix = "", TriggerWords = [] };
        Assert.That(bare.ComposePrompt(" a heron "), Is.EqualTo("a heron"));
    }

    [Test]
    public void RecommendedSettingsApplyUnlessSetExplicitly()
    {
        var request = new GenerationRequest { Prompt = "a heron", NegativePrompt = "blur", Steps = 30, GuidanceLow = 2, GuidanceHigh = 2, Shift = 8, Solver = "dpm++" };
        var styled = Sample.ApplyTo(request, new HashSet<StyleSetting>());
        Assert.That((styled.NegativePrompt, styled.Steps, styled.GuidanceLow, styled.GuidanceHigh, styled.Shift, styled.Solver),
            Is.EqualTo(("photo, 3d", 4, 1.0, 1.5, 5.0, "step-distill")));
        Assert.That(styled.Prompt, Is.EqualTo("masterpiece, inkwash, sumi-e, a heron, soft light"));

        var explicitOnes = Sample.ApplyTo(request, new HashSet<StyleSetting> { StyleSetting.Steps, StyleSetting.Guidance, StyleSetting.NegativePrompt });
        Assert.That((explicitOnes.NegativePrompt, explicitOnes.Steps, explicitOnes.GuidanceLow, explicitOnes.GuidanceHigh, explicitOnes.Shift, explicitOnes.Solver),
            Is.EqualTo(("blur", 30, 2.0, 2.0, 5.0, "step-distill")));

        var silent = new Style("plain", "", [], [], "", "", null, null, null, null, null, null, "/styles/plain.json");
        Assert.That(silent.ApplyTo(request, new HashSet<StyleSetting>()), Is.EqualTo(request), "a style without recommendations leaves the request alone");
    }
}
