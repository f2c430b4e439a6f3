using System.Text;
using Wan.Testing;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

[Category("Golden")]
public class WanPromptCleanerGoldenTests
{
    private static IEnumerable<TestCaseData> TokenizerCases() => Fixtures.CasesOfKind("tokenizer");

    [TestCaseSource(nameof(TokenizerCases))]
    public void CleaningThenTokenizingMatchesTheReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var cases = TokenizerGoldenCase.ReadAll(c);
        var tokenizer = Umt5Tokenizer.Load(Path.Combine(c.Set.Original, "tokenizer"));
        var failures = new StringBuilder();
        var matched = 0;
        foreach (var g in cases)
        {
            var cleaned = WanPromptCleaner.Clean(g.Text);
            var problem = cleaned != g.Cleaned
                ? $"cleaned \"{Escape(cleaned)}\" != expected \"{Escape(g.Cleaned)}\""
                : Umt5TokenizerGoldenTests.Compare(tokenizer.Encode(cleaned, g.N), g);
            if (problem is null)
            {
                matched++;
            }
            else
            {
                failures.AppendLine($"{g.Name}: {problem}");
            }
        }
        TestContext.Out.WriteLine($"{c.Set.Name}: {matched}/{cases.Count} prompts clean and tokenize exactly as the reference");
        Assert.That(failures.ToString(), Is.Empty, "cases whose cleaned text or ids differ");
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(ch => ch is < ' ' or > '~' ? $"\\u{(int)ch:X4}" : ch.ToString()));
}
