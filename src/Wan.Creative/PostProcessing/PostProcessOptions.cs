namespace Wan.Creative.PostProcessing;

/// <summary>A logo/watermark image over the video.</summary>
/// <param name="File">The image (PNG with alpha works best).</param>
/// <param name="Position">Where it sits.</param>
/// <param name="Scale">Its width as a fraction of the output width, in (0, 1].</param>
/// <param name="Opacity">0 (invisible) .. 1 (as drawn).</param>
/// <param name="Margin">Inset from the frame's edges, in output pixels.</param>
public sealed record LogoOptions(string File, ScreenPosition Position = ScreenPosition.TopRight, double Scale = 0.2, double Opacity = 0.8, int Margin = 8);

/// <summary>Subtitles from an SRT file.</summary>
/// <param name="File">The .srt file (UTF-8).</param>
/// <param name="Burn">True: rendered into the picture (libass, CJK font); false: a soft mov_text subtitle track.</param>
/// <param name="FontSize">Burned text size in libass points (scaled to the frame by libass).</param>
/// <param name="Language">ISO 639-2 language of a soft track ("chi", "eng"), or null.</param>
public sealed record SubtitleOptions(string File, bool Burn = true, int FontSize = 18, string? Language = null);

/// <summary>An audio track fitted to the video's length: trimmed when longer, padded with silence when shorter, faded out at the end.</summary>
/// <param name="File">Any audio ffmpeg reads (WAV, MP3, AAC, ...).</param>
/// <param name="FadeOutSeconds">Fade-out length at the video's end (0: none).</param>
/// <param name="Volume">Gain factor, in [0, 4].</param>
public sealed record AudioOptions(string File, double FadeOutSeconds = 1.0, double Volume = 1.0);

/// <summary>Colour adjustment (ffmpeg <c>eq</c>); neutral values change nothing.</summary>
/// <param name="Brightness">-1 .. 1 (0 neutral).</param>
/// <param name="Contrast">0 .. 4 (1 neutral).</param>
/// <param name="Saturation">0 .. 3 (1 neutral).</param>
/// <param name="Gamma">0.1 .. 10 (1 neutral).</param>
public sealed record ColorOptions(double Brightness = 0, double Contrast = 1, double Saturation = 1, double Gamma = 1);

/// <summary>
/// What the ffmpeg finishing pass does besides encoding (all optional; nothing set = a plain H.264 encode). Applied in
/// one filter graph and one encode, in this order: denoise, colour, frame-rate up-conversion (motion interpolation),
/// lanczos upscaling, burned subtitles, logo, visible AI label.
/// </summary>
public sealed record PostProcessOptions
{
    /// <summary>The logo, or null.</summary>
    public LogoOptions? Logo { get; init; }

    /// <summary>The subtitles, or null.</summary>
    public SubtitleOptions? Subtitles { get; init; }

    /// <summary>The audio track, or null (a silent video).</summary>
    public AudioOptions? Audio { get; init; }

    /// <summary>Output frame rate by motion interpolation (<c>minterpolate</c>, e.g. 16 → 24 or 32), or null to keep the generated rate.</summary>
    public int? Fps { get; init; }

    /// <summary>Output width by lanczos scaling (even, 16..8192), or null; with <see cref="Height"/>.</summary>
    public int? Width { get; init; }

    /// <summary>Output height by lanczos scaling (even, 16..8192), or null; with <see cref="Width"/>.</summary>
    public int? Height { get; init; }

    /// <summary>Colour adjustment, or null.</summary>
    public ColorOptions? Color { get; init; }

    /// <summary>Denoise strength (<c>hqdn3d</c> spatial luma strength, (0, 20]), or null for none.</summary>
    public double? Denoise { get; init; }

    /// <summary>Whether any step besides the encode is requested.</summary>
    public bool Any => Logo is not null || Subtitles is not null || Audio is not null || Fps is not null || Width is not null || Color is not null || Denoise is not null;

    /// <summary>Every input file the options name (logo, subtitles, audio).</summary>
    public IEnumerable<(string What, string File)> InputFiles()
    {
        if (Logo is not null)
        {
            yield return ("logo", Logo.File);
        }
        if (Subtitles is not null)
        {
            yield return ("subtitles", Subtitles.File);
        }
        if (Audio is not null)
        {
            yield return ("audio", Audio.File);
        }
    }

    /// <summary>Checks every value and that every input file exists — before any generation starts.</summary>
    /// <exception cref="Wan.Errors.RequestException">A value is out of range (names the setting, in the --post file's spelling, and its value).</exception>
    /// <exception cref="FileNotFoundException">An input file is missing (the message names which one).</exception>
    public void Validate()
    {
        static void Check(bool ok, string setting, object? value, string problem)
        {
            if (!ok)
            {
                throw new Wan.Errors.RequestException(setting, value, problem);
            }
        }
        foreach (var (what, file) in InputFiles())
        {
            if (!System.IO.File.Exists(file))
            {
                throw new FileNotFoundException($"{file}: {what} file not found", file);
            }
        }
        if (Logo is { } logo)
        {
            Check(double.IsFinite(logo.Scale) && logo.Scale > 0 && logo.Scale <= 1, "logo.scale", logo.Scale, "must be a fraction of the width in (0, 1]");
            Check(double.IsFinite(logo.Opacity) && logo.Opacity is >= 0 and <= 1, "logo.opacity", logo.Opacity, "must be in [0, 1]");
            Check(logo.Margin is >= 0 and <= 4096, "logo.margin", logo.Margin, "must be 0..4096 pixels");
        }
        if (Subtitles is { } subtitles)
        {
            Check(subtitles.FontSize is >= 4 and <= 200, "subtitles.font_size", subtitles.FontSize, "must be 4..200");
            Check(subtitles.Language is null || (subtitles.Language.Length == 3 && subtitles.Language.All(char.IsAsciiLetterLower)),
                "subtitles.language", subtitles.Language, "must be an ISO 639-2 code such as 'chi' or 'eng'");
        }
        if (Audio is { } audio)
        {
            Check(double.IsFinite(audio.FadeOutSeconds) && audio.FadeOutSeconds is >= 0 and <= 60, "audio.fade_out", audio.FadeOutSeconds, "must be 0..60 seconds");
            Check(double.IsFinite(audio.Volume) && audio.Volume is >= 0 and <= 4, "audio.volume", audio.Volume, "must be 0..4");
        }
        Check(Fps is null or (>= 1 and <= 120), "fps", Fps, "must be 1..120");
        Check((Width is null) == (Height is null), "upscale", $"{Width}x{Height}", "needs both width and height");
        Check(Width is null || (Width is >= 16 and <= 8192 && Width % 2 == 0), "upscale.width", Width, "must be even and 16..8192");
        Check(Height is null || (Height is >= 16 and <= 8192 && Height % 2 == 0), "upscale.height", Height, "must be even and 16..8192");
        if (Color is { } c)
        {
            Check(double.IsFinite(c.Brightness) && c.Brightness is >= -1 and <= 1, "color.brightness", c.Brightness, "must be -1..1");
            Check(double.IsFinite(c.Contrast) && c.Contrast is >= 0 and <= 4, "color.contrast", c.Contrast, "must be 0..4");
            Check(double.IsFinite(c.Saturation) && c.Saturation is >= 0 and <= 3, "color.saturation", c.Saturation, "must be 0..3");
            Check(double.IsFinite(c.Gamma) && c.Gamma is >= 0.1 and <= 10, "color.gamma", c.Gamma, "must be 0.1..10");
        }
        Check(Denoise is null or (> 0 and <= 20), "denoise", Denoise, "must be in (0, 20]");
    }
}
