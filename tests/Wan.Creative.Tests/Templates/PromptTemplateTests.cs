using Wan.Errors;
using Wan.Creative.Templates;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Creative.Tests.Templates;

/// <summary>Template manifests: deterministic expansion in both languages, pinned defaults, validation messages.</summary>
public class PromptTemplateTests
{
    internal const string Cinematic = """
        { "name": "cinematic", "description": "film look",
          "en": { "pattern": "{prompt}, {style}, {camera}, {lighting}", "style": ["cinematic", "35mm film"],
                  "camera": "slow dolly-in", "lighting": "golden hour", "negative_prompt": "blurry, low quality" },
          "zh": { "pattern": "{prompt}，{style}，{camera}，{lighting}", "style": ["电影感", "胶片质感"],
                  "camera": "缓慢推镜", "lighting": "", "negative_prompt": "模糊，低质量" },
          "defaults": { "steps": 2, "width": 48, "height": 32, "frames": 5, "guidance": [2.5, 3.5], "solver": "euler", "fps": 8 } }
        """;

    private static PromptTemplate Load(string name, string json)
    {
        using var dir = new TempDirectory();
        var path = dir.Combine(name + ".json");
        File.WriteAllText(path, json);
        return TemplateManifest.Load(path);
    }

    [Test]
    public void ExpandsEnglishAndChineseDeterministically()
    {
        var template = Load("cinematic", Cinematic);
        Assert.That(template.Expand("  a fox in the snow "), Is.EqualTo("a fox in the snow, cinematic, 35mm film, slow dolly-in, golden hour"));
        Assert.That(template.Expand("雪地里的狐狸"), Is.EqualTo("雪地里的狐狸，电影感，胶片质感，缓慢推镜"), "empty {lighting} drops with its separator");
        var reloaded = Load("cinematic", Cinematic);
        Assert.That(reloaded.Expand("雪地里的狐狸"), Is.EqualTo(template.Expand("雪地里的狐狸")), "same manifest, same prompt: same expansion");
        Assert.Throws<RequestException>(() => template.Expand("   "));
    }

    [Test]
    public void PinnedDefaultsYieldToExplicitSettings()
    {
        var template = Load("cinematic", Cinematic);
        var request = new GenerationRequest { Prompt = "a fox", Steps = 40, Width = 1280, Height = 720, Frames = 81, Solver = "unipc" };
        var pinned = template.ApplyTo(request, new HashSet<RequestSetting>());
        Assert.That((pinned.Steps, pinned.Width, pinned.Height, pinned.Frames, pinned.GuidanceLow, pinned.GuidanceHigh, pinned.Solver, pinned.Fps),
            Is.EqualTo((2, 48, 32, 5, 2.5, 3.5, "euler", 8)));
        Assert.That(pinned.NegativePrompt, Is.EqualTo("blurry, low quality"));
        var chinese = template.ApplyTo(request with { Prompt = "狐狸" }, new HashSet<RequestSetting>());
        Assert.That(chinese.NegativePrompt, Is.EqualTo("模糊，低质量"));

        var own = template.ApplyTo(request with { NegativePrompt = "text" }, new HashSet<RequestSetting> { RequestSetting.Steps, RequestSetting.Size, RequestSetting.NegativePrompt });
        Assert.That((own.Steps, own.Width, own.Height, own.NegativePrompt, own.Frames), Is.EqualTo((40, 1280, 720, "text", 5)));
    }

    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt}" }, "colour": 1 }""", "unknown key \"colour\"")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{style}" } }""", "en.pattern must contain {prompt} exactly once")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt} {mood}" } }""", "unknown placeholder {mood}")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt} }" } }""", "unmatched brace")]
    [TestCase("""{ "name": "t" }""", "at least one wording")]
    [TestCase("""{ "name": "other", "en": { "pattern": "{prompt}" } }""", "must equal the file name 't'")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt}" }, "defaults": { "width": 50 } }""", "defaults.width must be a multiple of 16")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt}" }, "defaults": { "frames": 8 } }""", "defaults.frames must be 4k+1")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt}" }, "defaults": { "solver": "ddim" } }""", "defaults.solver 'ddim' must be one of")]
    [TestCase("""{ "name": "t", "en": { "pattern": "{prompt}", "style": [""] } }""", "en.style must be an array of non-empty strings")]
    [TestCase("""{ "name": "t", """, "not valid JSON")]
    public void BrokenManifestsNameTheFileAndField(string json, string problem)
    {
        var e = Assert.Throws<TemplateException>(() => Load("t", json))!;
        Assert.That(e.Message, Does.Contain("t.json: ").And.Contain(problem).And.Not.Contain("\n"));
    }

    [TestCase("雪地里的狐狸", PromptLanguage.Chinese)]
    [TestCase("a fox, 4k", PromptLanguage.English)]
    [TestCase("a fox 狐", PromptLanguage.Chinese)]
    public void DetectsTheLanguage(string prompt, PromptLanguage language) =>
        Assert.That(PromptLanguages.Detect(prompt), Is.EqualTo(language));
}
