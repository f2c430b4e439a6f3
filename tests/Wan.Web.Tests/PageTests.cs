using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Wan.Testing;

namespace Wan.Web.Tests;

/// <summary>
/// The <c>wan serve</c> page in a real headless chromium: fill the form, submit, watch the progress bar (fed by the SSE
/// stream) reach 100%, the video element load the result, "run again" add a second history row; a screenshot is
/// attached to the test.
/// </summary>
[Category("Golden")]
public class PageTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Test]
    public async Task SubmitWatchProgressPlayAndRunAgain()
    {
        await using var server = await PageServer.StartAsync();
        using var browser = Browser.Start();
        var script = (IJavaScriptExecutor)browser;
        browser.Navigate().GoToUrl(server.Url);
        Assert.That(browser.Title, Does.StartWith("Wan.Runtime"));

        var wait = new WebDriverWait(browser, JobTimeout) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.Until(_ => browser.FindElements(By.CssSelector("#template option")).Count == 2);
        browser.FindElement(By.CssSelector("#template option[value='cinematic']")).Click();
        Assert.That(new[] { "width", "height", "frames", "steps" }.Select(id => browser.FindElement(By.Id(id)).GetDomProperty("value")),
            Is.EqualTo(new[] { "48", "32", "5", "3" }), "picking the template fills in its pinned settings");
        Fill(browser, "prompt", "a red fox running through fresh snow");
        Fill(browser, "seed", "7");
        Assert.That(Progress(browser), Is.Zero, "the bar starts empty");
        browser.FindElement(By.Id("submit")).Click();

        // Every value the bar shows on the way, sampled at each poll: it only moves forward and ends full.
        var seen = new List<double>();
        wait.Until(_ =>
        {
            seen.Add(Progress(browser));
            return seen[^1] >= 1;
        });
        Assert.That(seen, Is.Ordered, "the progress bar never goes back");
        Assert.That(browser.FindElement(By.Id("progress-text")).Text, Is.EqualTo("100%"));

        wait.Until(_ => Convert.ToInt64(script.ExecuteScript("return document.getElementById('player').readyState;")) >= 2);
        var duration = Convert.ToDouble(script.ExecuteScript("return document.getElementById('player').duration;"));
        Assert.That(duration, Is.GreaterThan(0).And.LessThan(10), "5 frames at 16 fps");
        Assert.That(script.ExecuteScript("return document.getElementById('player').videoWidth;"), Is.EqualTo(48L));
        Assert.That(browser.FindElement(By.Id("status")).Text, Is.EqualTo("Done."));

        var rows = browser.FindElements(By.CssSelector("#history tbody tr"));
        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0].Text, Does.Contain("a red fox running through fresh snow, cinematic, slow dolly-in [cinematic]").And.Contain("48×32"));
        rows[0].FindElement(By.CssSelector("button.run-again")).Click();
        wait.Until(_ => browser.FindElements(By.CssSelector("#history tbody tr")).Count == 2
            && browser.FindElement(By.Id("status")).Text.StartsWith("Done", StringComparison.Ordinal));
        rows = browser.FindElements(By.CssSelector("#history tbody tr"));
        Assert.That(rows.Select(r => r.FindElement(By.CssSelector("td.state")).Text), Is.EqualTo(new[] { "succeeded (cached)", "succeeded" }),
            "the same normalised request again: served from the cache");
        var cells = rows.Select(r => r.FindElements(By.CssSelector("td")).Select(c => c.Text).ToList()).ToList();
        Assert.That(cells[0][2] + " [cinematic]", Is.EqualTo(cells[1][2]), "run again sends the expanded prompt, without the template");
        Assert.That(cells[0].Skip(3).Take(4), Is.EqualTo(cells[1].Skip(3).Take(4)).And.EqualTo(new[] { "48×32", "5", "3", "7" }), "size, frames, steps, seed");
        // The player now holds the re-run's video (its own job id), loaded.
        var rerun = rows[0].GetAttribute("data-job");
        wait.Until(_ => script.ExecuteScript("return document.getElementById('player').dataset.job;") as string == rerun
            && Convert.ToInt64(script.ExecuteScript("return document.getElementById('player').readyState;")) >= 2);

        var shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "wan-serve-page.png");
        browser.GetScreenshot().SaveAsFile(shot);
        TestContext.AddTestAttachment(shot, "the page after a job and its re-run");
        var media = script.ExecuteScript("const p = document.getElementById('player'); return 'readyState ' + p.readyState + ', networkState ' + p.networkState + ', duration ' + p.duration;");
        TestContext.Out.WriteLine($"player: {media}");
        TestContext.Out.WriteLine($"progress values seen: {string.Join(" ", seen.Distinct().Select(v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}; screenshot {shot}");
    }

    [Test]
    public async Task WithApiKeysThePageWorksOnceGivenAKey()
    {
        const string key = "page-test-key-0123456789";
        await using var server = await PageServer.StartAsync(key);
        using var browser = Browser.Start();
        var script = (IJavaScriptExecutor)browser;
        var wait = new WebDriverWait(browser, JobTimeout) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        browser.Navigate().GoToUrl(server.Url);
        wait.Until(_ => browser.FindElement(By.Id("status")).Text.Contains("API key required", StringComparison.Ordinal));
        Assert.That(browser.FindElement(By.Id("status")).GetAttribute("class"), Does.Contain("error"), "without a key the page says why it cannot list anything");

        browser.FindElement(By.CssSelector("#key-box summary")).Click();
        Fill(browser, "api-key", key);
        browser.FindElement(By.Id("save-key")).Click();
        wait.Until(_ => browser.FindElement(By.Id("status")).Text == "Key saved.");
        browser.Navigate().Refresh();
        wait.Until(_ => browser.FindElements(By.CssSelector("#template option")).Count == 2);
        browser.FindElement(By.CssSelector("#template option[value='cinematic']")).Click();
        Fill(browser, "prompt", "a hare in a meadow");
        browser.FindElement(By.Id("submit")).Click();
        // The event stream and the video come through fetch with X-Api-Key: EventSource and <video src> could not send it.
        wait.Until(_ => Progress(browser) >= 1);
        wait.Until(_ => Convert.ToInt64(script.ExecuteScript("return document.getElementById('player').readyState;")) >= 2);
        Assert.That(Convert.ToDouble(script.ExecuteScript("return document.getElementById('player').duration;")), Is.GreaterThan(0));
        Assert.That(browser.FindElements(By.CssSelector("#history tbody tr")), Has.Count.EqualTo(1));
    }

    private static void Fill(IWebDriver browser, string id, string value)
    {
        var field = browser.FindElement(By.Id(id));
        field.Clear();
        field.SendKeys(value);
    }

    private static double Progress(IWebDriver browser) =>
        Convert.ToDouble(((IJavaScriptExecutor)browser).ExecuteScript("return document.getElementById('progress').value;"), System.Globalization.CultureInfo.InvariantCulture);
}
