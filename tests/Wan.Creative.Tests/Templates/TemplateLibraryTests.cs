using System.Collections.Concurrent;
using Wan.Creative.Templates;
using Wan.Runtime.Library;
using Wan.Testing;

namespace Wan.Creative.Tests.Templates;

/// <summary>The template library over the shared hot-reloaded manifest folder.</summary>
public class TemplateLibraryTests
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public void LoadsValidTemplatesAndReportsBrokenOnes()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("cinematic.json"), PromptTemplateTests.Cinematic);
        File.WriteAllText(dir.Combine("broken.json"), """{ "name": "broken", "en": { "pattern": "no placeholder" } }""");
        using var library = TemplateLibrary.Open(dir.Path, watch: false);
        Assert.That(library.Templates.Keys, Is.EqualTo(new[] { "cinematic" }));
        Assert.That(library.Problems["broken"].Message, Does.Contain("{prompt} exactly once"));
        var unknown = Assert.Throws<TemplateException>(() => library.Get("anime"))!;
        Assert.That(unknown.Message, Does.Contain("no such template").And.Contain("templates: cinematic"));
        Assert.That(Assert.Throws<TemplateException>(() => library.Get("broken"))!.Message, Does.Contain("its manifest is invalid"));
        Assert.Throws<DirectoryNotFoundException>(() => TemplateLibrary.Open(dir.Combine("none")));
    }

    [Test]
    public void AnEditIsServedWithoutARestartAndABrokenEditKeepsThePreviousVersion()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("cinematic.json");
        File.WriteAllText(path, PromptTemplateTests.Cinematic);
        using var library = TemplateLibrary.Open(dir.Path, watch: true);
        var changes = new BlockingCollection<ManifestFolderChange>();
        library.Changed += (_, change) => changes.Add(change);
        Assert.That(library.Get("cinematic").Expand("a fox"), Does.StartWith("a fox, cinematic"));

        File.WriteAllText(path, PromptTemplateTests.Cinematic.Replace("\"cinematic\", \"35mm film\"", "\"noir\""));
        Assert.That(changes.TryTake(out var updated, WatchTimeout), Is.True, "the watcher saw the edit");
        Assert.That(updated!.Updated, Is.EqualTo(new[] { "cinematic" }));
        Assert.That(library.Get("cinematic").Expand("a fox"), Does.StartWith("a fox, noir, slow dolly-in"));

        File.WriteAllText(path, "{ \"name\": \"cinematic\", ");
        Assert.That(changes.TryTake(out var rejected, WatchTimeout), Is.True, "the watcher saw the broken edit");
        Assert.That(rejected!.Rejected.Single().ServingPrevious, Is.True);
        Assert.That(library.Get("cinematic").Expand("a fox"), Does.StartWith("a fox, noir"), "the previous valid version stays served");

        File.Delete(path);
        Assert.That(changes.TryTake(out var removed, WatchTimeout), Is.True, "the watcher saw the removal");
        Assert.That(removed!.Removed, Is.EqualTo(new[] { "cinematic" }));
        Assert.That(library.Templates, Is.Empty);
    }
}
