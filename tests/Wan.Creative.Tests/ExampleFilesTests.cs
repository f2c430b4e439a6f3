using Wan.Creative.Safety;
using Wan.Creative.Templates;

namespace Wan.Creative.Tests;

/// <summary>The example templates and block list shipped in examples/ stay valid.</summary>
public class ExampleFilesTests
{
    private static string Examples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wan.Runtime.sln")))
            {
                return Path.Combine(dir.FullName, "examples");
            }
        }
        throw new AssertionException($"no Wan.Runtime.sln above {AppContext.BaseDirectory}");
    }

    [Test]
    public void ExampleTemplatesLoadAndExpandBothLanguages()
    {
        using var library = TemplateLibrary.Open(Path.Combine(Examples(), "templates"), watch: false);
        Assert.That(library.Problems, Is.Empty, string.Join("; ", library.Problems.Values.Select(p => p.Message)));
        Assert.That(library.Templates.Keys, Is.EquivalentTo(new[] { "cinematic", "product-hero" }));
        Assert.That(library.Get("product-hero").Expand("a white sneaker"), Does.StartWith("commercial product video, clean seamless studio background, crisp reflections: a white sneaker"));
        Assert.That(library.Get("cinematic").Expand("雪山上的日出"), Does.StartWith("雪山上的日出，电影质感"));
    }

    [Test]
    public void ExampleBlockListLoadsAndBlocks()
    {
        var filter = PromptFilter.Load([Path.Combine(Examples(), "safety", "blocklist.example.txt")]);
        Assert.That(filter.FindBlocked("a MASSACRE at dawn")?.Term, Is.EqualTo("massacre*"));
        Assert.That(filter.FindBlocked("血 腥的场面")?.Term, Is.EqualTo("血腥"));
        Assert.That(filter.FindBlocked("a gorgeous sunrise over snowy mountains"), Is.Null);
    }
}
