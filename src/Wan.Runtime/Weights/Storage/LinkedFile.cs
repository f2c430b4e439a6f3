namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// Opens model files the way the Hugging Face hub cache lays them out: a path may be a symbolic link
/// (relative or absolute, or a chain of them, or lie in a linked directory) to the real file. Sizes
/// come from the opened handle, which is the target's; a link whose target is missing is one line
/// naming the link and the target it points to.
/// </summary>
public static class LinkedFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading, following links. Throws <see cref="FileNotFoundException"/>
    /// naming the path and <paramref name="what"/> it should be (for a dangling link: also the missing
    /// target), or <see cref="IOException"/> for a link loop or a directory.
    /// </summary>
    public static FileStream OpenRead(string path, string what)
    {
        RequireFile(path, what);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: {what} not found", path);
        }
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is, or links to, an existing regular file; throws as
    /// <see cref="OpenRead"/> does. Configs and the tokenizer call it before reading.
    /// </summary>
    public static void RequireFile(string path, string what)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            FileSystemInfo? final;
            try
            {
                final = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new IOException($"{path}: {what} is a symbolic link that cannot be followed ({e.Message})", e);
            }
            var resolved = final?.FullName ?? Path.GetFullPath(target, Path.GetDirectoryName(Path.GetFullPath(path))!);
            if (Directory.Exists(resolved))
            {
                throw new IOException($"{path}: {what} is a symbolic link to the directory {resolved}, not a file");
            }
            if (!File.Exists(resolved))
            {
                throw new FileNotFoundException($"{path}: {what} is a symbolic link to {target}, which does not exist (resolved: {resolved})", path);
            }
            return;
        }
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: {what} is a directory, not a file");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: {what} not found", path);
        }
    }
}
