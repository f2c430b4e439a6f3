using Wan.Creative.Safety;
using Wan.Creative.Templates;
using Wan.Creative.Tests.Templates;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Creative.Tests;

/// <summary>The one preparation order the CLI and the service share: filter, extension, template, filter again.</summary>
public class CreativePreparationTests
{
    private static readonly PromptFilter Filter = PromptFilter.FromTerms(["gore", "暴力"], "list");

    private static PromptTemplate Cinematic()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("cinematic.json"), PromptTemplateTests.Cinematic);
        return TemplateManifest.Load(dir.Combine("cinematic.json"));
    }

    [Test]
    public async Task ExtendsThenExpandsThenPinsDefaults()
    {
        using var service = new LoopbackHttpService(c => LoopbackHttpService.Reply(c, 200, """{"prompt": "a red fox leaping through snow"}"""));
        using var extension = new PromptExtension(service.Url);
        var prepared = await CreativePreparation.PrepareAsync(new GenerationRequest { Prompt = "fox", Steps = 40 },
            new CreativeSettings { Filter = Filter, Extension = extension, Template = Cinematic() }, new HashSet<RequestSetting>());
        Assert.That(prepared.Request.Prompt, Is.EqualTo("a red fox leaping through snow, cinematic, 35mm film, slow dolly-in, golden hour"));
        Assert.That((prepared.Request.Steps, prepared.Request.Width, prepared.Warnings.Count), Is.EqualTo((2, 48, 0)));
    }

    [Test]
    public async Task AnExtensionThatAddsABlockedTermIsRefused()
    {
        using var service = new LoopbackHttpService(c => LoopbackHttpService.Reply(c, 200, """{"prompt": "a fox, lots of GORE"}"""));
        using var extension = new PromptExtension(service.Url);
        var e = await Assert.ThrowsAsync<PromptRefusedException>(() => CreativePreparation.PrepareAsync(new GenerationRequest { Prompt = "a fox" },
            new CreativeSettings { Filter = Filter, Extension = extension }, new HashSet<RequestSetting>()))!;
        Assert.That(e!.Message, Does.StartWith("expanded prompt refused").And.Contain("'gore'"));
    }

    [Test]
    public async Task ABlockedPromptIsRefusedBeforeTheExtensionIsCalled()
    {
        using var service = new LoopbackHttpService(c => LoopbackHttpService.Reply(c, 200, """{"prompt": "fine"}"""));
        using var extension = new PromptExtension(service.Url);
        var settings = new CreativeSettings { Filter = Filter, Extension = extension, Template = Cinematic() };
        var prompt = await Assert.ThrowsAsync<PromptRefusedException>(() => CreativePreparation.PrepareAsync(
            new GenerationRequest { Prompt = "暴 力" }, settings, new HashSet<RequestSetting>()));
        Assert.That(prompt!.Message, Does.StartWith("prompt refused"));
        var negative = await Assert.ThrowsAsync<PromptRefusedException>(() => CreativePreparation.PrepareAsync(
            new GenerationRequest { Prompt = "a fox", NegativePrompt = "g o r e" }, settings, new HashSet<RequestSetting>()));
        Assert.That(negative!.Message, Does.StartWith("negative prompt refused"));
        Assert.That(service.Requests, Is.Empty, "nothing was sent to the extension service");
    }

    [Test]
    public async Task AFailingExtensionIsAWarning()
    {
        using var extension = new PromptExtension(new Uri($"http://127.0.0.1:{LoopbackHttpService.FreePort()}/x"));
        var prepared = await CreativePreparation.PrepareAsync(new GenerationRequest { Prompt = "a fox" },
            new CreativeSettings { Extension = extension }, new HashSet<RequestSetting>());
        Assert.That(prepared.Request.Prompt, Is.EqualTo("a fox"));
        Assert.That(prepared.Warnings.Single(), Does.Contain("using the prompt as given"));
    }
}
