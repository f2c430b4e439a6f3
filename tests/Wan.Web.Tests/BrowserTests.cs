namespace Wan.Web.Tests;

/// <summary>The browser test may only be skipped outside CI.</summary>
internal sealed class BrowserTests
{
    [TestCase("/usr/lib/chromium/chromium", true, null, Browser.Missing.None)]
    [TestCase("/usr/lib/chromium/chromium", true, "true", Browser.Missing.None)]
    [TestCase(null, true, "true", Browser.Missing.Fail)]
    [TestCase("/usr/bin/chromium", false, "1", Browser.Missing.Fail)]
    [TestCase(null, true, null, Browser.Missing.Skip)]
    [TestCase("/usr/bin/chromium", false, "", Browser.Missing.Skip)]
    public void MissingChromiumFailsUnderCiAndSkipsElsewhere(string? binary, bool driver, string? ci, Browser.Missing expected) =>
        Assert.That(Browser.Decide(binary, driver, ci), Is.EqualTo(expected));
}
