using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Wan.Runtime.Engine;
using Wan.Server.Api;
using Wan.Server.Jobs;
using Wan.Testing;

namespace Wan.Server.Tests.Infrastructure;

/// <summary>
/// A real <c>wan serve</c> application (Kestrel on 127.0.0.1, port chosen by the OS) on a fixture model
/// with the CPU engine, its data in a folder the harness owns unless one is given (restart tests pass
/// the same folder to a second harness). The engine runner is wrapped by a <see cref="CountingRunner"/>.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly bool _ownsData;

    private ServerHarness(WebApplication app, string dataDirectory, bool ownsData, CountingRunner runner)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
        Runner = runner;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
    }

    public WebApplication App { get; }
    public string DataDirectory { get; }
    public CountingRunner Runner { get; }
    public HttpClient Client { get; }
    public IJobStore Store => App.Services.GetRequiredService<IJobStore>();
    public JobEventHub Events => App.Services.GetRequiredService<JobEventHub>();
    public IJobDispatcher Dispatcher => App.Services.GetRequiredService<IJobDispatcher>();

    /// <summary>The model of the first fixture set (each test picks its own small sizes).</summary>
    public static string Model => Fixtures.Require(Fixtures.Sets.FirstOrDefault()).Diffusers;

    public static async Task<ServerHarness> StartAsync(string? model = null, string? dataDirectory = null, Action<ServerOptions>? configure = null)
    {
        bool owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("wan-serve-test-").FullName;
        CountingRunner? runner = null;
        var app = WanServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.ModelDirectory = model ?? Model;
            o.DataDirectory = dataDirectory;
            o.Device = EngineDevice.Cpu;
            configure?.Invoke(o);
        }, services => services.AddSingleton<IJobRunner>(sp =>
            runner = new CountingRunner(new EngineJobRunner(sp.GetRequiredService<WanEngine>(), sp.GetRequiredService<Creative.VideoFinisher>()))));
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IJobRunner>();
        return new ServerHarness(app, dataDirectory, owns, runner!);
    }

    /// <summary>Submits a request body; returns the response (not checked).</summary>
    public Task<HttpResponseMessage> PostAsync(object body) => Client.PostAsJsonAsync("/v1/videos", body, ServerJson.Options);

    /// <summary>Submits and expects 202; returns the created body.</summary>
    public async Task<VideoCreatedBody> SubmitAsync(object body)
    {
        using var response = await PostAsync(body);
        Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Does.StartWith("/v1/videos/"));
        return (await response.Content.ReadFromJsonAsync<VideoCreatedBody>(ServerJson.Options))!;
    }

    public async Task<JsonElement> StatusAsync(string id) => await Client.GetFromJsonAsync<JsonElement>($"/v1/videos/{id}");

    /// <summary>Every event of a job until the stream ends (after its terminal event).</summary>
    public async Task<List<(string Name, JsonElement Data)>> EventsAsync(string id, Func<string, JsonElement, Task>? onEvent = null)
    {
        var events = new List<(string, JsonElement)>();
        using var response = await Client.GetAsync($"/v1/videos/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                events.Add((name!, data));
                if (onEvent is not null)
                {
                    await onEvent(name!, data);
                }
            }
        }
        return events;
    }

    /// <summary>Follows the job's events to its end, then returns its status.</summary>
    public async Task<JsonElement> WaitTerminalAsync(string id)
    {
        await EventsAsync(id);
        return await StatusAsync(id);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsData)
        {
            Directory.Delete(DataDirectory, true);
        }
    }
}
