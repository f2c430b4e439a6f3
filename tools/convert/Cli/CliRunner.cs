using System.CommandLine;
using Spectre.Console;
using Wan.Convert.Conversion;

namespace Wan.Convert.Cli;

/// <summary>Shared command plumbing: one clear error line on stderr (exit code 2, 130 when cancelled) instead of a stack trace, and the progress bar.</summary>
internal static class CliRunner
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("wan-convert: cancelled; no output was written");
            return 130;
        }
        catch (Wan.Errors.RequestException e)
        {
            Console.Error.WriteLine($"wan-convert: {e.Format("--")}");
            return 2;
        }
        // WanException covers every model-file, config and request error; the rest are the converter's
        // file-system and format errors that do not derive from it yet.
        catch (Exception e) when (e is Wan.Errors.WanException or IOException or InvalidDataException or ArgumentException or KeyNotFoundException
            or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"wan-convert: {string.Join(" ", e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            return 2;
        }
    }

    /// <summary>A path argument; an empty value is a parse error naming it (not a framework message about 'path').</summary>
    public static Argument<string> PathArgument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError($"{name} is empty: give a path");
            }
        });
        return argument;
    }

    /// <summary>Runs <paramref name="work"/> under a byte progress bar fed by its progress reports.</summary>
    public static T WithProgress<T>(string title, Func<IProgress<ConversionProgress>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                result = work(new Progress(task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class Progress(ProgressTask task) : IProgress<ConversionProgress>
    {
        public void Report(ConversionProgress value)
        {
            task.MaxValue = Math.Max(1, value.BytesTotal);
            task.Value = value.BytesDone;
            task.Description = value.Component;
        }
    }

    /// <summary>"5GB", "500MB", "123" (bytes); decimal units as Hugging Face uses them.</summary>
    public static long ParseSize(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        (string Suffix, long Factor)[] units = [("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1)];
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(t[..^suffix.Length], System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0)
            {
                return (long)(v * factor);
            }
        }
        return long.TryParse(t, out var bytes) && bytes > 0 ? bytes : throw new Wan.Errors.RequestException("max-shard-size", $"'{text}'", "is not a size like 5GB, 500MB or a byte count");
    }
}
