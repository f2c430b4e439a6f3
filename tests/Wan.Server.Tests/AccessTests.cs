using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wan.Server.Api;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>API keys from configuration; without keys, loopback clients only.</summary>
public class AccessTests
{
    private const string Key = "test-key-0123456789abcdef";

    [Test]
    public async Task ConfiguredKeysAreRequired()
    {
        await using var server = await ServerHarness.StartAsync(configure: o => o.ApiKeys = [Key, "another-key-0123456789"]);
        const string path = "/v1/videos/0123456789abcdef0123456789abcdef";

        using (var none = await server.Client.GetAsync(path))
        {
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(none.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
            Assert.That(none.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        using (var wrong = await Send(server, path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key + "x")))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        using (var bearer = await Send(server, path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key)))
        {
            Assert.That(bearer.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "past the key check: the job is unknown");
        }
        using (var header = await Send(server, path, r => r.Headers.Add("X-Api-Key", "another-key-0123456789")))
        {
            Assert.That(header.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        foreach (var guarded in new[] { "/metrics", "/openapi/v1.json" })
        {
            using var response = await server.Client.GetAsync(guarded);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), guarded);
        }
        using var health = await server.Client.GetAsync("/healthz");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "health checks need no key");
    }

    [TestCase("127.0.0.1", 200)]
    [TestCase("::1", 200)]
    [TestCase("10.1.2.3", 403)]
    [TestCase("192.168.0.7", 403)]
    public async Task WithoutKeysOnlyLoopbackIsServed(string remote, int status)
    {
        // The middleware alone, on a request context naming the remote address (no traffic leaves the machine).
        var middleware = new ApiKeyMiddleware(context => { context.Response.StatusCode = 200; return Task.CompletedTask; }, new ServerOptions());
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        context.Request.Path = "/v1/videos";
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Response.Body = new MemoryStream();
        await middleware.InvokeAsync(context);
        Assert.That(context.Response.StatusCode, Is.EqualTo(status));
        if (status == 403)
        {
            context.Response.Body.Position = 0;
            Assert.That(new StreamReader(context.Response.Body).ReadToEnd(), Does.Contain(remote));
        }
    }

    [Test]
    public void ShortKeysAreRefusedAtStart()
    {
        var e = Assert.Throws<ArgumentException>(() => new ServerOptions { ModelDirectory = "m", ApiKeys = ["short"] }.Validate());
        Assert.That(e!.Message, Does.Contain("at least 16 characters"));
    }

    private static async Task<HttpResponseMessage> Send(ServerHarness server, string path, Action<HttpRequestMessage> authorize)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        authorize(request);
        return await server.Client.SendAsync(request);
    }
}
