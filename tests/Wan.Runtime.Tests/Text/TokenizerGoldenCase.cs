using System.Text.Json;
using Wan.Testing;

namespace Wan.Runtime.Tests.Text;

/// <summary>One entry of a fixture set's goldens/tokenizer.json; <see cref="N"/> is its padded length.</summary>
internal sealed record TokenizerGoldenCase(string Name, string Text, string Cleaned, int N, int[] Ids, int[] IdsPadded, bool Truncated)
{
    public static IReadOnlyList<TokenizerGoldenCase> ReadAll(FixtureCase fixtureCase)
    {
        var root = Root(fixtureCase);
        return [.. root.GetProperty("cases").EnumerateArray().Select(c => new TokenizerGoldenCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("text").GetString()!,
            c.GetProperty("cleaned").GetString()!,
            c.GetProperty("N").GetInt32(),
            [.. c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())],
            [.. c.GetProperty("ids_padded_to_N").EnumerateArray().Select(e => e.GetInt32())],
            c.GetProperty("truncated").GetBoolean()))];
    }

    public static JsonElement Root(FixtureCase fixtureCase)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(fixtureCase.File));
        return doc.RootElement.Clone();
    }
}
