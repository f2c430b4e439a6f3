using System.Text;
using Wan.Testing;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

[Category("Golden")]
public class Umt5TokenizerGoldenTests
{
    private static IEnumerable<TestCaseData> TokenizerCases() => Fixtures.CasesOfKind("tokenizer");

    [TestCaseSource(nameof(TokenizerCases))]
    public void IdsOfCleanedTextMatchExactly(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var root = TokenizerGoldenCase.Root(c);
        var cases = TokenizerGoldenCase.ReadAll(c);
        foreach (var layout in new[] { c.Set.Original, c.Set.Diffusers })
        {
            var tokenizer = Umt5Tokenizer.Load(Path.Combine(layout, "tokenizer"));
            Assert.Multiple(() =>
            {
                Assert.That(tokenizer.EosId, Is.EqualTo(root.GetProperty("eos_id").GetInt32()), "eos id");
                Assert.That(tokenizer.PadId, Is.EqualTo(root.GetProperty("pad_id").GetInt32()), "pad id");
                Assert.That(tokenizer.UnknownId, Is.EqualTo(root.GetProperty("unk_id").GetInt32()), "unk id");
            });
            var failures = new StringBuilder();
            var matched = 0;
            foreach (var g in cases)
            {
                var problem = Compare(tokenizer.Encode(g.Cleaned, g.N), g);
                if (problem is null)
                {
                    matched++;
                }
                else
                {
                    failures.AppendLine($"{g.Name}: {problem}");
                }
            }
            TestContext.Out.WriteLine($"{layout}: {matched}/{cases.Count} tokenizer cases match exactly");
            Assert.That(failures.ToString(), Is.Empty, $"cases whose ids differ ({layout})");
        }
    }

    internal static string? Compare(TokenizedText result, TokenizerGoldenCase g)
    {
        if (!result.Ids.SequenceEqual(g.Ids))
        {
            return $"ids [{string.Join(",", result.Ids)}] != expected [{string.Join(",", g.Ids)}]";
        }
        if (!result.Padded.SequenceEqual(g.IdsPadded))
        {
            return $"padded ids differ from ids_padded_to_N (N = {g.N})";
        }
        if (result.Truncated != g.Truncated)
        {
            return $"truncated {result.Truncated} != expected {g.Truncated}";
        }
        var expectedMask = Enumerable.Range(0, g.N).Select(i => i < g.Ids.Length ? 1 : 0);
        return result.Mask.SequenceEqual(expectedMask) ? null : "mask is not 1 exactly on the valid ids";
    }
}
