using Wan.Errors;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wan.Creative.Templates;

namespace Wan.Creative.Tests.Templates;

/// <summary>The prompt-extension hook against a loopback HTTP service the test runs.</summary>
public class PromptExtensionTests
{
    [Test]
    public async Task AnAnswerReplacesThePrompt()
    {
        using var service = new LoopbackHttpService(c => LoopbackHttpService.Reply(c, 200, """{"prompt": "  a red fox leaping through deep snow at dawn  "}"""));
        using var extension = new PromptExtension(service.Url);
        var result = await extension.Extend("雪地狐狸");
        Assert.That(result, Is.EqualTo(new PromptExtensionResult("a red fox leaping through deep snow at dawn", null)));
        using var sent = JsonDocument.Parse(service.Requests.Single());
        Assert.That(sent.RootElement.GetProperty("prompt").GetString(), Is.EqualTo("雪地狐狸"));
        Assert.That(sent.RootElement.GetProperty("language").GetString(), Is.EqualTo("zh"));
    }

    [TestCase(500, """{"error": "overloaded"}""", "HTTP 500")]
    [TestCase(200, """{"text": "wrong field"}""", "no non-empty \"prompt\"")]
    [TestCase(200, "<html>", "not JSON")]
    public async Task AFailingServiceKeepsThePromptWithAWarning(int status, string body, string problem)
    {
        using var service = new LoopbackHttpService(c => LoopbackHttpService.Reply(c, status, body));
        using var extension = new PromptExtension(service.Url);
        var result = await extension.Extend("a fox");
        Assert.That(result.Prompt, Is.EqualTo("a fox"));
        Assert.That(result.Warning, Does.Contain(service.Url.ToString()).And.Contain(problem).And.Contain("using the prompt as given"));
    }

    [Test]
    public async Task NoServiceOrNoAnswerInTimeKeepsThePrompt()
    {
        using (var refused = new PromptExtension(new Uri($"http://127.0.0.1:{LoopbackHttpService.FreePort()}/extend")))
        {
            var result = await refused.Extend("a fox");
            Assert.That((result.Prompt, result.Warning is not null), Is.EqualTo(("a fox", true)));
        }
        using var release = new SemaphoreSlim(0);
        using var silent = new LoopbackHttpService(async c =>
        {
            await release.WaitAsync(TimeSpan.FromSeconds(30));
            await LoopbackHttpService.Reply(c, 200, """{"prompt": "too late"}""");
        });
        using var extension = new PromptExtension(silent.Url, TimeSpan.FromMilliseconds(300));
        var late = await extension.Extend("a fox");
        release.Release();
        Assert.That(late.Prompt, Is.EqualTo("a fox"));
        Assert.That(late.Warning, Does.Contain("no answer within 0.3 s"));
    }

    [Test]
    public void OnlyAbsoluteHttpUrlsAreAccepted()
    {
        Assert.Throws<RequestException>(() => new PromptExtension(new Uri("file:///etc/passwd")));
        Assert.Throws<RequestException>(() => new PromptExtension(new Uri("http://127.0.0.1/"), TimeSpan.Zero));
    }
}
