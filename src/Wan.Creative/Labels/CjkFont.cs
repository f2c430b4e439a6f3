namespace Wan.Creative.Labels;

/// <summary>
/// The font of the visible label and of burned-in subtitles: it must hold CJK glyphs ("AI生成"). Debian's
/// <c>fonts-wqy-microhei</c> (installed by scripts/install-deps.sh) is looked for first, then other common CJK fonts.
/// </summary>
public static class CjkFont
{
    /// <summary>The Debian package that provides the default font.</summary>
    public const string Package = "fonts-wqy-microhei";

    /// <summary>Where the known CJK fonts are installed on Debian, in order of preference.</summary>
    public static readonly IReadOnlyList<string> Candidates =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ];

    /// <summary><paramref name="configured"/> when given (it must exist), else the first installed of <see cref="Candidates"/>.</summary>
    /// <exception cref="FileNotFoundException">The configured font does not exist, or none is given and no CJK font is installed.</exception>
    public static string Resolve(string? configured) => Resolve(configured, Candidates);

    /// <summary><see cref="Resolve(string?)"/> over <paramref name="candidates"/> instead of the installed locations.</summary>
    internal static string Resolve(string? configured, IReadOnlyList<string> candidates)
    {
        if (configured is not null)
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new FileNotFoundException($"{configured}: label font not found", configured);
        }
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"the visible AI label needs a CJK font and none is installed (looked for {string.Join(", ", candidates)}): install the Debian package '{Package}' (scripts/install-deps.sh) or name a font file");
    }
}
