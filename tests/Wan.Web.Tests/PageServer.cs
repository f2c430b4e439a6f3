using Microsoft.AspNetCore.Builder;
using Wan.Runtime.Engine;
using Wan.Server;
using Wan.Testing;

namespace Wan.Web.Tests;

/// <summary><c>wan serve</c> on 127.0.0.1 (port chosen by the OS) over the first fixture model on the CPU, with a template library; owns its folders.</summary>
internal sealed class PageServer : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private PageServer(WebApplication app, TempDirectory dir)
    {
        App = app;
        _dir = dir;
    }

    public WebApplication App { get; }

    public string Url => App.Urls.First();

    /// <summary>Starts the server; with <paramref name="apiKey"/> it accepts only requests carrying that key.</summary>
    public static async Task<PageServer> StartAsync(string? apiKey = null)
    {
        var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("templates"));
        File.WriteAllText(dir.Combine("templates", "cinematic.json"), """
            { "name": "cinematic", "description": "film look, slow camera",
              "en": { "pattern": "{prompt}, {style}, {camera}", "style": ["cinematic"], "camera": "slow dolly-in" },
              "defaults": { "width": 48, "height": 32, "frames": 5, "steps": 3 } }
            """);
        var app = WanServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], o =>
        {
            o.ModelDirectory = Fixtures.Require(Fixtures.Sets.FirstOrDefault()).Diffusers;
            o.DataDirectory = dir.Combine("data");
            o.Device = EngineDevice.Cpu;
            o.Creative.TemplatesDirectory = dir.Combine("templates");
            if (apiKey is not null)
            {
                o.ApiKeys = [apiKey];
            }
        });
        await app.StartAsync();
        return new PageServer(app, dir);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _dir.Dispose();
    }
}
