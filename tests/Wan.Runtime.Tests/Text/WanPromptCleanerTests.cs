using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

public class WanPromptCleanerTests
{
    [TestCase("e\u0301", "\u00E9")]
    [TestCase("a\u0301\u0323", "\u1EA1\u0301")]                 // marks reordered (dot below first), then composed
    [TestCase("\u1100\u1161\u11A8", "\uAC01")]                 // Hangul L V T
    [TestCase("\u212B", "\u00C5")]                             // singleton decomposition
    [TestCase("\u0344", "\u0308\u0301")]                       // composition exclusion stays decomposed
    [TestCase("\u0301e", "\u0301e")]                           // leading mark does not compose
    [TestCase("plain ascii", "plain ascii")]
    public void NfcMatchesUnicode(string input, string expected) =>
        Assert.That(UnicodeNfc.Normalize(input), Is.EqualTo(expected));

    [TestCase("&amp;amp; &lt;&gt; &quot;", "&amp; <> \"")]
    [TestCase("&amp &notit; &ampx", "& \u00ACit; &x")]           // legacy names match without ';' and as prefixes
    [TestCase("&#x80;&#150;&#0;&#1;&#xD800;&#65", "\u20AC\u2013\uFFFD\uFFFDA")]
    [TestCase("&unknown; & &#;", "&unknown; & &#;")]
    public void PythonUnescapeMatchesHtmlModule(string input, string expected) =>
        Assert.That(HtmlEntities.PythonUnescape(input), Is.EqualTo(expected));

    [TestCase("&EACUTE; &eacute; &amp", "\u00C9 \u00E9 &amp")]
    [TestCase("&#39;x&#39;", "'x'")]
    public void FtfyUnescapeDecodesOnlyCompleteEntities(string input, string expected) =>
        Assert.That(HtmlEntities.FtfyUnescape(input), Is.EqualTo(expected));

    [TestCase("The cafÃ© was crÃ¨me brÃ»lÃ©e.", "The café was crème brûlée.")]
    [TestCase("â€œquotedâ€\u009d", "\"quoted\"")]                 // sloppy Windows-1252 mojibake, then uncurled
    [TestCase("naïve café", "naïve café")]                      // correct text is not "repaired"
    [TestCase("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет")]
    public void MojibakeIsRepaired(string input, string expected) =>
        Assert.That(WanPromptCleaner.Clean(input), Is.EqualTo(expected));

    [TestCase("ﬁne ﬂow Ǆ", "fine flow DŽ")]
    [TestCase("ＬＯＵＤ　ＮＯＩＳＥＳ，ｶﾀｶﾅ", "LOUD NOISES,カタカナ")]
    [TestCase("‘a’ “b” ‛c‟", "'a' \"b\" 'c\"")]
    [TestCase("a\u0000b\u200Bc\uFEFFd\u001B[31me", "ab\u200Bcde")]
    [TestCase(" x\r\n\u2028y\u00A0\u3000 z\t", "x y z")]
    [TestCase("\u001Fx\u001C", "x")]
    [TestCase("a &lt;b&gt; &amp;amp;", "a <b> &")]
    [TestCase("<p>\n&amp;amp;", "<p> &")]                        // no ftfy unescape after a '<': html.unescape twice still decodes
    [TestCase("<p>\n&amp;amp;amp;", "<p> &amp;")]
    [TestCase("", "")]
    public void FtfyStepsAndWhitespaceCleaning(string input, string expected) =>
        Assert.That(WanPromptCleaner.Clean(input), Is.EqualTo(expected));

    [Test]
    public void LoneSurrogateBecomesReplacementCharacter() =>
        Assert.That(WanPromptCleaner.Clean("a\uD800b"), Is.EqualTo("a\uFFFDb"));
}
