using System.Globalization;
using System.Text;
using Wan.Creative.Labels;

namespace Wan.Creative.PostProcessing;

/// <summary>
/// The one ffmpeg invocation of the finishing pass: raw RGB frames on stdin (input 0), then the logo, audio and soft
/// subtitle inputs; one <c>-filter_complex</c> graph; one H.264 (+ AAC, + mov_text) encode. File names inside the graph
/// are fixed short names in the working folder (<see cref="SubtitleName"/>, <see cref="LabelTextName"/>,
/// <see cref="FontFolderName"/>), so no user path needs filter-graph escaping.
/// </summary>
internal sealed class FfmpegFinishingCommand
{
    /// <summary>The SRT copy burned by the subtitles filter, in the working folder.</summary>
    public const string SubtitleName = "subtitles.srt";

    /// <summary>The visible label's text, read by drawtext's textfile (no escaping of user text).</summary>
    public const string LabelTextName = "label.txt";

    /// <summary>The folder holding a link to the CJK font, for drawtext and libass.</summary>
    public const string FontFolderName = "fonts";

    private FfmpegFinishingCommand(List<string> arguments, string graph, int width, int height, int fps)
    {
        Arguments = arguments;
        Graph = graph;
        Width = width;
        Height = height;
        Fps = fps;
    }

    /// <summary>ffmpeg's arguments (without the program).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The filter graph.</summary>
    public string Graph { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output frames per second.</summary>
    public int Fps { get; }

    /// <summary>The font file's name inside <see cref="FontFolderName"/> (the same extension as the font).</summary>
    public static string FontLinkName(string font) => "label" + Path.GetExtension(font);

    /// <summary>The command for a video of <paramref name="frames"/> frames of <paramref name="width"/>x<paramref name="height"/> at <paramref name="fps"/>.</summary>
    public static FfmpegFinishingCommand Build(int frames, int width, int height, int fps, FinishingOptions options, string? fontFile, string? contentId, string output)
    {
        var post = options.Post;
        var label = options.Label;
        static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        var outWidth = post.Width ?? width;
        var outHeight = post.Height ?? height;
        var outFps = post.Fps ?? fps;
        var duration = frames / (double)fps;

        List<string> args = ["-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", $"{fps}", "-i", "-"];
        int nextInput = 1;
        int? logoInput = null, audioInput = null, subtitleInput = null;
        if (post.Logo is { } logo)
        {
            args.AddRange(["-i", logo.File]);
            logoInput = nextInput++;
        }
        if (post.Audio is { } audio)
        {
            args.AddRange(["-i", audio.File]);
            audioInput = nextInput++;
        }
        if (post.Subtitles is { Burn: false } soft)
        {
            args.AddRange(["-i", soft.File]);
            subtitleInput = nextInput++;
        }

        var chain = new List<string>();
        if (post.Denoise is { } denoise)
        {
            chain.Add($"hqdn3d={F(denoise)}");
        }
        if (post.Color is { } c)
        {
            chain.Add($"eq=brightness={F(c.Brightness)}:contrast={F(c.Contrast)}:saturation={F(c.Saturation)}:gamma={F(c.Gamma)}");
        }
        if (post.Fps is { } targetFps && targetFps != fps)
        {
            // minterpolate stops at the last input frame's time: one cloned frame lets it fill the last interval, and the
            // trim keeps the generated duration (81 frames at 16 → 121 at 24 instead of 120 ending 1/16 s early).
            chain.Add($"tpad=stop_mode=clone:stop=1,minterpolate=fps={targetFps}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1,trim=duration={F(duration)}");
        }
        if (post.Width is not null && (outWidth != width || outHeight != height))
        {
            chain.Add($"scale={outWidth}:{outHeight}:flags=lanczos");
        }
        if (post.Subtitles is { Burn: true } burned)
        {
            chain.Add($"subtitles=filename={SubtitleName}:fontsdir={FontFolderName}:force_style='FontSize={burned.FontSize}'");
        }
        var graph = new StringBuilder();
        graph.Append("[0:v]").Append(chain.Count == 0 ? "null" : string.Join(",", chain)).Append("[base]");
        var current = "base";
        if (post.Logo is { } l)
        {
            var logoWidth = Math.Max(2, (int)Math.Round(outWidth * l.Scale / 2) * 2);
            var (x, y) = ScreenPositions.Expressions(l.Position, l.Margin, "W", "H", "w", "h");
            graph.Append($";[{logoInput}:v]format=rgba,scale={logoWidth}:-2:flags=lanczos,colorchannelmixer=aa={F(l.Opacity)}[logo]");
            graph.Append($";[{current}][logo]overlay=x={x}:y={y}:eof_action=repeat[logoed]");
            current = "logoed";
        }
        if (label.Visible)
        {
            var size = Math.Max(8, (int)Math.Round(outHeight * label.Size));
            var margin = Math.Max(2, size / 3);
            var (x, y) = ScreenPositions.Expressions(label.Position, margin, "w", "h", "text_w", "text_h");
            graph.Append($";[{current}]drawtext=fontfile={FontFolderName}/{FontLinkName(fontFile!)}:textfile={LabelTextName}:fontsize={size}" +
                         $":fontcolor=white@0.9:box=1:boxcolor=black@0.4:boxborderw={Math.Max(1, size / 6)}:x={x}:y={y}[labelled]");
            current = "labelled";
        }
        graph.Append($";[{current}]format=yuv420p[v]");
        if (post.Audio is { } a)
        {
            var fade = Math.Min(a.FadeOutSeconds, duration);
            graph.Append($";[{audioInput}:a]volume={F(a.Volume)},atrim=0:{F(duration)},asetpts=PTS-STARTPTS,apad=whole_dur={F(duration)}");
            if (fade > 0)
            {
                graph.Append($",afade=t=out:st={F(duration - fade)}:d={F(fade)}");
            }
            graph.Append("[a]");
        }

        args.AddRange(["-filter_complex", graph.ToString(), "-map", "[v]"]);
        if (audioInput is not null)
        {
            args.AddRange(["-map", "[a]"]);
        }
        if (subtitleInput is not null)
        {
            args.AddRange(["-map", $"{subtitleInput}:s", "-c:s", "mov_text"]);
            if (post.Subtitles!.Language is { } language)
            {
                args.AddRange(["-metadata:s:s:0", $"language={language}"]);
            }
        }
        args.AddRange(["-c:v", "libx264", "-crf", "18", "-r", $"{outFps}"]);
        if (audioInput is not null)
        {
            args.AddRange(["-c:a", "aac", "-b:a", "128k"]);
        }
        args.AddRange(["-movflags", "+faststart+use_metadata_tags"]);
        if (label.Metadata)
        {
            foreach (var (key, value) in AiContentMetadata.Tags(label, contentId!))
            {
                args.AddRange(["-metadata", $"{key}={value}"]);
            }
        }
        args.AddRange(["-f", "mp4", output]);
        return new FfmpegFinishingCommand(args, graph.ToString(), outWidth, outHeight, outFps);
    }
}
