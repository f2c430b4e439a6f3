namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// Opens model files the way the Hugging Face hub cache lays them out: a path may be a symbolic link
/// (relative or absolute, a chain of them, or inside a linked directory) to the real file. The kernel
/// follows the links when the file is opened and sizes come from the open handle, which is the
/// target's. When the open fails, the message says why in one line: a dangling link names the
/// link and the target it points to; a loop of links says so.
/// </summary>
public static class LinkedFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading, following links. Throws <see cref="FileNotFoundException"/>
    /// naming the path and <paramref name="what"/> it should be (a dangling link: also its target), or
    /// <see cref="IOException"/> for a directory or a link that cannot be followed.
    /// </summary>
    public static FileStream OpenRead(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: {what} is a directory, not a file");
        }
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        }
        catch (IOException e)
        {
            throw Explain(path, what, e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="path"/> opens as a file (following links); throws as
    /// <see cref="OpenRead"/> does. Readers that open files themselves call it first.
    /// </summary>
    public static void RequireFile(string path, string what) => OpenRead(path, what).Dispose();

    /// <summary>
    /// Why <paramref name="path"/> did not open. Existence checks cannot say it: File.Exists is true for
    /// a dangling link (it falls back to the link itself), and FileSystemInfo.ResolveLinkTarget resolves
    /// a relative target inside a linked directory against the wrong folder.
    /// </summary>
    private static IOException Explain(string path, string what, IOException failure)
    {
        var target = new FileInfo(path).LinkTarget;
        if (target is null)
        {
            return failure is FileNotFoundException or DirectoryNotFoundException
                ? new FileNotFoundException($"{path}: {what} not found", path)
                : new IOException($"{path}: {what} cannot be opened ({failure.Message})", failure);
        }
        try
        {
            new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException loop)
        {
            return new IOException($"{path}: {what} is a symbolic link that cannot be followed ({loop.Message})", loop);
        }
        return failure is FileNotFoundException or DirectoryNotFoundException
            ? new FileNotFoundException($"{path}: {what} is a symbolic link to {target}, which does not exist", path)
            : new IOException($"{path}: {what} (a symbolic link to {target}) cannot be opened ({failure.Message})", failure);
    }
}
