using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>`wan serve --styles --lora-dir`: a styled request with a LoRA gives the bytes `wan generate --style --lora` gives.</summary>
[Category("Golden")]
public class ServeStyleTests
{
    [Test]
    public async Task AStyledServedVideoEqualsTheCommandLinesBytes()
    {
        using var dir = new TempDirectory();
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var loras = Directory.GetFiles(Path.Combine(set.Directory, "lora"), "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        Directory.CreateDirectory(dir.Combine("styles"));
        Directory.CreateDirectory(dir.Combine("loras"));
        File.Copy(loras[0], dir.Combine("styles", "ink.safetensors"));
        File.Copy(loras[^1], dir.Combine("loras", "detail.safetensors"));
        File.WriteAllText(dir.Combine("styles", "ink.json"), """
            { "name": "ink", "description": "ink wash", "loras": [ { "file": "ink.safetensors", "strength": 0.7, "expert": "high" } ],
              "trigger_words": ["inkwash"], "negative_prompt": "blurry", "recommended": { "steps": 3, "guidance": [2.5, 3.5] } }
            """);

        var cliOutput = dir.Combine("cli.y4m");
        var (code, stdout, stderr) = CliProcess.Run("generate", "--model", set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32", "--width", "32",
            "--seed", "9", "--device", "cpu", "--style", "ink", "--styles", dir.Combine("styles"),
            "--lora", dir.Combine("loras", "detail.safetensors") + ":0.5:low", "--output", cliOutput);
        Assert.That(code, Is.Zero, stderr + stdout);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "wan.dll"), "serve", "--model", set.Diffusers, "--data", dir.Combine("data"), "--device", "cpu",
                     "--urls", "http://127.0.0.1:0", "--styles", dir.Combine("styles"), "--lora-dir", dir.Combine("loras") })
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
            using var created = await client.PostAsJsonAsync("/v1/videos", new
            {
                prompt = "a lantern", frames = 5, height = 32, width = 32, seed = 9, format = "y4m", style = "ink",
                loras = new[] { new { name = "detail", strength = 0.5, expert = "low" } },
            });
            Assert.That((int)created.StatusCode, Is.EqualTo(202), await created.Content.ReadAsStringAsync());
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var events = await client.GetStringAsync($"/v1/videos/{id}/events");
            Assert.That(events.TrimEnd(), Does.EndWith("""{"kind":"done","progress":1}"""), events);
            var served = await client.GetByteArrayAsync($"/v1/videos/{id}/content");
            Assert.That(served, Is.EqualTo(File.ReadAllBytes(cliOutput)), "the server applies the style and LoRAs exactly as the CLI");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
