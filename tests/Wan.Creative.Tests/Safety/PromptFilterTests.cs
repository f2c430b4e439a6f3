using Wan.Creative.Safety;
using Wan.Testing;

namespace Wan.Creative.Tests.Safety;

/// <summary>The prompt filter against simple evasion, and against false alarms on innocent words.</summary>
public class PromptFilterTests
{
    private static readonly PromptFilter Filter = PromptFilter.FromTerms(["kill*", "gore", "暴力", "血腥", "убить"], "test-list");

    [TestCase("a fox kills a hen", "kill*", TestName = "prefix term inside a longer word")]
    [TestCase("a KILLING spree", "kill*", TestName = "upper case")]
    [TestCase("k i l l the lights", "kill*", TestName = "inserted spaces")]
    [TestCase("k.i-l_l the lights", "kill*", TestName = "inserted punctuation")]
    [TestCase("k\u200Bi\u200Cll the lights", "kill*", TestName = "zero-width characters")]
    [TestCase("ｋｉｌｌ the lights", "kill*", TestName = "full-width letters (NFKC)")]
    [TestCase("𝐤𝐢𝐥𝐥 the lights", "kill*", TestName = "mathematical bold letters (NFKC)")]
    [TestCase("ⓚⓘⓛⓛ", "kill*", TestName = "circled letters (NFKC)")]
    [TestCase("k\u0456ll", "kill*", TestName = "Cyrillic homoglyph і")]
    [TestCase("k1ll", "kill*", TestName = "leetspeak digit")]
    [TestCase("kíll", "kill*", TestName = "accent")]
    [TestCase("so much G0RE", "gore", TestName = "whole word, leet and case")]
    [TestCase("充满暴力的画面", "暴力", TestName = "Chinese inside a sentence")]
    [TestCase("暴 力", "暴力", TestName = "Chinese with a space")]
    [TestCase("暴，力！", "暴力", TestName = "Chinese with full-width punctuation")]
    [TestCase("血\u3000腥", "血腥", TestName = "Chinese with an ideographic space")]
    [TestCase("УБИТЬ", "убить", TestName = "Russian upper case")]
    public void BlocksEvasions(string prompt, string term)
    {
        Assert.That(Filter.FindBlocked(prompt)?.Term, Is.EqualTo(term));
        var e = Assert.Throws<PromptRefusedException>(() => Filter.Enforce(prompt))!;
        Assert.That(e.Message, Does.Contain($"'{term}'").And.Contain("test-list:").And.Not.Contain("\n"));
    }

    [TestCase("a skilled painter at work", TestName = "term inside a word (whole-word rule)")]
    [TestCase("a gorgeous sunset over the sea", TestName = "whole-word term as a prefix")]
    [TestCase("a fox in the snow, cinematic", TestName = "plain English")]
    [TestCase("雪地里的一只狐狸", TestName = "plain Chinese")]
    public void PassesInnocentPrompts(string prompt)
    {
        Assert.That(Filter.FindBlocked(prompt), Is.Null);
        Assert.DoesNotThrow(() => Filter.Enforce(prompt));
    }

    [Test]
    public void ListFilesIgnoreCommentsAndNameTheLine()
    {
        using var dir = new TempDirectory();
        var list = dir.Combine("zh.txt");
        File.WriteAllText(list, "# comment\n\n  屠杀  \n");
        var filter = PromptFilter.Load([list]);
        Assert.That(filter.Terms.Select(t => t.Term), Is.EqualTo(new[] { "屠杀" }));
        Assert.That(filter.FindBlocked("屠 杀")!.Source, Is.EqualTo($"{list}:3"));
        Assert.That(Assert.Throws<FileNotFoundException>(() => PromptFilter.Load([dir.Combine("none.txt")]))!.Message, Does.Contain("none.txt"));
        File.WriteAllText(list, "...\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => PromptFilter.Load([list]))!.Message, Does.Contain($"{list}:1"));
        File.WriteAllBytes(list, [0x6b, 0xff, 0x0a]);
        Assert.That(Assert.Throws<InvalidDataException>(() => PromptFilter.Load([list]))!.Message, Does.Contain("UTF-8"));
    }
}
