using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>`wan serve` as a user starts it: refusals are one line and exit 2; a started server answers on its --urls address.</summary>
public class ServeCommandTests
{
    [Test]
    public void MissingModelIsOneLine()
    {
        using var data = new TempDirectory();
        var missing = data.Combine("no-model");
        var (code, stdout, stderr) = CliProcess.Run("serve", "--model", missing, "--data", data.Combine("data"), "--urls", "http://127.0.0.1:0");
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(missing).And.Contain("not found"));
    }

    [Test]
    public void UnknownPolicyIsRefusedByTheParser()
    {
        var (code, _, stderr) = CliProcess.Run("serve", "--model", ".", "--interrupted", "retry");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("retry"));
    }

    [Test]
    public async Task ServesAVideoOnTheGivenAddress()
    {
        using var data = new TempDirectory();
        var model = Fixtures.Require(Fixtures.Sets.FirstOrDefault()).Diffusers;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "wan.dll"), "serve", "--model", model, "--data", data.Path, "--device", "cpu", "--urls", "http://127.0.0.1:0" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        try
        {
            string? address = null;
            while (address is null && await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)) is { } line)
            {
                if (line.StartsWith("wan serve: listening on ", StringComparison.Ordinal))
                {
                    address = line["wan serve: listening on ".Length..].Split(',')[0].Trim();
                }
            }
            Assert.That(address, Does.StartWith("http://127.0.0.1:"), "the listening line");
            using var client = new HttpClient { BaseAddress = new Uri(address!), Timeout = TimeSpan.FromMinutes(2) };
            var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
            Assert.That(health.GetProperty("placement").GetString(), Does.Contain("DiT: cpu"));
            using var created = await client.PostAsJsonAsync("/v1/videos", new { prompt = "served", frames = 1, height = 16, width = 16, steps = 1 });
            Assert.That((int)created.StatusCode, Is.EqualTo(202));
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var events = await client.GetStringAsync($"/v1/videos/{id}/events");
            Assert.That(events.TrimEnd(), Does.EndWith("""{"kind":"done","progress":1}"""));
            var video = await client.GetByteArrayAsync($"/v1/videos/{id}/content");
            Assert.That(video.Length, Is.GreaterThan(100));
            Assert.That(File.Exists(Path.Combine(data.Path, "jobs.db")), Is.True, "the store is in --data");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
