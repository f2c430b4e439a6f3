using System.Diagnostics;

namespace Wan.Runtime.Video;

/// <summary>
/// One running ffmpeg process fed raw frames on its standard input: the plumbing every ffmpeg writer shares
/// (<see cref="Mp4Writer"/>, the creative finishing pass). <see cref="Finish"/> closes the input and checks the exit
/// code; disposing an unfinished pipe kills ffmpeg (a cancelled or failed write), so the caller only has to
/// delete the file ffmpeg was writing. FFMpegCore was not used: it finalises a partial file on cancel.
/// </summary>
public sealed class FfmpegPipe : IDisposable
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Task<string> _stderr;
    private readonly string _target;
    private readonly Func<string, string> _describeStderr;
    private bool _finished;

    private FfmpegPipe(Process process, string target, Func<string, string> describeStderr)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        _target = target;
        _describeStderr = describeStderr;
    }

    /// <summary>The ffmpeg executable on PATH, or null.</summary>
    public static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "ffmpeg");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Starts <paramref name="ffmpeg"/> with <paramref name="arguments"/>, its standard input ready for frames.</summary>
    /// <param name="ffmpeg">the executable (see <see cref="Find"/>).</param>
    /// <param name="arguments">the command line; the input is <c>-i -</c>.</param>
    /// <param name="target">the file the user asked for: every error message starts with it.</param>
    /// <param name="describeStderr">turns ffmpeg's error output into the text quoted in an error message.</param>
    /// <param name="workingDirectory">ffmpeg's working directory, or null for this process's.</param>
    /// <exception cref="IOException">the process could not be started (message names <paramref name="target"/>).</exception>
    public static FfmpegPipe Start(string ffmpeg, IEnumerable<string> arguments, string target, Func<string, string> describeStderr,
        string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(ffmpeg) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            return new FfmpegPipe(Process.Start(psi) ?? throw new IOException($"{target}: {ffmpeg} could not be started"), target, describeStderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"{target}: {ffmpeg} could not be started ({e.Message})", e);
        }
    }

    /// <summary>Sends raw frame bytes to ffmpeg.</summary>
    /// <param name="frames">whole frames in the pixel format the arguments declared.</param>
    /// <param name="cancellation">checked before writing.</param>
    /// <exception cref="IOException">ffmpeg stopped reading (bad option, disk full, ...): its exit code and message.</exception>
    /// <exception cref="OperationCanceledException">cancelled; dispose the pipe to stop ffmpeg.</exception>
    public void Write(ReadOnlySpan<byte> frames, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        try
        {
            _stdin.Write(frames);
        }
        catch (IOException)
        {
            // ffmpeg closed its input early: its own message says why.
            _finished = true;
            _process.WaitForExit();
            throw new IOException($"{_target}: ffmpeg stopped reading frames (exit code {_process.ExitCode}): {_describeStderr(_stderr.Result)}");
        }
    }

    /// <summary>Closes ffmpeg's input and waits for it to write its file.</summary>
    /// <exception cref="IOException">ffmpeg failed: its exit code and message.</exception>
    public void Finish()
    {
        _finished = true;
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // Flushing into a closed pipe: the exit code below reports the failure.
        }
        _process.WaitForExit();
        if (_process.ExitCode != 0)
        {
            throw new IOException($"{_target}: ffmpeg failed with exit code {_process.ExitCode}: {_describeStderr(_stderr.Result)}");
        }
    }

    /// <summary>Kills ffmpeg when <see cref="Finish"/> was not reached, then releases the process.</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
            _process.WaitForExit();
            try
            {
                _stdin.Dispose();
            }
            catch (IOException)
            {
                // The pipe is broken: ffmpeg is gone, which is what disposing wants.
            }
        }
        _process.Dispose();
    }
}
