using OpenQA.Selenium.Chrome;

namespace Wan.Web.Tests;

/// <summary>
/// Debian's headless <c>chromium</c> driven by <c>chromium-driver</c> (scripts/install-deps.sh installs both). Missing:
/// the test fails when <c>CI</c> is set (CI must run it) and is skipped with the reason otherwise.
/// </summary>
internal static class Browser
{
    /// <summary>Where Debian installs the browser (the binary itself, then its launcher script).</summary>
    public static readonly string[] Binaries = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    /// <summary>Where Debian's chromium-driver installs the driver.</summary>
    public const string Driver = "/usr/bin/chromedriver";

    /// <summary>What a test does when the browser is missing.</summary>
    public enum Missing
    {
        /// <summary>Nothing is missing: run.</summary>
        None,

        /// <summary>Missing under CI: fail.</summary>
        Fail,

        /// <summary>Missing on a developer machine: skip with the reason.</summary>
        Skip,
    }

    /// <summary>The decision for a browser binary found or not, a driver found or not, and the value of <c>CI</c>.</summary>
    public static Missing Decide(string? binary, bool driverFound, string? ci) =>
        binary is not null && driverFound ? Missing.None : string.IsNullOrEmpty(ci) ? Missing.Skip : Missing.Fail;

    /// <summary>A headless browser with a 1280x1000 window; the caller disposes it. Fails or skips the test when chromium is missing.</summary>
    public static ChromeDriver Start()
    {
        var binary = Binaries.FirstOrDefault(File.Exists);
        var why = $"the browser test needs Debian's chromium and chromium-driver ({string.Join(" or ", Binaries)}, {Driver}): run scripts/install-deps.sh";
        switch (Decide(binary, File.Exists(Driver), Environment.GetEnvironmentVariable("CI")))
        {
            case Missing.Fail:
                Assert.Fail(why);
                break;
            case Missing.Skip:
                Assert.Ignore(why);
                break;
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
