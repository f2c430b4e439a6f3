using Wan.Runtime.Styles;

namespace Wan.Runtime.Tests.Styles;

/// <summary>The style library: hot add/change/remove through Refresh and the watcher, full validation, old version kept when a new one breaks.</summary>
[Category("Golden")]
public class StyleLibraryTests
{
    private static readonly LoraFileValidator Validator = new();

    private static string Manifest(string name, string lora, double strength = 0.8, string extra = "") => $$"""
        {
          "name": "{{name}}",
          "description": "test style {{name}}",
          "loras": [ { "file": "{{lora}}", "strength": {{strength.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "expert": "high" } ],
          "trigger_words": ["inkwash"],
          "prompt_prefix": "ink painting",
          "negative_prompt": "photo"{{extra}}
        }
        """;

    [Test]
    public void RefreshPicksUpAddedChangedAndRemovedStyles()
    {
        using var folder = new StyleFolder();
        var lora = folder.LoraFiles[0];
        folder.Write("ink", Manifest("ink", lora));
        using var library = StyleLibrary.Open(folder.Root, Validator, watch: false);
        var ink = library.Get("ink");
        Assert.That(ink.Loras.Single().Path, Is.EqualTo(Path.Combine(folder.Root, lora)));
        Assert.That(ink.Loras.Single().Strength, Is.EqualTo(0.8f));

        folder.Write("neon", Manifest("neon", lora, 0.5));
        var change = library.Refresh();
        Assert.That(change.Added, Is.EqualTo(new[] { "neon" }));
        Assert.That(change.Updated, Is.Empty, "an unchanged manifest is not revalidated");
        Assert.That(library.Styles.Keys, Is.EqualTo(new[] { "ink", "neon" }));

        folder.Write("ink", Manifest("ink", lora, -0.5));
        change = library.Refresh();
        Assert.That(change.Updated, Is.EqualTo(new[] { "ink" }));
        Assert.That(library.Get("ink").Loras.Single().Strength, Is.EqualTo(-0.5f));
        Assert.That(ink.Loras.Single().Strength, Is.EqualTo(0.8f), "a style handed out earlier is immutable");

        folder.Delete("neon");
        change = library.Refresh();
        Assert.That(change.Removed, Is.EqualTo(new[] { "neon" }));
        var e = Assert.Throws<StyleException>(() => library.Get("neon"));
        Assert.That(e!.Message, Does.Contain("'neon'").And.Contain("no such style").And.Contain("styles: ink"));
        Assert.That(library.Refresh().Any, Is.False, "nothing changed");
    }

    [Test]
    public void ABrokenNewVersionLeavesTheOldOneServedAndSaysWhy()
    {
        using var folder = new StyleFolder();
        folder.Write("ink", Manifest("ink", folder.LoraFiles[0]));
        using var library = StyleLibrary.Open(folder.Root, Validator, watch: false);

        folder.Write("ink", Manifest("ink", "missing.safetensors"));
        var change = library.Refresh();
        var problem = change.Rejected.Single();
        Assert.That(problem.ServingPrevious, Is.True);
        Assert.That(problem.Message, Does.Contain("ink.json").And.Contain("loras[0].file 'missing.safetensors'").And.Contain("not found"));
        Assert.That(library.Get("ink").Loras.Single().Path, Does.EndWith(folder.LoraFiles[0]), "the previous version is still served");
        Assert.That(library.Problems["ink"], Is.EqualTo(problem));

        folder.Write("ink", Manifest("ink", folder.LoraFiles[1]));
        change = library.Refresh();
        Assert.That(change.Updated, Is.EqualTo(new[] { "ink" }));
        Assert.That(library.Problems, Is.Empty);

        folder.Write("fresh", "{ \"name\": \"fresh\", ");
        change = library.Refresh();
        Assert.That(change.Rejected.Single().ServingPrevious, Is.False);
        var e = Assert.Throws<StyleException>(() => library.Get("fresh"));
        Assert.That(e!.Message, Does.Contain("manifest is invalid").And.Contain("not valid JSON"));
    }

    [Test]
    public void AReplacedLoraFileRevalidatesTheStyleThatNamesIt()
    {
        using var folder = new StyleFolder();
        folder.Write("ink", Manifest("ink", folder.LoraFiles[0]));
        using var library = StyleLibrary.Open(folder.Root, Validator, watch: false);
        File.Copy(folder.DitWeights, Path.Combine(folder.Root, folder.LoraFiles[0]), overwrite: true);
        var problem = library.Refresh().Rejected.Single();
        Assert.That(problem.Message, Does.Contain("not a usable LoRA").And.Contain("matches no LoRA key"));
        Assert.That(problem.ServingPrevious, Is.True);
    }

    [Test]
    public void TheWatcherRefreshesWhenAManifestAppears()
    {
        using var folder = new StyleFolder();
        using var library = StyleLibrary.Open(folder.Root, Validator, watch: true);
        Assert.That(library.Styles, Is.Empty);
        using var added = new ManualResetEventSlim();
        library.Changed += (_, change) =>
        {
            if (change.Added.Contains("ink"))
            {
                added.Set();
            }
        };
        folder.Write("ink", Manifest("ink", folder.LoraFiles[0]));
        Assert.That(added.Wait(TimeSpan.FromSeconds(30)), Is.True, "the watcher announced the new style");
        Assert.That(library.Get("ink").Description, Is.EqualTo("test style ink"));
    }

    [Test]
    public void TheWatcherKeepsServingTheOldVersionWhenAnEditBreaksIt()
    {
        using var folder = new StyleFolder();
        folder.Write("ink", Manifest("ink", folder.LoraFiles[0]));
        using var library = StyleLibrary.Open(folder.Root, Validator, watch: true);
        using var rejected = new ManualResetEventSlim();
        StyleProblem? seen = null;
        library.Changed += (_, change) =>
        {
            if (change.Rejected.FirstOrDefault(p => p.Name == "ink") is { } problem)
            {
                seen = problem;
                rejected.Set();
            }
        };
        folder.Write("ink", Manifest("ink", folder.LoraFiles[0], strength: 12));
        Assert.That(rejected.Wait(TimeSpan.FromSeconds(30)), Is.True, "the watcher reported the broken edit");
        Assert.That(seen!.ServingPrevious, Is.True);
        Assert.That(seen.Message, Does.Contain("loras[0].strength"));
        Assert.That(library.Get("ink").Loras.Single().Strength, Is.EqualTo(0.8f), "the previous version is still served");
    }

    [TestCase("{ \"name\": \"bad\", \"colour\": 1 }", "unknown key \"colour\"")]
    [TestCase("[1, 2]", "a style manifest is a JSON object")]
    [TestCase("{ \"description\": \"x\" }", "\"name\" is required")]
    [TestCase("{ \"name\": \"other\" }", "must equal the file name 'bad'")]
    [TestCase("{ \"name\": \"bad\", \"loras\": [ { \"file\": \"LORA\", \"strength\": 9 } ] }", "loras[0].strength must be a number in [-4, 4]")]
    [TestCase("{ \"name\": \"bad\", \"loras\": [ { \"file\": \"LORA\", \"expert\": \"mid\" } ] }", "loras[0].expert 'mid' must be one of high, low, both")]
    [TestCase("{ \"name\": \"bad\", \"loras\": [ { \"file\": \"LORA\", \"weight\": 1 } ] }", "unknown key \"loras[0].weight\"")]
    [TestCase("{ \"name\": \"bad\", \"loras\": [ { \"file\": \"DIT\" } ] }", "not a usable LoRA: ")]
    [TestCase("{ \"name\": \"bad\", \"trigger_words\": [\"\"] }", "\"trigger_words\" must be an array of non-empty strings")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"steps\": 0 } }", "recommended.steps must be an integer in 1..200")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"guidance\": [1, 2, 3] } }", "recommended.guidance must be a number or [low, high]")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"shift\": -1 } }", "recommended.shift must be a number in (0, 100]")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"sampler\": \"ddim\" } }", "recommended.sampler: unknown solver 'ddim'")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"sampler\": \"step-distill\", \"steps\": 8 } }", "recommended.sampler: the step-distill sampler takes the 4 steps")]
    [TestCase("{ \"name\": \"bad\", \"recommended\": { \"preset\": \"turbo\" } }", "recommended.preset 'turbo' must be one of official, lightning")]
    public void InvalidManifestsAreRefusedNamingTheFieldAndTheProblem(string json, string expected)
    {
        using var folder = new StyleFolder();
        var path = folder.Write("bad", json.Replace("LORA", folder.LoraFiles[0]).Replace("DIT", folder.DitWeights.Replace("\\", "/")));
        var e = Assert.Throws<StyleException>(() => StyleManifest.Load(path, Validator));
        Assert.That(e!.Message, Does.StartWith(path + ": ").And.Contain(expected));
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
    }

    [Test]
    public void APresetExpandsAndExplicitRecommendationsOverrideIt()
    {
        using var folder = new StyleFolder();
        var path = folder.Write("fast", "{ \"name\": \"fast\", \"recommended\": { \"preset\": \"lightning\", \"shift\": 7 } }");
        var style = StyleManifest.Load(path, Validator);
        Assert.That((style.Sampler, style.Steps, style.GuidanceLow, style.GuidanceHigh, style.Shift), Is.EqualTo(("step-distill", 4, 1.0, 1.0, 7.0)));
        Assert.That(style.Loras, Is.Empty);
    }

    [Test]
    public void TheLoraFileValidatorRecognisesEveryFixtureLoraFormatAndRefusesModelWeights()
    {
        using var folder = new StyleFolder();
        var formats = folder.LoraFiles.Select(f => Validator.Describe(Path.Combine(folder.Root, f))).ToList();
        TestContext.Out.WriteLine(string.Join(", ", folder.LoraFiles.Zip(formats, (f, k) => $"{f}: {k}")));
        Assert.That(formats, Is.SupersetOf(Enum.GetNames<Wan.Runtime.Lora.LoraFormat>()));
        var e = Assert.Throws<StyleException>(() => Validator.Describe(folder.DitWeights));
        Assert.That(e!.Message, Does.Contain("matches no LoRA key"));
    }
}
