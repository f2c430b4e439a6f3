using System.CommandLine;
using System.Globalization;
using Wan.Errors;
using Wan.Runtime.Styles;

namespace Wan.Cli;

/// <summary><c>wan styles list|show NAME</c>: the style library of a folder (<c>--styles DIR</c>, else env WAN_STYLES).</summary>
internal static class StylesCommand
{
    /// <summary>The environment variable naming the styles folder when <c>--styles</c> is absent.</summary>
    public const string FolderVariable = "WAN_STYLES";

    /// <summary>The <c>--styles DIR</c> option (shared with <c>wan generate</c>).</summary>
    public static Option<DirectoryInfo> FolderOption() =>
        new("--styles") { Description = $"styles folder (NAME.json manifests); default: ${FolderVariable}" };

    public static Command Create()
    {
        var folder = FolderOption();
        var name = new Argument<string>("NAME") { Description = "style name" };
        var list = new Command("list", "list the valid styles (and why any manifest is refused)") { folder };
        list.SetAction(parse => Run(() => List(Open(parse.GetValue(folder)))));
        var show = new Command("show", "everything a style sets") { folder, name };
        show.SetAction(parse => Run(() => Show(Open(parse.GetValue(folder)), parse.GetValue(name)!)));
        return new Command("styles", "the style library: LoRAs, trigger words, prompt additions and recommended settings per style") { list, show };
    }

    /// <summary>The library of <paramref name="folder"/> or $WAN_STYLES, without watching (one command, one snapshot).</summary>
    /// <exception cref="RequestException">Neither is given.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static StyleLibrary Open(DirectoryInfo? folder)
    {
        var path = folder?.FullName ?? Environment.GetEnvironmentVariable(FolderVariable);
        if (string.IsNullOrEmpty(path))
        {
            throw new RequestException("styles", "", $"no styles folder: pass --styles DIR or set {FolderVariable}");
        }
        return StyleLibrary.Open(path, new LoraFileValidator(), watch: false);
    }

    /// <summary>The style <paramref name="styleName"/> of <paramref name="folder"/> (or $WAN_STYLES), or null without a name.</summary>
    /// <exception cref="StyleException">Unknown or invalid style.</exception>
    /// <exception cref="RequestException">No styles folder, or --styles without --style.</exception>
    public static Style? Find(string? styleName, DirectoryInfo? folder)
    {
        if (styleName is null)
        {
            // A folder with no style to take from it is a mistake (a forgotten --style), not a no-op.
            return folder is null ? null : throw new RequestException("styles", folder.ToString(), "has no effect without --style NAME");
        }
        using var library = Open(folder);
        return library.Get(styleName);
    }

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (RequestException e)
        {
            Console.Error.WriteLine($"wan: {e.Format("--")}");
            return 2;
        }
        catch (Exception e) when (e is WanException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"wan: {e.Message}");
            return 2;
        }
    }

    private static int List(StyleLibrary library)
    {
        using (library)
        {
            foreach (var style in library.Styles.Values)
            {
                Console.WriteLine($"{style.Name}\t{style.Description}\t{Summary(style)}");
            }
            foreach (var problem in library.Problems.Values)
            {
                Console.Error.WriteLine($"wan: style '{problem.Name}' refused: {problem.Message}");
            }
            if (library.Styles.Count == 0)
            {
                Console.Error.WriteLine($"wan: no valid style in {library.Directory}");
            }
            return 0;
        }
    }

    private static int Show(StyleLibrary library, string name)
    {
        using (library)
        {
            var s = library.Get(name);
            Console.WriteLine($"name:            {s.Name}");
            Console.WriteLine($"description:     {s.Description}");
            Console.WriteLine($"manifest:        {s.ManifestPath}");
            foreach (var lora in s.Loras)
            {
                Console.WriteLine($"lora:            {lora.Path} strength {lora.Strength.ToString(CultureInfo.InvariantCulture)} expert {lora.Expert} ({lora.Format})");
            }
            Console.WriteLine($"trigger words:   {string.Join(", ", s.TriggerWords)}");
            Console.WriteLine($"prompt prefix:   {s.PromptPrefix}");
            Console.WriteLine($"prompt suffix:   {s.PromptSuffix}");
            Console.WriteLine($"negative prompt: {s.NegativePrompt ?? "(the request's)"}");
            Console.WriteLine($"recommended:     {(Recommended(s) is { Count: > 0 } settings ? string.Join("; ", settings) : "none")}");
            return 0;
        }
    }

    private static string Summary(Style s) => string.Join("; ", [$"{s.Loras.Count} LoRA(s)", .. Recommended(s)]);

    private static List<string> Recommended(Style s)
    {
        var parts = new List<string>();
        if (s.Sampler is { } sampler) parts.Add($"sampler {sampler}");
        if (s.Steps is { } steps) parts.Add($"steps {steps}");
        if (s.GuidanceLow is { } low) parts.Add(FormattableString.Invariant($"guidance {low},{s.GuidanceHigh}"));
        if (s.Shift is { } shift) parts.Add(FormattableString.Invariant($"shift {shift}"));
        return parts;
    }
}
