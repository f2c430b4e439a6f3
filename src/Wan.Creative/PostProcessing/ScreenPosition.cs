namespace Wan.Creative.PostProcessing;

/// <summary>Where an overlay (logo, visible label) sits in the frame.</summary>
public enum ScreenPosition
{
    /// <summary>Top left corner, inset by the margin.</summary>
    TopLeft,

    /// <summary>Top right corner, inset by the margin.</summary>
    TopRight,

    /// <summary>Bottom left corner, inset by the margin.</summary>
    BottomLeft,

    /// <summary>Bottom right corner, inset by the margin.</summary>
    BottomRight,

    /// <summary>Centred.</summary>
    Center,
}

/// <summary>Names of <see cref="ScreenPosition"/> as written in options and JSON ("top-left", ...).</summary>
public static class ScreenPositions
{
    /// <summary>Every accepted name.</summary>
    public static readonly IReadOnlyList<string> Names = ["top-left", "top-right", "bottom-left", "bottom-right", "center"];

    /// <summary>The position called <paramref name="name"/>.</summary>
    /// <exception cref="Wan.Errors.RequestException">Unknown name (the message lists the accepted ones).</exception>
    public static ScreenPosition Parse(string name, string what) => name switch
    {
        "top-left" => ScreenPosition.TopLeft,
        "top-right" => ScreenPosition.TopRight,
        "bottom-left" => ScreenPosition.BottomLeft,
        "bottom-right" => ScreenPosition.BottomRight,
        "center" => ScreenPosition.Center,
        _ => throw new Wan.Errors.RequestException(what, name, $"must be one of {string.Join(", ", Names)}"),
    };

    /// <summary>ffmpeg x and y expressions placing an item of size (<paramref name="itemW"/>, <paramref name="itemH"/>) in a frame of (<paramref name="frameW"/>, <paramref name="frameH"/>).</summary>
    internal static (string X, string Y) Expressions(ScreenPosition position, int margin, string frameW, string frameH, string itemW, string itemH) => position switch
    {
        ScreenPosition.TopLeft => ($"{margin}", $"{margin}"),
        ScreenPosition.TopRight => ($"{frameW}-{itemW}-{margin}", $"{margin}"),
        ScreenPosition.BottomLeft => ($"{margin}", $"{frameH}-{itemH}-{margin}"),
        ScreenPosition.BottomRight => ($"{frameW}-{itemW}-{margin}", $"{frameH}-{itemH}-{margin}"),
        _ => ($"({frameW}-{itemW})/2", $"({frameH}-{itemH})/2"),
    };
}
