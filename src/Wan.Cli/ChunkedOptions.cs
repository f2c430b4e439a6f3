using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Pipeline;

namespace Wan.Cli;

/// <summary>The checks of <c>--chunk-frames</c> that need the command line as typed: options of context windows are refused with it.</summary>
internal static class ChunkedOptions
{
    /// <summary>Refuses context-window options given with <c>--chunk-frames</c>, and a chunk schedule the model cannot run.</summary>
    /// <exception cref="RequestException">names the first option that cannot be used.</exception>
    public static void Check(GenerationRequest request, ModelGeometry geometry, IEnumerable<string> windowOptionsGiven)
    {
        if (request.ChunkFrames is null)
        {
            return;
        }
        if (windowOptionsGiven.FirstOrDefault() is { } option)
        {
            throw new RequestException(option.TrimStart('-'), "(given)", "cannot be combined with --chunk-frames: chunked generation replaces context windows");
        }
        request.Chunks(geometry);
    }
}
