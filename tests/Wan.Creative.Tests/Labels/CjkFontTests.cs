using Wan.Errors;
using Wan.Creative.Labels;
using Wan.Testing;

namespace Wan.Creative.Tests.Labels;

/// <summary>The visible label's font: found where Debian installs it, or one line saying which package to install.</summary>
public class CjkFontTests
{
    [Test]
    public void NoCjkFontIsOneLineNamingThePackage()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => CjkFont.Resolve(null, [dir.Combine("wqy-microhei.ttc")]))!;
        Assert.That(e.Message, Does.Contain("needs a CJK font").And.Contain("'fonts-wqy-microhei'").And.Contain("scripts/install-deps.sh").And.Not.Contain("\n"));
        File.WriteAllBytes(dir.Combine("wqy-microhei.ttc"), [1]);
        Assert.That(CjkFont.Resolve(null, [dir.Combine("missing.ttc"), dir.Combine("wqy-microhei.ttc")]), Is.EqualTo(dir.Combine("wqy-microhei.ttc")));
    }

    [Test]
    public void AConfiguredFontMustExist()
    {
        var options = new AiLabelOptions { Visible = true, FontFile = "/nonexistent/font.ttc" };
        Assert.That(Assert.Throws<FileNotFoundException>(options.Validate)!.Message, Is.EqualTo("/nonexistent/font.ttc: label font not found"));
        Assert.DoesNotThrow(new AiLabelOptions { FontFile = "/nonexistent/font.ttc" }.Validate, "an invisible label needs no font");
        Assert.Throws<RequestException>(new AiLabelOptions { Visible = true, Size = 0.9 }.Validate);
    }

    [Test]
    public void TheInstalledFontIsFound() =>
        Assert.That(CjkFont.Candidates.Any(File.Exists), Is.True, "scripts/install-deps.sh installs fonts-wqy-microhei");
}
