namespace Wan.Kernels.Device;

/// <summary>
/// The argument checks every <see cref="IUploadStream.Upload"/> makes before it queues anything: a non-negative
/// size and a source range inside the staging buffer, compared without overflow (offsets near
/// <see cref="long.MaxValue"/> are refused, not wrapped).
/// </summary>
internal static class UploadRange
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless bytes [<paramref name="offset"/>, +<paramref name="bytes"/>) lie inside <paramref name="source"/>.</summary>
    public static void CheckSource(StagingBuffer source, long offset, long bytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (bytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), $"upload of {bytes} bytes: the size must be 0 or more");
        }
        if (offset < 0 || offset > source.Bytes - bytes)
        {
            throw new ArgumentOutOfRangeException("sourceOffset", $"upload: {bytes} bytes from offset {offset} are outside the {source.Bytes}-byte staging buffer");
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless bytes [<paramref name="offset"/>, +<paramref name="bytes"/>) lie inside <paramref name="destination"/>.</summary>
    public static void CheckDestination(DeviceBuffer destination, long offset, long bytes)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (offset < 0 || bytes < 0 || offset > destination.Bytes - bytes)
        {
            throw new ArgumentOutOfRangeException("destinationOffset", $"upload: {bytes} bytes to offset {offset} are outside the {destination.Bytes}-byte device buffer");
        }
    }
}
