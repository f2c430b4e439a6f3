using OpenQA.Selenium.Chrome;

namespace Wan.Web.Tests;

/// <summary>
/// Debian's headless <c>chromium</c> driven by <c>chromium-driver</c> (scripts/install-deps.sh installs both). Missing:
/// the test fails when <c>CI</c> is set (CI must run it) and is skipped with the reason otherwise.
/// </summary>
internal static class Browser
{
    private static readonly string[] Binaries = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
    private const string Driver = "/usr/bin/chromedriver";

    /// <summary>A headless browser with a 1280x1000 window; the caller disposes it.</summary>
    public static ChromeDriver Start()
    {
        var binary = Binaries.FirstOrDefault(File.Exists);
        if (binary is null || !File.Exists(Driver))
        {
            var why = $"the browser test needs Debian's chromium and chromium-driver ({string.Join(" or ", Binaries)}, {Driver}): run scripts/install-deps.sh";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail(why);
            }
            Assert.Ignore(why);
        }
        var options = new ChromeOptions { BinaryLocation = binary };
        // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
    }
}
