namespace Wan.Server.Jobs;

/// <summary>
/// The folder of finished videos (<c>DATA/results</c>), one file per job named after its id. Files are
/// written under a hidden temporary name and renamed; <see cref="RemovePartialFiles"/> clears what a
/// killed process left half-written.
/// </summary>
public sealed class ResultFolder
{
    /// <summary>Creates the folder when absent.</summary>
    /// <exception cref="IOException">the folder cannot be created.</exception>
    public ResultFolder(string path)
    {
        Path = Directory.CreateDirectory(path).FullName;
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Where <paramref name="job"/>'s video goes: <c>{id}.{format}</c>.</summary>
    public string PathFor(VideoJob job) => System.IO.Path.Combine(Path, $"{job.Id}.{job.Spec.Format}");

    /// <summary>Deletes temporary files of interrupted writes (hidden <c>.NAME.partial-*</c> entries); returns how many.</summary>
    public int RemovePartialFiles()
    {
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(Path, ".*.partial-*"))
        {
            File.Delete(file);
            removed++;
        }
        return removed;
    }
}
